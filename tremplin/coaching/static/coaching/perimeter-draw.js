// W2 perimeter: the territory's map, its activity zones, and a plain click-to-add-vertex drawing tool.
// The drawn zones are written, as a GeoJSON FeatureCollection, into the form's zones_geojson field.
(function () {
  "use strict";
  var element = document.getElementById("perimeter-map");
  if (!element || !window.L || !window.Tremplin) { return; }
  var field = document.getElementById("id_zones_geojson");
  var zonesData = JSON.parse(document.getElementById("perimeter-zones").textContent || "null");
  var collection = zonesData && zonesData.features ? zonesData : { type: "FeatureCollection", features: [] };

  var map = L.map(element, { scrollWheelZoom: false });
  Tremplin.addTiles(map);
  var zoneStyle = { color: "#b45309", weight: 2, fillColor: "#f2a900", fillOpacity: 0.35 };
  var zonesLayer = L.geoJSON(null, {
    style: zoneStyle,
    // Zone names come from the pasted GeoJSON: shown as text (Leaflet inserts strings as HTML).
    onEachFeature: function (feature, layer) {
      layer.bindTooltip(function () { return Tremplin.text((feature.properties || {}).name || ""); });
    }
  }).addTo(map);

  function redrawZones() {
    zonesLayer.clearLayers();
    zonesLayer.addData(collection);
    if (field) {
      field.value = collection.features.length ? JSON.stringify(collection) : "";
    }
    element.dataset.zones = String(collection.features.length);
  }

  fetch(element.dataset.geojsonUrl, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      L.geoJSON(data, {
        filter: function (f) { return f.properties.layer === "commune"; },
        style: { color: "#5b6b73", weight: 1, fillColor: "#9fc5b8", fillOpacity: 0.15 },
        onEachFeature: function (f, layer) {
          layer.bindTooltip(function () { return Tremplin.text(f.properties.name); });
        }
      }).addTo(map);
      var perimeter = L.geoJSON(data, {
        filter: function (f) { return f.properties.layer === "perimeter"; },
        style: { color: "#0b5d4b", weight: 3, fill: false }
      }).addTo(map);
      if (perimeter.getBounds().isValid()) { map.fitBounds(perimeter.getBounds()); }
      redrawZones();
      zonesLayer.bringToFront();
      element.dataset.loaded = "1";
    });

  if (element.dataset.editable !== "1") { return; }
  var start = document.getElementById("draw-start");
  var finish = document.getElementById("draw-finish");
  var clear = document.getElementById("draw-clear");
  var vertices = [];
  var sketch = null;
  var drawing = false;

  function resetSketch() {
    vertices = [];
    if (sketch) { map.removeLayer(sketch); sketch = null; }
  }

  start.addEventListener("click", function () {
    drawing = true;
    resetSketch();
    start.disabled = true;
    finish.disabled = false;
    element.classList.add("drawing");
    var zonesRadio = document.querySelector('input[name="mode"][value="zones"]');
    if (zonesRadio) { zonesRadio.checked = true; }
  });

  map.on("click", function (event) {
    if (!drawing) { return; }
    vertices.push([event.latlng.lng, event.latlng.lat]);
    var latlngs = vertices.map(function (v) { return [v[1], v[0]]; });
    if (sketch) { map.removeLayer(sketch); }
    sketch = L.polygon(latlngs, zoneStyle).addTo(map);
    element.dataset.vertices = String(vertices.length);
  });

  finish.addEventListener("click", function () {
    if (vertices.length >= 3) {
      var ring = vertices.concat([vertices[0]]);
      collection.features.push({
        type: "Feature",
        geometry: { type: "Polygon", coordinates: [ring] },
        properties: { name: "Zone " + (collection.features.length + 1) }
      });
      redrawZones();
    }
    drawing = false;
    resetSketch();
    start.disabled = false;
    finish.disabled = true;
    element.classList.remove("drawing");
  });

  clear.addEventListener("click", function () {
    collection = { type: "FeatureCollection", features: [] };
    redrawZones();
  });
})();
