"""Fixtures for intake tests: a hotline agency, a police unit, a supervisor, a shelter."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def desk(db, make_agency, make_user):
    from matis.access.models import OrganisationType
    from matis.cases.models import ServiceProvider

    class Desk:
        pass

    d = Desk()
    d.hotline = make_agency("THA", name="Hotline centre (synthetic)")
    d.police = make_agency(
        "THA", name="Anti-trafficking police (synthetic)", org_type=OrganisationType.LAW_ENFORCEMENT
    )
    d.worker = make_user(role="case_worker", country="THA", agency=d.hotline)
    d.other_worker = make_user(role="case_worker", country="THA")
    d.supervisor = make_user(role="case_supervisor", country="THA", agency=d.hotline)
    d.khm_supervisor = make_user(role="case_supervisor", country="KHM")
    d.statistics = make_user(role="statistics_officer", country="THA")
    d.justice = make_user(role="justice_officer", country="THA")
    d.shelter = ServiceProvider.objects.create(
        country_id="THA", name="Government shelter (synthetic)", services=["Shelter"]
    )
    return d


@pytest.fixture
def record_tip():
    from django.utils import timezone

    from matis.intake.services import tip_record

    def record(actor, **values):
        data = {
            "channel": "hotline",
            "received_at": timezone.now() - dt.timedelta(hours=1),
            "issue": "trafficking",
            "report": "Caller says workers are locked in a compound (synthetic).",
            "urgency": "urgent",
            "place": "Mae Sot (synthetic)",
            **values,
        }
        return tip_record(actor=actor, values=data)

    return record


def person_rows(n: int, *, nationality="MMR", language="my", consent=True) -> list[dict]:
    return [
        {
            "name": f"Synthetic person {i}",
            "sex": "F" if i % 2 else "M",
            "age": str(20 + i % 30),
            "nationality": nationality,
            "language": language,
            "consent": consent,
        }
        for i in range(n)
    ]


@pytest.fixture
def rows():
    return person_rows
