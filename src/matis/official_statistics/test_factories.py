"""Country-owned statistics objects for the authorisation tests (draft data: national only)."""

from __future__ import annotations

import itertools

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from matis.official_statistics.models import (
    ImportJob,
    Observation,
    StatisticalIndicator,
    Submission,
)
from matis.testing.factories import factory_for

_years = itertools.count(1950)


@factory_for(Submission)
def _submission(country: str, marker: str) -> Submission:
    return Submission.objects.create(country_id=country, period=next(_years), note=marker)


@factory_for(Observation)
def _observation(country: str, marker: str) -> Observation:
    submission = _submission(country, marker)
    indicator = StatisticalIndicator.objects.order_by("pk").first()
    return Observation.objects.create(
        indicator=indicator,
        country_id=country,
        period=submission.period,
        series_key="",
        value=7,
        submission=submission,
        source=marker,
    )


@factory_for(ImportJob)
def _import_job(country: str, marker: str) -> ImportJob:
    stored = default_storage.save(
        f"statistics/imports/{marker}", ContentFile(b"indicator,country,year,value\n")
    )
    return ImportJob.objects.create(
        country_id=country, format="csv", filename=f"{marker}.csv", stored_file=stored
    )
