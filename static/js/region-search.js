// Region pickers (tongchou.regions.forms.RegionField): as a person types a name, the input's
// datalist is filled from the search endpoint; a picked entry reads "长胜街道（640202001）".
// Loaded once per page whatever the number of pickers (the widget adds this file each time).
(function () {
  "use strict";
  if (window.tcRegionSearch) return;
  window.tcRegionSearch = true;

  var PICKED = /[（(]\s*\d{2,12}\s*[）)]\s*$/;
  var timers = new WeakMap();

  function fill(input) {
    var value = input.value.trim();
    var list = document.getElementById(input.getAttribute("list"));
    // A picked label, nothing yet, or something no division is called (long digit runs could
    // be personal numbers typed into the wrong box: never sent).
    if (!list || !value || PICKED.test(value) || /\d{13,}/.test(value)) return;
    var url = input.getAttribute("data-tc-region-search") + "?q=" + encodeURIComponent(value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (input.value.trim() !== value) return; // typed on meanwhile
        list.textContent = "";
        data.results.forEach(function (region) {
          var option = document.createElement("option");
          option.value = region.label;
          option.textContent = region.path;
          list.appendChild(option);
        });
      })
      .catch(function () { /* the field still takes a name or a code */ });
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.hasAttribute("data-tc-region-search")) return;
    clearTimeout(timers.get(input));
    timers.set(input, setTimeout(function () { fill(input); }, 200));
  });
})();
