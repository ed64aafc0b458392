"""Demo analyses: the published reference estimates, and analyses of the demo's own data,
run through the system like any other (created, then run at once rather than queued)."""

from __future__ import annotations

from django.db import transaction

from matis.access.models import User
from matis.analytics.models import Analysis
from matis.analytics.services import analysis_create, analysis_run

# Run by the secretariat analyst on the bundled reference data sets.
DEMO_ANALYSES = [
    (
        "UK 2013 prevalence (Home Office method) - reference data",
        "mse",
        "reference:uk2013-5",
        {"method": "aic_stepwise", "interval": "profile"},
    ),
    (
        "New Orleans prevalence (SparseMSE) - reference data",
        "mse",
        "reference:new-orleans",
        {"method": "sparse_stepwise", "interval": "profile", "threshold": "0.02"},
    ),
]

# Run by Thailand's statistics officer on the national data of the demo.
DEMO_NATIONAL_ANALYSES = [
    (
        "Thailand: people known to each kind of agency (synthetic case records)",
        "mse",
        "cases:capture-histories",
        {"method": "sparse_stepwise", "interval": "profile"},
    ),
    (
        "Thailand: routes of consenting cases (synthetic case records)",
        "flows",
        "cases:routes",
        {"origin": "origin", "destination": "destination"},
    ),
    (
        "Thailand: persons prosecuted before and after 2017 (illustration on GLOTIP figures)",
        "its",
        "statistics:PERSONS_PROSECUTED:THA",
        {"time": "year", "outcome": "value", "intervention_at": "2017"},
    ),
]


def _run_all(actor: User, analyses: list) -> int:
    created = 0
    for title, kind, source, params in analyses:
        if Analysis.objects.filter(title=title).exists():
            continue
        with transaction.atomic():
            analysis = analysis_create(
                actor=actor,
                title=title,
                kind=kind,
                source=source,
                parameters=params,
                enqueue=False,
            )
        analysis_run(analysis_id=analysis.pk)  # the demo shows finished results
        created += 1
    return created


def load_demo() -> str:
    analyst = User.objects.filter(email="secretariat@matis.example").first()
    officer = User.objects.filter(email="statistics.tha@matis.example").first()
    if analyst is None or officer is None:
        return "skipped: no demo analysts"
    created = _run_all(analyst, DEMO_ANALYSES) + _run_all(officer, DEMO_NATIONAL_ANALYSES)
    return f"{created} analyses run"
