// Background-job progress (templates/includes/job_progress.html): an element with
// data-progress-url polls that URL, answered by matis.common.jobs.job_status_response:
// {"status", "status_label", "phase", "done", "total", "progress": 0..1, "message",
// "finished": bool}. It updates its <progress> bar and text; when the job finishes
// the page reloads.
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
          box.dataset.jobStatus = job.status || "";
          if (bar) { bar.value = Math.round((job.progress || 0) * 100); }
          if (text) { text.textContent = job.message || job.status_label || ""; }
          if (job.finished) { window.location.reload(); } else { window.setTimeout(poll, 1000); }
        })
        .catch(function () { window.setTimeout(poll, 3000); });
    }
    poll();
  });
})();
