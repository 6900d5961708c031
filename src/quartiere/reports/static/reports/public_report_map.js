// Public reports map: one marker per building with its counts; the list page is the
// non-map alternative and shows the same figures.
(function () {
  "use strict";
  var el = document.getElementById("map");
  if (!el || typeof L === "undefined") { return; }
  var points = JSON.parse(document.getElementById(el.dataset.pointsId).textContent);
  var map = L.map(el);
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19, attribution: "&copy; OpenStreetMap"
  }).addTo(map);
  map.attributionControl.setPrefix(false);
  var bounds = [];
  points.forEach(function (p) {
    var radius = Math.min(6 + Math.sqrt(p.open) * 2, 18);
    var marker = L.circleMarker([p.lat, p.lon], {
      radius: radius, color: p.open ? "#d1344c" : "#008055", weight: 2, fillOpacity: 0.6
    }).addTo(map);
    var box = document.createElement("div");
    var title = document.createElement("strong");
    title.textContent = p.label;
    box.appendChild(title);
    var counts = document.createElement("p");
    counts.className = "mb-1";
    counts.textContent = el.dataset.labelOpen + ": " + p.open + " · " +
      el.dataset.labelResolved + ": " + p.resolved;
    box.appendChild(counts);
    var list = document.createElement("ul");
    list.className = "mb-0 ps-3";
    p.categories.forEach(function (c) {
      var item = document.createElement("li");
      item.textContent = c[0] + ": " + c[1] + " / " + c[2];
      list.appendChild(item);
    });
    box.appendChild(list);
    marker.bindPopup(box);
    marker.bindTooltip(p.label + " (" + p.open + ")");
    bounds.push([p.lat, p.lon]);
  });
  if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 }); }
  else { map.setView([45.45, 9.14], 14); }
}());
