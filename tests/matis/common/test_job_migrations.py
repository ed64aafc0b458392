"""The migrations to the common job model keep what each stored job meant.

Reports stored an int percent, analyses a 0..1 fraction, imports "succeeded" and
their reason in ``message``; each app's migration is unapplied, rows are written
in the old shape, and the migration applied again.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from matis.common.countries import sync_countries
from matis.common.models import Country

pytestmark = pytest.mark.django_db(transaction=True)


def old_state(app: str, before: str, after: str):
    """Unapply ``after``; return the models as they were at ``before`` and a way back."""
    executor = MigrationExecutor(connection)
    executor.migrate([(app, before)])
    old_apps = executor.loader.project_state([(app, before)]).apps

    def forward() -> None:
        executor.loader.build_graph()
        executor.migrate([(app, after)])
        # ... and on to every app's latest migration, so later tests see today's schema
        # (unapplying ``after`` also unapplied the other apps' migrations that depend on it)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())

    return old_apps, forward


def test_report_percent_becomes_done_of_100(make_user):
    from matis.plans.loader import load_registry
    from matis.plans.models import Plan
    from matis.reports.models import AnnualReport

    if not Plan.objects.filter(code="SPA3").exists():
        load_registry()  # a transactional test may start from an emptied database
    plan = Plan.objects.get(code="SPA3")
    old_apps, forward = old_state("reports", "0001_initial", "0004_remove_annualreport_progress")
    Old = old_apps.get_model("reports", "AnnualReport")
    common = {"plan_id": plan.pk, "year": 2013, "language": "en"}
    running = Old.objects.create(status="running", progress=40, step="Writing", **common)
    done = Old.objects.create(status="done", progress=100, step="", **common)
    queued = Old.objects.create(status="queued", progress=0, step="Waiting", **common)
    forward()
    running, done, queued = (AnnualReport.objects.get(pk=r.pk) for r in (running, done, queued))
    assert (running.done, running.total, running.percent, running.phase) == (40, 100, 40, "Writing")
    assert (done.done, done.total, done.percent, done.status) == (100, 100, 100, "done")
    assert (queued.percent, queued.phase, queued.status) == (0, "", "queued")


def test_analysis_fraction_becomes_done_of_100(make_user):
    from matis.analytics.models import Analysis

    user = make_user(role="secretariat_analyst", country=None)
    old_apps, forward = old_state("analytics", "0002_publication", "0005_remove_analysis_progress")
    Old = old_apps.get_model("analytics", "Analysis")
    common = {"kind": "mse", "source": "reference:uk2013-5", "created_by_id": user.pk}
    running = Old.objects.create(
        title="r", status="running", progress=0.374, progress_message="bootstrap 3/10", **common
    )
    failed = Old.objects.create(title="f", status="failed", progress=1.0, error="E: x", **common)
    forward()
    running, failed = (Analysis.objects.get(pk=a.pk) for a in (running, failed))
    assert (running.done, running.total, running.phase) == (37, 100, "bootstrap 3/10")
    assert running.progress_message == "bootstrap 3/10"
    assert (failed.status, failed.error, failed.percent, failed.phase) == (
        "failed",
        "E: x",
        100,
        "",
    )


def test_import_succeeded_becomes_done_and_its_reason_an_error():
    from matis.official_statistics.models import ImportJob

    if not Country.objects.filter(iso3="THA").exists():
        sync_countries(Country)
    old_apps, forward = old_state(
        "statistics", "0002_observation_country_index", "0004_importjob_succeeded_to_done"
    )
    Old = old_apps.get_model("statistics", "ImportJob")
    common = {"format": "csv", "filename": "x.csv", "country_id": "THA"}
    ok = Old.objects.create(
        status="succeeded", phase="done", done=3, total=3, message="3 rows", **common
    )
    rejected = Old.objects.create(status="rejected", message="1 problem(s)", **common)
    failed = Old.objects.create(status="failed", message="OSError", **common)
    queued = Old.objects.create(status="queued", **common)
    forward()
    ok, rejected, failed, queued = (
        ImportJob.objects.get(pk=j.pk) for j in (ok, rejected, failed, queued)
    )
    assert (ok.status, ok.progress, ok.message, ok.error) == ("done", 1.0, "3 rows", "")
    assert ok.started_at == ok.created_at
    assert (rejected.status, rejected.error) == ("rejected", "1 problem(s)")
    assert (failed.status, failed.error) == ("failed", "OSError")
    assert (queued.status, queued.started_at) == ("queued", None)
