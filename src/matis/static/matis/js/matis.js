// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });
})();
// A province select narrowed to the country chosen in its partner select
// (data-narrowed-by="<name of the country field>"); without JavaScript all are listed.
(function () {
  "use strict";
  document.querySelectorAll("select[data-narrowed-by]").forEach(function (select) {
    var country = select.form && select.form.elements[select.dataset.narrowedBy];
    if (!country) { return; }
    function narrow() {
      Array.prototype.forEach.call(select.options, function (option) {
        var other = option.dataset.country && country.value && option.dataset.country !== country.value;
        option.hidden = !!other;
        option.disabled = !!other;
        if (other && option.selected) { select.value = ""; }
      });
    }
    country.addEventListener("change", narrow);
    narrow();
  });
})();
