// Potential of territories: EPCIs coloured by the figure the page chose. The server computes the
// classes, colours and the figures as read in the page's language; this script only paints them. Every
// string from the data goes in as text (Tremplin.el / Tremplin.text), never as markup.
(function () {
  "use strict";
  var element = document.getElementById("potential-map");
  var configNode = document.getElementById("potential-map-config");
  if (!element || !configNode || !window.L || !window.Tremplin) { return; }
  var config = JSON.parse(configNode.textContent);
  var status = document.getElementById("potential-map-status");
  var legendNode = document.getElementById("potential-map-legend");
  var el = Tremplin.el;

  var map = L.map(element, { scrollWheelZoom: false });
  Tremplin.addTiles(map);
  map.setView([46.6, 2.4], 5); // metropolitan France until the EPCIs are loaded

  function showLegend(entries) {
    while (legendNode.firstChild) { legendNode.removeChild(legendNode.firstChild); }
    entries.forEach(function (entry) {
      var swatch = el("span", { "class": "legend-swatch", "aria-hidden": "true", "data-colour": entry.colour });
      swatch.style.setProperty("--swatch", entry.colour); // CSSOM: allowed by the policy
      legendNode.appendChild(el("li", { "data-class": entry["class"] === null ? "none" : entry["class"] }, [swatch, " ", entry.label]));
    });
  }

  function format(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_m, name) { return String(values[name]); });
  }

  fetch(config.data, { credentials: "same-origin" })
    .then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.json();
    })
    .then(function (data) {
      var layer = L.geoJSON(data, {
        style: function (feature) {
          return { color: "#4d5b61", weight: 1, fillColor: feature.properties.colour, fillOpacity: 0.8 };
        },
        onEachFeature: function (feature, shape) {
          var p = feature.properties;
          shape.bindTooltip(function () {
            return el("span", null, [el("strong", null, [p.name]), " (" + p.siren + ")", el("br"), p.display]);
          });
        }
      }).addTo(map);
      if (layer.getBounds().isValid()) { map.fitBounds(layer.getBounds()); }
      showLegend(data.legend);
      status.textContent = format(config.labels.drawn, { drawn: data.features.length, missing: data.without_geometry });
      element.dataset.loaded = String(data.features.length);
    })
    .catch(function () {
      status.textContent = config.labels.failed;
      element.dataset.loaded = "error";
    });
})();
