// Territory workspace map: the perimeter, the establishments (one compact GeoJSON request, clustered)
// and the synergy links coloured and dashed by status. Filters re-request the points server-side.
(function () {
  "use strict";
  var element = document.getElementById("workspace-map");
  var configNode = document.getElementById("map-config");
  if (!element || !configNode || !window.L || !window.Tremplin) { return; }
  var config = JSON.parse(configNode.textContent);
  var labels = config.labels;
  var form = document.getElementById("map-filters");
  var status = document.getElementById("map-status");
  // Popups are DOM nodes whose strings are text: names come from users and imports.
  var el = Tremplin.el;

  function urlFor(template, id) { return template.replace(/\/0\/$/, "/" + Number(id) + "/"); }
  function number(value) { return Math.round(value).toLocaleString("fr-FR"); }

  var map = L.map(element, { scrollWheelZoom: false, preferCanvas: true });
  Tremplin.addTiles(map);

  var perimeter = L.geoJSON(null, {
    filter: function (feature) { return feature.properties.layer === "perimeter"; },
    style: { color: "#0b5d4b", weight: 3, fill: false },
    interactive: false
  }).addTo(map);
  // Synergy links above the establishments and their cluster icons (marker pane: 600), below popups.
  map.createPane("synergies").style.zIndex = 620;
  var linkRenderer = L.svg({ pane: "synergies" });
  var clusters = L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false });
  clusters.addTo(map);
  // Synergies in SVG (not canvas): each link is a path a test or a screen reader can find.
  var synergies = L.geoJSON(null, {
    pane: "synergies",
    renderer: linkRenderer,
    style: function (feature) {
      var style = config.styles[feature.properties.status] || {};
      return {
        color: style.colour, weight: style.width, dashArray: style.dash_array || null, opacity: 0.95,
        className: "synergy-link synergy-" + feature.properties.kind + " status-" + feature.properties.status
      };
    },
    pointToLayer: function (feature, latlng) {
      var style = config.styles[feature.properties.status] || {};
      return L.circleMarker(latlng, { pane: "synergies", renderer: linkRenderer, radius: 8, color: style.colour, weight: 3, fill: false });
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      var style = config.styles[p.status] || {};
      layer.bindPopup(function () {
        var members = p.participants.map(function (x) {
          return el("li", null, [x.name + " (" + (labels.roles[x.role] || x.role) + ")"]);
        });
        return el("div", null, [
          el("strong", null, [p.resource_label]), el("br"),
          (labels.kinds[p.kind] || p.kind) + " — " + (style.label || p.status),
          el("ul", { "class": "mb-1 ps-3" }, members),
          labels.gain + " : " + number(p.gain_eur_per_year) + " €/" + labels.year + " ",
          el("span", { "class": "small" }, ["(" + (labels.bases[p.basis] || p.basis) + ")"]), el("br"),
          el("a", { href: urlFor(config.synergy, feature.id) }, [labels.openSynergy])
        ]);
      });
    }
  }).addTo(map);

  // Heat networks: their traces (lines) or, without a published trace, their position (a ring). In SVG,
  // like the synergies, so that each trace is an element a test or a screen reader can find.
  var heatRenderer = L.svg();
  var heatNetworks = L.geoJSON(null, {
    renderer: heatRenderer,
    style: { color: "#c0392b", weight: 4, opacity: 0.8, className: "heat-network-trace" },
    pointToLayer: function (feature, latlng) {
      return L.circleMarker(latlng, {
        renderer: heatRenderer, radius: 7, color: "#c0392b", weight: 3, fill: false, className: "heat-network-point"
      });
    },
    onEachFeature: function (feature, layer) {
      var p = feature.properties;
      layer.bindPopup(function () {
        return el("div", null, [
          el("strong", null, [p.name]), " (" + p.identifier + ")",
          p.operator ? el("br") : null, p.operator ? labels.heatNetworkOperator + " " + p.operator : null,
          el("br"),
          labels.heatNetworkDeliveries + " : " + (p.deliveries_mwh === null ? "—" : number(p.deliveries_mwh) + " MWh/" + labels.year),
          p.has_trace ? null : el("br"), p.has_trace ? null : labels.heatNetworkNoTrace,
          el("br"), el("span", { "class": "small" }, [p.source]), el("br"),
          el("a", { href: urlFor(config.establishment, feature.id) }, [labels.openEstablishment])
        ]);
      });
    }
  }).addTo(map);

  L.control.layers(null, (function () {
    var overlays = {};
    // Leaflet writes these names as HTML.
    overlays[Tremplin.escapeHtml(labels.establishments)] = clusters;
    overlays[Tremplin.escapeHtml(labels.synergies)] = synergies;
    overlays[Tremplin.escapeHtml(labels.perimeter)] = perimeter;
    overlays[Tremplin.escapeHtml(labels.heatNetworks)] = heatNetworks;
    return overlays;
  })(), { collapsed: false }).addTo(map);

  var counts = { points: 0, synergies: 0 };
  function announce() {
    status.textContent = labels.shown.replace("%(points)s", counts.points).replace("%(synergies)s", counts.synergies);
  }

  function pointPopup(feature) {
    var p = feature.properties;
    return el("div", null, [
      el("strong", null, [p.n]),
      p.d ? " " : null, p.d ? el("span", { "class": "badge demo-badge" }, [labels.demo]) : null,
      el("br"),
      labels.section + " " + p.s + " · " + (labels.engagement[p.e] || p.e),
      p.b ? el("br") : null, p.b ? labels.flowBases[p.b] : null,
      el("br"),
      el("a", { href: urlFor(config.establishment, feature.id) }, [labels.openEstablishment])
    ]);
  }

  function query() {
    if (!form) { return ""; }
    var params = new URLSearchParams(new FormData(form));
    params.forEach(function (value, key) { if (!value) { params.delete(key); } });
    return params.toString();
  }

  function loadPoints() {
    var q = query();
    element.setAttribute("aria-busy", "true");
    return fetch(config.points + (q ? "?" + q : ""), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        clusters.clearLayers();
        var markers = data.features.map(function (feature) {
          var c = feature.geometry.coordinates;
          var marker = L.circleMarker([c[1], c[0]], {
            radius: 6, weight: 1, color: "#ffffff", fillColor: feature.properties.b === "estimated" ? "#b07400" : "#2f4a57",
            fillOpacity: 0.9
          });
          marker.bindPopup(function () { return pointPopup(feature); });
          return marker;
        });
        clusters.addLayers(markers);
        counts.points = markers.length;
        element.dataset.points = String(markers.length);
        element.removeAttribute("aria-busy");
        announce();
      });
  }

  var perimeterLoaded = fetch(config.perimeter, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      perimeter.addData(data);
      if (perimeter.getBounds().isValid()) { map.fitBounds(perimeter.getBounds()); }
      else { map.setView([49.5, 0.5], 9); }
    });
  var synergiesLoaded = fetch(config.synergies, { credentials: "same-origin" })
    .then(function (response) { return response.json(); })
    .then(function (data) {
      synergies.addData(data);
      counts.synergies = data.features.length;
      element.dataset.synergies = String(data.features.length);
    });
  // Asked for once the other layers are in: one request fewer at a time on the server.
  function loadHeatNetworks() {
    if (!config.heatNetworks) { return Promise.resolve(); }
    return fetch(config.heatNetworks, { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        heatNetworks.addData(data);
        element.dataset.heatNetworks = String(data.features.length);
      });
  }
  Promise.all([perimeterLoaded, synergiesLoaded, loadPoints()]).then(loadHeatNetworks).then(function () {
    synergies.bringToFront();
    element.dataset.loaded = "true";
    announce();
  });

  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var q = query();
      history.replaceState(null, "", q ? "?" + q : window.location.pathname);
      loadPoints();
    });
    form.addEventListener("change", function () { form.requestSubmit(); });
  }
})();
