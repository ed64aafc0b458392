"""The background-job kit: derived progress, throttled writes, outcomes, status payload, stale jobs.

``matis.common.jobs.BackgroundJob`` is abstract; the statistics import job
(``ImportJob``) serves as the concrete model: it adds nothing to the kit's
behaviour but the "n of m rows" wording of its counted phases.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from matis.analytics.models import Analysis
from matis.common import jobs
from matis.common.jobs import (
    BackgroundJob,
    JobStatus,
    job_models,
    job_status_payload,
    job_status_response,
    jobs_fail_stale,
)
from matis.official_statistics.models import ImportJob
from matis.reports.models import AnnualReport


def make_job(**fields) -> ImportJob:
    return ImportJob.objects.create(format="csv", filename="x.csv", **fields)


@pytest.fixture
def clock(monkeypatch):
    """A monotonic clock the test moves by hand."""
    now = {"t": 1000.0}
    monkeypatch.setattr(jobs.time, "monotonic", lambda: now["t"])
    return now


def test_the_three_job_models_share_the_kit():
    assert {ImportJob, Analysis, AnnualReport} <= set(job_models())
    for model in (ImportJob, Analysis, AnnualReport):
        assert issubclass(model, BackgroundJob)
        assert model._meta.get_field("status").choices == JobStatus.choices


def test_progress_is_done_of_total_and_full_once_done():
    job = ImportJob(format="csv", filename="x.csv")
    assert (job.progress, job.percent, job.is_finished) == (0.0, 0, False)
    job.status, job.done, job.total = JobStatus.RUNNING, 25, 200
    assert (job.progress, job.percent) == (0.125, 12)
    job.done = 250  # a count that overshoots its estimate never shows more than 100 %
    assert job.progress == 1.0
    job.status, job.done, job.total = JobStatus.DONE, 0, 0
    assert (job.progress, job.is_finished) == (1.0, True)
    for status in (JobStatus.REJECTED, JobStatus.FAILED):
        job.status = status
        assert job.is_finished
    job.status = JobStatus.QUEUED
    assert not job.is_finished


def test_progress_message_follows_status_and_phase():
    job = ImportJob(format="csv", filename="x.csv")
    assert job.progress_message == "Waiting for the background worker to start."
    job.status, job.phase, job.done, job.total = JobStatus.RUNNING, "read", 1500, 3000
    assert job.progress_message == "Reading and checking rows: 1,500 of 3,000 rows"
    job.phase = "store"  # not a counted phase: the label alone
    assert job.progress_message == "Writing"
    job.phase = "bootstrap 3/100"  # not a key: shown as written
    assert job.progress_message == "bootstrap 3/100"
    report = AnnualReport(status=JobStatus.RUNNING, phase="layout", done=60, total=100)
    assert (report.progress_message, report.percent) == ("Laying out the PDF", 60)
    job.status = JobStatus.DONE
    assert job.progress_message == ""


@pytest.mark.django_db
def test_start_progress_and_finish_are_written(clock):
    job = make_job()
    job.start(phase="read")
    stored = ImportJob.objects.get(pk=job.pk)
    assert (stored.status, stored.phase, stored.done, stored.total) == ("running", "read", 0, 0)
    assert stored.started_at is not None and stored.progress_at is not None
    assert stored.finished_at is None

    job.report_progress(phase="read", done=0, total=100)  # the first report: always
    assert ImportJob.objects.get(pk=job.pk).total == 100
    job.report_progress(phase="read", done=10, total=100)  # same phase, too soon: kept in memory
    assert (job.done, ImportJob.objects.get(pk=job.pk).done) == (10, 0)
    clock["t"] += jobs.PROGRESS_INTERVAL
    job.report_progress(phase="read", done=20, total=100)  # the interval has passed
    assert ImportJob.objects.get(pk=job.pk).done == 20
    job.report_progress(phase="read", done=100, total=100)  # the end of a phase: always
    assert ImportJob.objects.get(pk=job.pk).done == 100
    job.report_progress(phase="compare", done=0, total=100)  # a new phase: always
    stored = ImportJob.objects.get(pk=job.pk)
    assert (stored.phase, stored.done) == ("compare", 0)

    job.finish(JobStatus.DONE, n_created=7)
    stored = ImportJob.objects.get(pk=job.pk)
    assert (stored.status, stored.n_created, stored.done, stored.total) == ("done", 7, 100, 100)
    assert stored.finished_at is not None and stored.progress == 1.0


@pytest.mark.django_db
def test_finish_records_the_error_and_refuses_an_unfinished_status():
    job = make_job()
    job.start()
    with pytest.raises(ValueError, match="running"):
        job.finish(JobStatus.RUNNING)
    job.finish(JobStatus.FAILED, error="OSError")
    stored = ImportJob.objects.get(pk=job.pk)
    assert (stored.status, stored.error, stored.is_finished) == ("failed", "OSError", True)
    job.start()  # running again clears the outcome
    stored = ImportJob.objects.get(pk=job.pk)
    assert (stored.status, stored.error, stored.finished_at) == ("running", "", None)


@pytest.mark.django_db
def test_status_payload_and_response():
    job = make_job(status=JobStatus.RUNNING, phase="compare", done=5, total=10)
    assert job_status_payload(job, created=3) == {
        "status": "running",
        "status_label": "Running",
        "phase": "compare",
        "done": 5,
        "total": 10,
        "progress": 0.5,
        "message": "Comparing with the database: 5 of 10 rows",
        "finished": False,
        "created": 3,
    }
    response = job_status_response(job)
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert b'"finished": false' in response.content


@pytest.mark.django_db
def test_stale_running_jobs_are_marked_failed_with_the_reason():
    long_ago = timezone.now() - timedelta(hours=3)
    silent = make_job(status=JobStatus.RUNNING, started_at=long_ago, progress_at=long_ago)
    never_wrote = make_job(status=JobStatus.RUNNING, started_at=long_ago)
    no_times = make_job(status=JobStatus.RUNNING)
    busy = make_job(status=JobStatus.RUNNING, started_at=long_ago, progress_at=timezone.now())
    waiting = make_job(status=JobStatus.QUEUED)
    finished = make_job(status=JobStatus.DONE, started_at=long_ago, progress_at=long_ago)

    counts = jobs_fail_stale(
        older_than=timedelta(hours=1), reason="worker stopped", only=[ImportJob]
    )
    assert counts == {"statistics.ImportJob": 3}
    for job in (silent, never_wrote, no_times):
        job.refresh_from_db()
        assert (job.status, job.error) == ("failed", "worker stopped")
        assert job.finished_at is not None
    for job, status in ((busy, "running"), (waiting, "queued"), (finished, "done")):
        job.refresh_from_db()
        assert (job.status, job.error) == (status, "")

    # At server start no worker runs yet: every running job, however recent, is stale.
    counts = jobs_fail_stale(older_than=timedelta(0), reason="server restarted")
    assert counts["statistics.ImportJob"] == 1
    assert set(counts) >= {"statistics.ImportJob", "analytics.Analysis", "reports.AnnualReport"}
    busy.refresh_from_db()
    assert (busy.status, busy.error) == ("failed", "server restarted")


@pytest.mark.django_db
def test_progress_inside_a_transaction_on_sqlite_joins_it():
    if connection.vendor != "sqlite":
        pytest.skip("SQLite: one writer, so progress joins the running transaction")
    job = make_job()
    with transaction.atomic():
        job.report_progress(phase="store", done=5, total=9)
        assert ImportJob.objects.get(pk=job.pk).done == 5


@pytest.mark.django_db(transaction=True)
def test_progress_inside_a_long_transaction_is_seen_at_once_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL: progress is written on a connection of its own")
    job = make_job()
    seen = {}

    def look() -> None:
        try:
            seen["done"] = ImportJob.objects.get(pk=job.pk).done
        finally:
            connections.close_all()

    with transaction.atomic():
        job.report_progress(phase="store", done=5, total=9)
        reader = threading.Thread(target=look)
        reader.start()
        reader.join(timeout=30)
    assert seen == {"done": 5}  # another session saw it before the transaction ended
    assert ImportJob.objects.get(pk=job.pk).done == 5


@pytest.mark.django_db
def test_finding_03_server_start_fails_jobs_a_crashed_worker_left_running(settings):
    from matis.cli import recover_stale_jobs

    settings.MATIS_STALE_JOB_MINUTES = 30
    crashed = make_job(
        status=JobStatus.RUNNING,
        started_at=timezone.now() - timedelta(hours=2),
        progress_at=timezone.now() - timedelta(hours=2),
    )
    alive = make_job(
        status=JobStatus.RUNNING, started_at=timezone.now(), progress_at=timezone.now()
    )
    counts = recover_stale_jobs()
    assert counts["statistics.ImportJob"] == 1
    crashed.refresh_from_db()
    alive.refresh_from_db()
    assert crashed.status == JobStatus.FAILED and "Interrupted" in crashed.error
    assert alive.status == JobStatus.RUNNING
