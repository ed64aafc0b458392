// Small progressive enhancements; every page works without them.
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  // A select that submits its form when a choice is made with the mouse or touch.
  // From the keyboard, arrow keys only move the choice (WCAG 3.2.2: no change of
  // context on input): the form's button appears and Enter submits.
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    var initial = select.value;
    var keyboard = false;
    var button = select.form.querySelector("button[type=submit]");
    select.addEventListener("pointerdown", function () { keyboard = false; });
    select.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        if (select.value !== initial) {
          event.preventDefault();
          select.form.submit();
        }
        return;
      }
      if (event.key !== "Tab") { keyboard = true; }
    });
    select.addEventListener("change", function () {
      if (!keyboard) {
        select.form.submit();
      } else if (button) {
        button.classList.remove("js-hidden");
      }
    });
  });
})();
