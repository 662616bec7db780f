/* Loaded by base.html on every page, before the page's own scripts.

   The Content-Security-Policy allows no inline script, no on* handler and no style attribute, so the
   few behaviours templates used to write inline live here, keyed on data- attributes. It also gives
   the map scripts one way to put strings in a page: DOM nodes whose text is text, never markup
   (Leaflet inserts a tooltip or popup given as a string as HTML). */
(function () {
  "use strict";

  var FORBIDDEN_ATTRIBUTE = /^(on|style$|srcdoc$)/i;
  var SAFE_URL = /^(\/(?!\/)|#|\?)/; // same-site paths only: no javascript:, data: or other origin

  /* el("a", {href: "/x/", class: "small"}, ["text", otherNode]): children that are not nodes become
     text nodes, attributes are set one by one (event handlers, styles and off-site links refused). */
  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) { return; }
      if (FORBIDDEN_ATTRIBUTE.test(name)) { throw new Error("el(): attribute not allowed: " + name); }
      if ((name === "href" || name === "src") && !SAFE_URL.test(String(value))) { return; }
      node.setAttribute(name, value === true ? "" : String(value));
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === "") { return; }
      node.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  // A tooltip or popup content that shows ``value`` literally.
  function text(value) {
    return el("span", null, [value === null || value === undefined ? "" : String(value)]);
  }

  // For the rare Leaflet option that only takes HTML (the layer control's names).
  function escapeHtml(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  /* The base map. Its origin is the only image source the Content-Security-Policy allows besides
     ourselves (settings.MAP_TILES_ORIGIN): change both together. */
  var TILES_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png";
  function addTiles(map) {
    return window.L.tileLayer(TILES_URL, {
      maxZoom: 19,
      attribution: "&copy; OpenStreetMap contributors"
    }).addTo(map);
  }

  window.Tremplin = { el: el, text: text, escapeHtml: escapeHtml, addTiles: addTiles };

  // <select data-autosubmit> sends its form when changed (the language switch).
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("[data-autosubmit]") || !field.form) { return; }
    if (field.form.requestSubmit) { field.form.requestSubmit(); } else { field.form.submit(); }
  });

  /* Bars: data-share="42.5%" sets the CSS variable --share (CSSOM, which the policy allows, where a
     style attribute would be refused). Also on content htmx swaps in (detection progress). */
  var SHARE = /^\d{1,3}(\.\d+)?%$/;
  function applyShares(root) {
    if (!root || !root.querySelectorAll) { return; }
    var nodes = Array.prototype.slice.call(root.querySelectorAll("[data-share]"));
    if (root.matches && root.matches("[data-share]")) { nodes.push(root); }
    nodes.forEach(function (node) {
      if (SHARE.test(node.dataset.share)) { node.style.setProperty("--share", node.dataset.share); }
    });
  }
  applyShares(document);

  // <button data-copy="field-id"> copies the field's value (the calendar feed address); the field stays
  // selectable by hand where the clipboard is refused.
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-copy]");
    if (!button) { return; }
    var field = document.getElementById(button.dataset.copy);
    if (!field) { return; }
    field.select();
    var done = function () { button.textContent = button.dataset.copied || button.textContent; };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(field.value).then(done, function () {});
    } else if (document.execCommand && document.execCommand("copy")) { done(); }
  });
  document.addEventListener("htmx:load", function (event) { applyShares(event.target); });
})();
