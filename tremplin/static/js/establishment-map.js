// Establishment map: one marker (or, for an approximate location, a circle around the commune point).
// The name is shown as text (Tremplin.text): Leaflet would insert a string tooltip as HTML.
(function () {
  "use strict";
  var element = document.getElementById("establishment-map");
  if (!element || !window.L || !window.Tremplin) { return; }
  var lat = parseFloat(element.dataset.lat), lon = parseFloat(element.dataset.lon);
  if (isNaN(lat) || isNaN(lon)) { return; }
  var map = L.map(element, { scrollWheelZoom: false }).setView([lat, lon], 14);
  Tremplin.addTiles(map);
  var name = function () { return Tremplin.text(element.dataset.name); };
  if (element.dataset.precision === "commune") {
    L.circle([lat, lon], { radius: 600, color: "#b26b00", dashArray: "4 4", fillOpacity: 0.1 })
      .addTo(map).bindTooltip(name);
    map.setZoom(13);
  } else {
    L.circleMarker([lat, lon], { radius: 8, color: "#0b5d4b", weight: 2, fillColor: "#0b5d4b", fillOpacity: 0.8 })
      .addTo(map).bindTooltip(name);
  }
  element.dataset.loaded = "1";
})();
