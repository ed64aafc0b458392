// The province map beside a province select (matis/common/map_picker.py): shown only
// with JavaScript; a click on a province sets the select and fires "change" (so that
// the district select narrows). Where the select is narrowed by a country select, the
// map of the country chosen is shown. The select stays the accessible control; the map
// is aria-hidden.
(function () {
  "use strict";
  document.querySelectorAll(".province-map[data-map-for]").forEach(function (box) {
    var select = document.getElementById(box.dataset.mapFor);
    if (!select) { return; }
    var maps = box.querySelectorAll("svg[data-country]");
    var country = select.form && select.dataset.narrowedBy
      ? select.form.elements[select.dataset.narrowedBy] : null;

    function countryOf(code) {
      var option = code && select.querySelector('option[value="' + code + '"]');
      return option ? option.dataset.country : "";
    }
    function show() {
      var wanted = (country && country.value) || countryOf(select.value);
      var shown = false;
      maps.forEach(function (svg) {
        var on = maps.length === 1 || svg.dataset.country === wanted;
        svg.classList.toggle("is-hidden", !on);
        shown = shown || on;
      });
      box.hidden = !shown;
    }
    function mark() {
      box.querySelectorAll("path[data-province]").forEach(function (path) {
        path.classList.toggle("is-selected", path.dataset.province === select.value);
      });
    }
    box.addEventListener("click", function (event) {
      var path = event.target.closest("path[data-province]");
      if (!path) { return; }
      var option = select.querySelector('option[value="' + path.dataset.province + '"]');
      if (!option || option.disabled) { return; }
      select.value = path.dataset.province;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    });
    select.addEventListener("change", function () { mark(); show(); });
    if (country) { country.addEventListener("change", show); }
    mark();
    show();
  });
})();
