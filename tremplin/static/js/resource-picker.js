/* Resource picker: the catalogue search (htmx) fills the resource <select>, the unit when empty, and
   hands the focus to the quantity. Without JavaScript the <select> alone does the job. */
(function () {
  "use strict";

  function formOf(element) {
    return element.closest("form") || document;
  }

  function fillUnit(form, unit) {
    var input = form.querySelector("input[name='unit']");
    if (input && (!input.value || input.dataset.autoUnit === "1")) {
      input.value = unit;
      input.dataset.autoUnit = "1";
    }
  }

  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-resource-code]");
    if (!option) return;
    var picker = option.closest("[data-resource-picker]");
    var form = formOf(option);
    var select = picker.querySelector("select[name='resource']");
    select.value = option.dataset.resourceCode;
    fillUnit(form, option.dataset.resourceUnit);
    var search = picker.querySelector("input[type='search']");
    search.value = option.dataset.resourceLabel;
    picker.querySelector(".resource-results").replaceChildren();
    var quantity = form.querySelector("input[name='quantity']");
    if (quantity) quantity.focus();
  });

  document.addEventListener("change", function (event) {
    var select = event.target;
    if (select.name !== "resource" || !select.closest("[data-resource-picker]")) return;
    var label = select.options[select.selectedIndex] ? select.options[select.selectedIndex].text : "";
    var match = label.match(/\(([^()]+)\)\s*$/);
    if (match) fillUnit(formOf(select), match[1]);
  });

  document.addEventListener("input", function (event) {
    if (event.target.name === "unit") event.target.dataset.autoUnit = "";
  });

  // Enter in the search box must not submit the form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.matches("[data-resource-picker] input[type='search']")) {
      event.preventDefault();
    }
  });
})();
