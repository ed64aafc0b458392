"""Background jobs: a web upload is imported here, writing its progress for the page to poll."""

from __future__ import annotations

import logging
import time

from django.core.files.storage import default_storage
from django.utils import timezone, translation
from django_tasks import task

from matis.official_statistics.models import ImportJob
from matis.official_statistics.services import ImportRejected, observations_import

logger = logging.getLogger(__name__)
PROGRESS_INTERVAL = 0.5  # seconds between progress writes


class _ProgressWriter:
    """Writes the job's phase and counts, at most every ``PROGRESS_INTERVAL`` seconds."""

    def __init__(self, job: ImportJob):
        self.job = job
        self.last = 0.0

    def __call__(self, phase: str, done: int, total: int) -> None:
        now = time.monotonic()
        if phase == self.job.phase and now - self.last < PROGRESS_INTERVAL and done < total:
            return
        self.last = now
        ImportJob.objects.filter(pk=self.job.pk).update(phase=phase, done=done, total=total)
        self.job.phase = phase


@task()
def run_import_job(job_id: int) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != ImportJob.Status.QUEUED:
        return job.status
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING, phase="read")
    language = (job.created_by.preferred_language if job.created_by else "") or "en"
    outcome: dict = {"finished_at": timezone.now()}
    with translation.override(language):
        try:
            with default_storage.open(job.stored_file, "rb") as source:
                result = observations_import(
                    actor=job.created_by,
                    source=source,
                    fmt=job.format,
                    country=job.country_id,
                    dry_run=job.dry_run,
                    progress=_ProgressWriter(job),
                    filename=job.filename,
                )
        except ImportRejected as exc:
            outcome.update(
                status=ImportJob.Status.REJECTED,
                errors=[e.as_dict() for e in exc.errors],
                n_errors=exc.n_errors,
                message=exc.summary(limit=3),
            )
        except Exception as exc:
            logger.exception("import job %s failed", job.pk)
            outcome.update(status=ImportJob.Status.FAILED, message=type(exc).__name__)
        else:
            outcome.update(
                status=ImportJob.Status.SUCCEEDED,
                n_created=result.n_created,
                n_updated=result.n_updated,
                n_unchanged=result.n_unchanged,
                message=str(result),
                phase="done",
                done=result.n_rows,
                total=result.n_rows,
            )
    outcome["finished_at"] = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(**outcome)
    return outcome["status"]
