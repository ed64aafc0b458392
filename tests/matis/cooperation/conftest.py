"""Fixtures for cooperation tests: case workers per country, synthetic detained persons."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

_n = itertools.count(1)


@pytest.fixture(autouse=True)
def _manual_detention_notices(settings):
    """Most tests here drive the notice by hand (``MATIS_DETENTION_AUTO_NOTIFY=0``);
    ``test_cooperation_auto_notify.py`` switches automatic notification back on."""
    settings.MATIS_DETENTION_AUTO_NOTIFY = False


@pytest.fixture
def coop_workers(db, make_agency, make_user):
    """A case worker in each of THA, KHM and LAO (each in an agency of her country)."""
    return {
        c: make_user(role="case_worker", country=c, agency=make_agency(c))
        for c in ("THA", "KHM", "LAO")
    }


@pytest.fixture
def detained(coop_workers):
    """A synthetic ``citizenship`` national registered in ``country`` and placed in detention."""
    from matis.cases.choices import PlacementKind
    from matis.cases.services import case_register, facility_create, placement_add
    from matis.common.models import Country

    def make(country="THA", citizenship="KHM", *, kind=PlacementKind.IMMIGRATION_DETENTION,
             voluntary=False, age=30, start=None):  # fmt: skip
        worker = coop_workers[country]
        n = next(_n)
        case = case_register(
            actor=worker,
            person={
                "given_name": f"Synth{n}",
                "family_name": f"Person{n}",
                "gender": "Feminine",
                "age_at_registration": age,
                "primary_citizenship": Country.objects.get(pk=citizenship),
                "languages": ["km"],
            },
            case={"opened_on": dt.date.today() - dt.timedelta(days=10)},
            documents=[],
        )
        case.trafficking_status = "ActualVictimOfTrafficking"
        case.save(update_fields=["trafficking_status"])
        facility = facility_create(
            actor=worker, name=f"Centre {n} (synthetic)", kind=kind, province="P"
        )
        return placement_add(
            actor=worker,
            case=case,
            kind=kind,
            facility=facility,
            voluntary=voluntary,
            start_date=start or dt.date.today() - dt.timedelta(days=3),
        )

    return make


@pytest.fixture
def cross_border_consent(coop_workers):
    """``cross_border_consent(case, "KHM")`` records consent to share with KHM (``given=False``: withdraw)."""
    from matis.cases.choices import ConsentGivenBy
    from matis.cases.services import consent_record
    from matis.common.models import Country

    def record(case, country, *, given=True):
        return consent_record(
            actor=coop_workers[case.country_id],
            case=case,
            purpose="cross_border",
            given=given,
            on=dt.date.today(),
            language="km",
            given_by=ConsentGivenBy.PERSON,
            recipient_country=Country.objects.get(pk=country),
        )

    return record


def envelope(*, sender, recipient, kind, data, seq=1, key=None):
    """A RelayEnvelope as the relay would hand it to a receive() handler."""
    from django.utils import timezone

    from matis.exchange.relay import RelayEnvelope

    return RelayEnvelope(
        sender=sender,
        recipient=recipient,
        kind=kind,
        data=data,
        idempotency_key=key or f"{sender}:test:{next(_n)}",
        sequence=seq,
        sent_at=timezone.now(),
    )


@pytest.fixture
def make_envelope():
    return envelope


def _exchange_fixtures():
    """The exchange tests' fixtures (``hub``, ``country_keys``, ``relay_loopback``), shared here."""
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "exchange" / "conftest.py"
    spec = importlib.util.spec_from_file_location("cooperation_exchange_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_exchange = _exchange_fixtures()
hub = _exchange.hub
country_keys = _exchange.country_keys
relay_loopback = _exchange.relay_loopback
