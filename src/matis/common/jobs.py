"""Background jobs: one status set, one progress model, one status payload, stale-job recovery.

A model whose rows are run by a ``django_tasks`` task inherits
:class:`BackgroundJob` (an abstract model) and gets:

- ``status``, one of :class:`JobStatus` (queued, running, done, rejected, failed);
- ``phase`` (a key of the model's ``PHASE_LABELS``, or a text shown as written),
  ``done`` and ``total``: progress is always "done of total" in the phase; a job
  that only knows a percentage reports ``total=100``;
- ``started_at``, ``finished_at``, ``progress_at`` (the last progress write, the
  heartbeat that :func:`jobs_fail_stale` reads) and ``error``.

The task drives it with ``job.start()``, ``job.report_progress(phase=, done=, total=)``
and ``job.finish(status, error=..., **fields)``. Each of these is one short
``UPDATE`` of the job's row; progress written while the task holds a long
transaction (an import writing thousands of rows) goes through a connection of
its own on PostgreSQL, so the page polling the job sees it at once (see
``_write_progress``).

The page shows it with ``templates/includes/job_progress.html`` (``with job=...
url=...``), which polls a view answering :func:`job_status_response`
(``static/matis/js/progress.js``).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any, ClassVar

from django.apps import apps
from django.db import DatabaseError, connections, models, router
from django.db.models import Q
from django.db.models.sql import UpdateQuery
from django.db.models.sql.constants import ROW_COUNT
from django.http import JsonResponse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.5  # seconds between two progress writes within one phase
SIDE_LOCK_TIMEOUT_MS = 1000  # a progress write never waits longer than this for the row


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    # The job refused its input (a user's error, e.g. a file with bad rows): nothing was written.
    REJECTED = "rejected", _("Rejected: nothing was written")
    # Something went wrong on our side (an exception, a crashed worker).
    FAILED = "failed", _("Failed")


FINISHED_STATUSES = frozenset({JobStatus.DONE, JobStatus.REJECTED, JobStatus.FAILED})
PROGRESS_FIELDS = ("phase", "done", "total", "progress_at")
JOB_STATUS_FIELDS = ("status", "phase", "done", "total")  # what job_status_payload reads


class BackgroundJob(models.Model):
    """A row that a background task runs; see the module docstring."""

    # Phase key -> (lazy) label shown to the reader, in the reader's language.
    PHASE_LABELS: ClassVar[dict[str, Any]] = {}

    status = models.CharField(
        _("status"), max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    phase = models.CharField(_("phase"), max_length=200, blank=True)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    progress_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        abstract = True

    # --- reading -----------------------------------------------------------------

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def progress(self) -> float:
        """0..1: done of total in the current phase (1 once done)."""
        if self.status == JobStatus.DONE:
            return 1.0
        if not self.total:
            return 0.0
        return min(1.0, self.done / self.total)

    @property
    def percent(self) -> int:
        return round(self.progress * 100)

    def phase_label(self) -> str:
        label = self.PHASE_LABELS.get(self.phase)
        return str(label) if label is not None else self.phase

    @property
    def progress_message(self) -> str:
        """What the job is doing now, for the reader; empty once it has finished."""
        if self.status == JobStatus.QUEUED:
            return gettext("Waiting for the background worker to start.")
        if self.is_finished:
            return ""
        return self.phase_label()

    # --- writing (called by the task) -------------------------------------------

    def start(self, *, phase: str = "") -> None:
        """Mark the job running, from the beginning of ``phase``."""
        now = timezone.now()
        self._write(
            status=JobStatus.RUNNING,
            started_at=now,
            progress_at=now,
            finished_at=None,
            error="",
            phase=phase,
            done=0,
            total=0,
        )
        self._progress_phase = None  # the first report after the start is always written

    def report_progress(self, *, phase: str, done: int, total: int) -> None:
        """Record progress: ``done`` of ``total`` in ``phase``.

        Writes at most every ``PROGRESS_INTERVAL`` seconds within a phase; a new
        phase and the end of a phase (``done >= total``) are always written.
        """
        self.phase, self.done, self.total = phase[:200], max(done, 0), max(total, 0)
        now = time.monotonic()
        last_phase = getattr(self, "_progress_phase", None)
        last = getattr(self, "_progress_written", 0.0)
        if phase == last_phase and now - last < PROGRESS_INTERVAL and done < total:
            return
        self._progress_phase, self._progress_written = phase, now
        self.progress_at = timezone.now()
        values = {name: getattr(self, name) for name in PROGRESS_FIELDS}
        _write_progress(self, values)

    def finish(self, status: str, *, error: str = "", **fields: Any) -> None:
        """Record the outcome, with the model's own result ``fields`` in the same write."""
        if status not in FINISHED_STATUSES:
            raise ValueError(f"{str(status)!r} is not a finished status")
        if status == JobStatus.DONE and self.total:
            fields.setdefault("done", self.total)
        self._write(status=status, error=error, finished_at=timezone.now(), **fields)

    def _write(self, **values: Any) -> None:
        for name, value in values.items():
            setattr(self, name, value)
        self.save(update_fields=list(values))


def _write_progress(job: BackgroundJob, values: dict[str, Any]) -> None:
    """One short UPDATE of the job's row, committed at once where it can be.

    Outside a transaction the update commits at once. Inside one on PostgreSQL
    it goes through a connection of its own, so the page polling the job sees
    it before the (long) transaction ends. It joins the current transaction
    instead when the other connection cannot write it: on SQLite (that
    transaction already holds the database's only write lock), when the row is
    not visible outside yet (created in this transaction) and when the row is
    locked (by this transaction); the last two are remembered for the job.
    """
    model = type(job)
    alias = router.db_for_write(model)
    connection = connections[alias]
    local = (
        not connection.in_atomic_block
        or connection.vendor != "postgresql"
        or getattr(job, "_progress_local", False)
    )
    if not local and _update_on_own_connection(model, alias, job.pk, values):
        return
    job._progress_local = connection.in_atomic_block
    model._default_manager.using(alias).filter(pk=job.pk).update(**values)


def _update_on_own_connection(model, alias: str, pk: Any, values: dict[str, Any]) -> bool:
    side = connections.create_connection(alias)
    try:
        with side.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {SIDE_LOCK_TIMEOUT_MS}")
        query = UpdateQuery(model)
        query.add_update_values(values)
        query.add_q(Q(pk=pk))
        return bool(query.get_compiler(connection=side).execute_sql(ROW_COUNT))
    except DatabaseError as exc:
        logger.info("progress of %s %s written in the transaction: %s", model._meta.label, pk, exc)
        return False
    finally:
        side.close()


def job_status_payload(job: BackgroundJob, **extra: Any) -> dict[str, Any]:
    """The JSON a job's status view answers (read by ``static/matis/js/progress.js``)."""
    return {
        "status": job.status,
        "status_label": job.get_status_display(),
        "phase": job.phase,
        "done": job.done,
        "total": job.total,
        "progress": job.progress,
        "message": job.progress_message,
        "finished": job.is_finished,
        **extra,
    }


def job_status_response(job: BackgroundJob, **extra: Any) -> JsonResponse:
    response = JsonResponse(job_status_payload(job, **extra))
    response["Cache-Control"] = "no-store"
    return response


def job_models() -> list[type[BackgroundJob]]:
    """Every installed concrete model that is a background job."""
    return [m for m in apps.get_models() if issubclass(m, BackgroundJob)]


def jobs_fail_stale(
    *,
    older_than: timedelta,
    reason: str,
    only: list[type[BackgroundJob]] | None = None,
) -> dict[str, int]:
    """Mark failed the jobs left running by a worker that is gone; return counts by model.

    A job is stale when it is running and has written no progress (nor started)
    for ``older_than``. At server start no worker is running yet, so
    ``older_than=timedelta(0)`` fails every running job; while workers run,
    choose it longer than the longest silence of any job.

    Parameters
    ----------
    reason
        Stored in the job's ``error``, for the reader and the administrator.
    only
        The job models to look at; all installed ones by default.
    """
    cutoff = timezone.now() - older_than
    silent = (
        Q(progress_at__lt=cutoff)
        | Q(progress_at__isnull=True, started_at__lt=cutoff)
        | Q(progress_at__isnull=True, started_at__isnull=True)
    )
    counts = {}
    for model in only if only is not None else job_models():
        stale = model._default_manager.filter(silent, status=JobStatus.RUNNING)
        ids = list(stale.values_list("pk", flat=True))
        n = 0
        if ids:
            # The status filter again: a job that finished meanwhile keeps its outcome.
            n = model._default_manager.filter(pk__in=ids, status=JobStatus.RUNNING).update(
                status=JobStatus.FAILED, error=reason, finished_at=timezone.now()
            )
            logger.warning("%s: %s stale job(s) marked failed: %s", model._meta.label, n, ids)
        counts[model._meta.label] = n
    return counts
