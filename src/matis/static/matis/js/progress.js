// Background-job progress: an element with data-progress-url polls that URL for
// {"progress": 0..1, "status": "...", "message": "...", "finished": bool} and
// updates its <progress> bar and text; when the job finishes the page reloads.
(function () {
  "use strict";
  document.querySelectorAll("[data-progress-url]").forEach(function (box) {
    const bar = box.querySelector("progress");
    const text = box.querySelector("[data-progress-text]");
    const url = box.dataset.progressUrl;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (job) {
          if (bar) { bar.value = Math.round((job.progress || 0) * 100); }
          if (text) { text.textContent = job.message || job.status || ""; }
          if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  });
})();
