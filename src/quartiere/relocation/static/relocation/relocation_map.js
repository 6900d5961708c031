// Origin and destination buildings of a relocation plan; the lists on the page are the
// non-map alternative.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var points = JSON.parse(document.getElementById(el.dataset.pointsId).textContent);
  var map = L.map(el);
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19, attribution: "&copy; OpenStreetMap"
  }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    var origin = p.role === "origin";
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: 6 + Math.min(10, p.households), color: origin ? "#b71918" : "#0066cc"
    }).addTo(map);
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.label;
    box.appendChild(title);
    box.appendChild(document.createElement("br"));
    box.appendChild(document.createTextNode(
      p.households + " " + (origin ? el.dataset.originLabel : el.dataset.destinationLabel)
    ));
    marker.bindPopup(box);
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); }
  else { map.setView([45.45, 9.14], 14); }
}());
