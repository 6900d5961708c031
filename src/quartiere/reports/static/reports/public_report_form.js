// Public report form: stairs follow the chosen building without reloading, and a Leaflet map
// fills the latitude and longitude fields. Without JavaScript the form works with its
// "Show the stairs" button and the plain coordinate and address fields.
(function () {
  "use strict";
  var mapEl = document.getElementById("report-map");
  if (!mapEl) { return; }

  function readJson(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // Stairs of the chosen building, from the list embedded in the page.
  var stairs = readJson(mapEl.dataset.stairsId) || {};
  var buildingSelect = document.getElementById(mapEl.dataset.buildingSelect);
  var stairSelect = document.getElementById(mapEl.dataset.stairSelect);
  if (buildingSelect && stairSelect) {
    document.querySelectorAll("[data-js-hide]").forEach(function (node) { node.hidden = true; });
    buildingSelect.addEventListener("change", function () {
      var current = stairSelect.value;
      while (stairSelect.options.length) { stairSelect.remove(0); }
      stairSelect.add(new Option(mapEl.dataset.emptyStair, ""));
      (stairs[buildingSelect.value] || []).forEach(function (pair) {
        stairSelect.add(new Option(pair[1], pair[0], false, pair[0] === current));
      });
    });
  }

  // The map picker (an enhancement: the coordinate fields stay usable by hand).
  if (typeof L === "undefined") { return; }
  var latInput = document.getElementById(mapEl.dataset.latInput);
  var lonInput = document.getElementById(mapEl.dataset.lonInput);
  if (!latInput || !lonInput) { return; }
  var picker = document.getElementById("report-map-picker");
  picker.hidden = false;
  var map = L.map(mapEl, { keyboard: true });
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19, attribution: "&copy; OpenStreetMap"
  }).addTo(map);
  map.attributionControl.setPrefix(false);
  var marker = null;

  function place(lat, lon, write) {
    if (marker) { marker.setLatLng([lat, lon]); }
    else { marker = L.circleMarker([lat, lon], { radius: 9, color: "#d1344c", weight: 3 }).addTo(map); }
    if (write) {
      latInput.value = lat.toFixed(6);
      lonInput.value = lon.toFixed(6);
    }
  }

  var points = readJson(mapEl.dataset.pointsId) || [];
  var lat = parseFloat(latInput.value);
  var lon = parseFloat(lonInput.value);
  if (!isNaN(lat) && !isNaN(lon)) {
    map.setView([lat, lon], 17);
    place(lat, lon, false);
  } else if (points.length) {
    map.fitBounds(points.map(function (p) { return [p.lat, p.lon]; }), { padding: [20, 20] });
  } else {
    map.setView([45.45, 9.14], 14);
  }

  map.on("click", function (event) { place(event.latlng.lat, event.latlng.lng, true); });
  document.getElementById("report-map-centre").addEventListener("click", function () {
    var centre = map.getCenter();
    place(centre.lat, centre.lng, true);
  });
  document.getElementById("report-map-clear").addEventListener("click", function () {
    if (marker) { map.removeLayer(marker); marker = null; }
    latInput.value = "";
    lonInput.value = "";
  });
}());
