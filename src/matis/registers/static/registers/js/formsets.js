// "Add a row" for inline formsets: clones the formset's empty form (CSP-safe, no inline code).
(function () {
  "use strict";
  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var prefix = button.dataset.addRow;
    var template = document.querySelector('template[data-empty-form="' + prefix + '"]');
    var body = document.querySelector('table[data-formset="' + prefix + '"] tbody');
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    if (!template || !body || !total) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      body.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
    });
  });
})();
