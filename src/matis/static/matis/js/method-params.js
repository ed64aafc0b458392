// Shows only the parameter fieldset of the chosen method (all are shown without JS).
(function () {
  "use strict";
  const select = document.querySelector("#analysis-form select[name=kind]");
  if (!select) { return; }
  function update() {
    document.querySelectorAll("fieldset.method-params").forEach(function (fs) {
      fs.hidden = fs.dataset.method !== select.value;
    });
  }
  select.addEventListener("change", update);
  update();
})();
