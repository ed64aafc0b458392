// Renders every <script type="application/json" class="vega-spec" data-target="ID">
// as a Vega-Lite chart in the element with that id. CSP-safe: the expression
// interpreter replaces eval, and charts draw on canvas (no inline styles).
import { expressionInterpreter } from "../../vendor/vega/vega-interpreter.js";

function renderAll() {
  document.querySelectorAll("script.vega-spec").forEach(function (node) {
    const target = document.getElementById(node.dataset.target);
    if (!target) { return; }
    const spec = JSON.parse(node.textContent);
    globalThis.vegaEmbed(target, spec, {
      actions: false,
      renderer: "canvas",
      defaultStyle: false,
      tooltip: { disableDefaultStyle: true },
      ast: true,
      expr: expressionInterpreter,
    }).then(function () {
      target.dataset.rendered = "true";
    }).catch(function (error) {
      target.dataset.rendered = "error";
      target.textContent = "Chart could not be drawn: " + error.message;
    });
  });
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", renderAll);
} else {
  renderAll();
}
