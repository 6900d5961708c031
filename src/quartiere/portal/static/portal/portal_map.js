// Public maps (a lab's neighbourhood, a programme's actions): markers from a JSON block.
// Every map has a list alternative on the same page; this script only adds the picture.
(function () {
  "use strict";
  if (typeof L === "undefined") { return; }
  var maps = document.querySelectorAll("[data-portal-map]");
  Array.prototype.forEach.call(maps, function (el) {
    var points = JSON.parse(document.getElementById(el.dataset.pointsId).textContent);
    var map = L.map(el, { scrollWheelZoom: false });
    L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "&copy; OpenStreetMap"
    }).addTo(map);
    map.attributionControl.setPrefix(false);
    var bounds = [];
    points.forEach(function (p) {
      var marker = L.circleMarker([p.lat, p.lon], {
        radius: 9, color: p.color || "#0066cc", weight: 2, fillOpacity: 0.7
      }).addTo(map);
      var box = document.createElement("div");
      var title;
      if (p.url) {
        title = document.createElement("a");
        title.href = p.url;
      } else {
        title = document.createElement("strong");
      }
      title.textContent = p.label;
      box.appendChild(title);
      if (p.detail) {
        var detail = document.createElement("p");
        detail.className = "mb-0";
        detail.textContent = p.detail;
        box.appendChild(detail);
      }
      marker.bindPopup(box);
      marker.bindTooltip(p.label);
      bounds.push([p.lat, p.lon]);
    });
    if (bounds.length > 1) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 17 }); }
    else if (bounds.length === 1) { map.setView(bounds[0], 16); }
    else { map.setView([45.45, 9.14], 14); }
  });
}());
