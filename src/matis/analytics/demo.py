"""Demo analyses: the published reference estimates, run through the system like any other."""

from __future__ import annotations

from django.db import transaction

from matis.access.models import User
from matis.analytics.models import Analysis
from matis.analytics.services import analysis_create, analysis_run

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


def load_demo() -> str:
    analyst = User.objects.filter(email="secretariat@matis.example").first()
    if analyst is None:
        return "skipped: no demo secretariat analyst"
    created = 0
    for title, kind, source, params in DEMO_ANALYSES:
        if Analysis.objects.filter(title=title).exists():
            continue
        with transaction.atomic():
            analysis = analysis_create(
                actor=analyst, title=title, kind=kind, source=source, parameters=params
            )
        analysis_run(analysis_id=analysis.pk)  # run now: the demo shows finished results
        created += 1
    return f"{created} analyses run"
