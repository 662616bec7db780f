// Territory map: the EPCI perimeter and its communes, loaded as one GeoJSON request.
(function () {
  "use strict";
  var element = document.getElementById("territory-map");
  if (!element || !window.L || !window.Tremplin) { return; }
  var map = L.map(element, { scrollWheelZoom: false });
  Tremplin.addTiles(map);
  fetch(element.dataset.geojsonUrl, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      var communes = L.geoJSON(data, {
        filter: function (feature) { return feature.properties.layer === "commune"; },
        style: { color: "#5b6b73", weight: 1, fillColor: "#9fc5b8", fillOpacity: 0.25 },
        onEachFeature: function (feature, layer) {
          var p = feature.properties;
          layer.bindTooltip(function () {
            return Tremplin.text(p.name + " (" + p.insee_code + ") — " + Number(p.population).toLocaleString("fr-FR") + " hab.");
          });
        }
      }).addTo(map);
      var perimeter = L.geoJSON(data, {
        filter: function (feature) { return feature.properties.layer === "perimeter"; },
        style: { color: "#0b5d4b", weight: 3, fill: false }
      }).addTo(map);
      var bounds = perimeter.getBounds().isValid() ? perimeter.getBounds() : communes.getBounds();
      if (bounds.isValid()) { map.fitBounds(bounds); }
      element.dataset.loaded = String(data.features.length);
    });
})();
