// Buildings on a Leaflet map; the list page is the non-map alternative.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var points = JSON.parse(document.getElementById(el.dataset.pointsId).textContent);
  var detail = el.dataset.detailUrl;
  var map = L.map(el);
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19, attribution: "&copy; OpenStreetMap"
  }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var marker = L.circleMarker([p.lat, p.lon], { radius: 7, color: "#0066cc" }).addTo(map);
    var link = document.createElement("a");
    link.href = detail.replace("/0/", "/" + p.id + "/");
    link.textContent = p.label;
    var box = document.createElement("div");
    box.appendChild(link);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(p.status + " · " + p.units));
    marker.bindPopup(box);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); }
  else { map.setView([45.45, 9.14], 14); }
}());
