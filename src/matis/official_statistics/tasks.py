"""Background jobs: a web upload is imported here, writing its progress for the page to poll."""

from __future__ import annotations

import logging

from django.core.files.storage import default_storage
from django.utils import translation
from django_tasks import task

from matis.common.jobs import JobStatus
from matis.official_statistics.models import ImportJob
from matis.official_statistics.services import ImportRejected, observations_import

logger = logging.getLogger(__name__)


@task()
def run_import_job(job_id: int) -> str:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    if job.status != JobStatus.QUEUED:
        return str(job.status)
    job.start(phase="read")
    language = (job.created_by.preferred_language if job.created_by else "") or "en"

    def progress(phase: str, done: int, total: int) -> None:
        job.report_progress(phase=phase, done=done, total=total)

    with translation.override(language):
        try:
            with default_storage.open(job.stored_file, "rb") as source:
                result = observations_import(
                    actor=job.created_by,
                    source=source,
                    fmt=job.format,
                    country=job.country_id,
                    dry_run=job.dry_run,
                    progress=progress,
                    filename=job.filename,
                )
        except ImportRejected as exc:
            job.finish(
                JobStatus.REJECTED,
                error=exc.summary(limit=3),
                errors=[e.as_dict() for e in exc.errors],
                n_errors=exc.n_errors,
            )
        except Exception as exc:
            logger.exception("import job %s failed", job.pk)
            job.finish(JobStatus.FAILED, error=type(exc).__name__)
        else:
            job.finish(
                JobStatus.DONE,
                n_created=result.n_created,
                n_updated=result.n_updated,
                n_unchanged=result.n_unchanged,
                message=str(result),
                phase="done",
                done=result.n_rows,
                total=result.n_rows,
            )
    return str(job.status)
