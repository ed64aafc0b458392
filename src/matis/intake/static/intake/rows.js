/* Person rows of a group registration: add rows, and paste rows from a spreadsheet.
   Pasted text (tab-separated columns, one person per line) fills the rows from the
   cell it is pasted into: name, sex, age, date of birth, nationality, language. */
(function () {
  "use strict";
  var table = document.querySelector("table[data-rows] tbody");
  var counter = document.querySelector("input[data-row-count]");
  if (!table || !counter) { return; }
  var COLUMNS = ["name", "sex", "age", "date_of_birth", "nationality", "language"];

  function addRows(n) {
    var template = table.rows[table.rows.length - 1];
    for (var k = 0; k < n; k++) {
      var index = table.rows.length;
      var row = template.cloneNode(true);
      row.querySelector("td.n").textContent = String(index + 1);
      row.querySelectorAll("input, select").forEach(function (el) {
        el.name = el.name.replace(/-\d+$/, "-" + index);
        if (el.type === "checkbox") { el.checked = false; } else { el.value = ""; }
      });
      table.appendChild(row);
    }
    counter.value = String(table.rows.length);
  }

  function setCell(rowIndex, key, value) {
    var el = table.querySelector("[name='" + key + "-" + rowIndex + "']");
    if (!el) { return; }
    if (el.tagName === "SELECT") {
      var wanted = value.trim().toUpperCase();
      for (var i = 0; i < el.options.length; i++) {
        if (el.options[i].value.toUpperCase() === wanted) { el.selectedIndex = i; return; }
      }
    } else {
      el.value = value.trim();
    }
  }

  table.addEventListener("paste", function (event) {
    var target = event.target;
    if (!target.name || !/^name-\d+$/.test(target.name)) { return; }
    var text = (event.clipboardData || window.clipboardData).getData("text");
    if (text.indexOf("\t") < 0 && text.indexOf("\n") < 0) { return; }
    event.preventDefault();
    var lines = text.replace(/\r/g, "").split("\n").filter(function (l) { return l.trim(); });
    var start = parseInt(target.name.split("-")[1], 10);
    var missing = start + lines.length - table.rows.length;
    if (missing > 0) { addRows(missing); }
    lines.forEach(function (line, offset) {
      line.split("\t").forEach(function (value, column) {
        if (column < COLUMNS.length) { setCell(start + offset, COLUMNS[column], value); }
      });
    });
  });

  document.querySelectorAll("[data-add-rows]").forEach(function (button) {
    button.addEventListener("click", function () {
      addRows(parseInt(button.getAttribute("data-add-rows"), 10));
    });
  });
})();
