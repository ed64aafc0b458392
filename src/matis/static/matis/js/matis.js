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
// A select narrowed to the choice of its partner select (data-narrowed-by="<name of
// the partner field>"): provinces by country (options carry data-country), districts
// by province (options carry data-parent). A cleared choice tells its own narrowed
// selects (province -> district). Without JavaScript all are listed.
(function () {
  "use strict";
  document.querySelectorAll("select[data-narrowed-by]").forEach(function (select) {
    var partner = select.form && select.form.elements[select.dataset.narrowedBy];
    if (!partner) { return; }
    function narrow() {
      var cleared = false;
      Array.prototype.forEach.call(select.options, function (option) {
        var parent = option.dataset.parent || option.dataset.country;
        var other = parent && partner.value && parent !== partner.value;
        option.hidden = !!other;
        option.disabled = !!other;
        if (other && option.selected) { select.value = ""; cleared = true; }
      });
      if (cleared) { select.dispatchEvent(new Event("change")); }
    }
    partner.addEventListener("change", narrow);
    narrow();
  });
})();
// The main menu collapses behind its button on narrow screens (the CSS hides the list
// there unless the menu is open). The button is a <button>: Enter and Space open it;
// Escape closes it and gives the focus back to the button.
(function () {
  "use strict";
  var nav = document.querySelector(".main-nav");
  var button = nav && nav.querySelector(".nav-toggle");
  if (!button) { return; }
  function set(open) {
    nav.classList.toggle("is-open", open);
    button.setAttribute("aria-expanded", open ? "true" : "false");
  }
  button.addEventListener("click", function () {
    set(button.getAttribute("aria-expanded") !== "true");
  });
  nav.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
      set(false);
      button.focus();
    }
  });
})();
