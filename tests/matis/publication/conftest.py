"""Releases with planted figures: an embargoed 987654 and a small count 7."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

EMBARGOED = 987654
SMALL = 7


def _approved(indicator, country, year, values: dict[str, float]):
    from matis.official_statistics.models import Observation, Submission

    submission, _ = Submission.objects.get_or_create(
        country_id=country, period=year, defaults={"status": Submission.Status.APPROVED}
    )
    for key, value in values.items():
        Observation.objects.create(
            indicator=indicator,
            country_id=country,
            period=year,
            series_key=key,
            value=value,
            submission=submission,
            approved=True,
            source="test",
        )


@pytest.fixture
def count_indicator(db):
    from matis.official_statistics.models import StatisticalIndicator

    return (
        StatisticalIndicator.objects.filter(is_active=True, unit="count", dimensions__code="SEX")
        .order_by("order", "code")
        .first()
    )


@pytest.fixture
def releases(db, count_indicator, make_user, settings):
    """v1 published (120 = F 113 + M 7); then 987654 approved and released as v2 under embargo."""
    from matis.publication.services import release_statistics

    settings.MATIS_PUBLIC_CACHE_SECONDS = 0
    settings.MATIS_PUBLIC_RATE = "100000/minute"
    publisher = make_user(role="secretariat_analyst", country=None)
    _approved(count_indicator, "THA", 2020, {"": 120, "SEX=F": 113, "SEX=M": SMALL})
    _approved(count_indicator, "VNM", 2020, {"": 250})
    v1 = release_statistics(actor=publisher, publish_at=timezone.now() - timedelta(hours=1))
    _approved(count_indicator, "THA", 2021, {"": EMBARGOED})
    v2 = release_statistics(
        actor=publisher,
        publish_at=timezone.now() + timedelta(days=30),
        revision_note="2021 added",
    )
    return v1, v2
