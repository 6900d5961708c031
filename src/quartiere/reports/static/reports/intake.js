// Front-desk intake form, progressive enhancement only. Without JavaScript the "Continue"
// buttons re-draw the form with the category's questions or the building's stairs and units,
// and the point is typed as latitude and longitude. With it, changing those lists submits the
// form through the same "Continue" button, and a Leaflet map fills the coordinates.
(function () {
  "use strict";
  var form = document.querySelector("[data-intake-form]");
  if (!form) { return; }

  // Auto-continue when the category, building or stair changes.
  var refreshers = {
    id_category: "category",
    id_building: "building",
    id_entrance: "building",
    id_unit: null
  };
  Object.keys(refreshers).forEach(function (id) {
    var select = document.getElementById(id);
    var step = refreshers[id];
    if (!select || !step) { return; }
    var button = form.querySelector('[data-refresh-button="' + step + '"]');
    if (!button) { return; }
    select.addEventListener("change", function () {
      if (typeof form.requestSubmit === "function") { form.requestSubmit(button); }
      else { button.click(); }
    });
  });

  // The map picker: a click (or Enter on a focused map, at its centre) sets the point.
  var mapEl = document.getElementById("intake-map");
  if (!mapEl || typeof L === "undefined") { return; }
  var latInput = document.getElementById(mapEl.dataset.latInput);
  var lonInput = document.getElementById(mapEl.dataset.lonInput);
  if (!latInput || !lonInput) { return; }
  var pointsNode = document.getElementById(mapEl.dataset.pointsId);
  var points = pointsNode ? JSON.parse(pointsNode.textContent) : [];
  mapEl.hidden = false;
  var map = L.map(mapEl, { keyboard: true });
  L.tileLayer("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19, attribution: "&copy; OpenStreetMap"
  }).addTo(map);
  var bounds = [];
  points.forEach(function (p) {
    L.circleMarker([p.lat, p.lon], { radius: 5, color: "#5c6f82" })
      .bindTooltip(p.label).addTo(map);
    bounds.push([p.lat, p.lon]);
  });
  var marker = null;

  function current() {
    var lat = parseFloat(latInput.value.replace(",", "."));
    var lon = parseFloat(lonInput.value.replace(",", "."));
    return isNaN(lat) || isNaN(lon) ? null : [lat, lon];
  }
  function place(latlng) {
    if (marker) { marker.setLatLng(latlng); }
    else { marker = L.marker(latlng, { keyboard: false }).addTo(map); }
  }
  function choose(latlng) {
    latInput.value = latlng.lat.toFixed(6);
    lonInput.value = latlng.lng.toFixed(6);
    place(latlng);
  }

  var start = current();
  if (start) { place(start); map.setView(start, 17); }
  else if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20] }); }
  else { map.setView([45.46, 9.19], 13); }

  map.on("click", function (event) { choose(event.latlng); });
  mapEl.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target === mapEl) {
      event.preventDefault();
      choose(map.getCenter());
    }
  });
  [latInput, lonInput].forEach(function (input) {
    input.addEventListener("change", function () {
      var point = current();
      if (point) { place(point); map.panTo(point); }
    });
  });
}());
