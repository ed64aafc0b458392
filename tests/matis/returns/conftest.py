"""Fixtures for return tests: a Thai sending side, a Cambodian receiving side, a third country."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pytest

# The exchange tests' relay fixtures (hub in-process, country keys, ``relay_loopback``),
# used here as they are, not copied: sender -> hub -> recipient in one test database.
_spec = importlib.util.spec_from_file_location(
    "exchange_test_fixtures", Path(__file__).parents[1] / "exchange" / "conftest.py"
)
_exchange = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_exchange)
hub = _exchange.hub
country_keys = _exchange.country_keys
relay_loopback = _exchange.relay_loopback

D = dt.date
JAN_10, JAN_5, JAN_20 = D(2025, 1, 10), D(2025, 1, 5), D(2025, 1, 20)


@pytest.fixture
def two_countries(db, make_agency, make_user):
    """Thai shelter and worker; Cambodian receiving agency, its worker and a supervisor."""
    from matis.access.models import OrganisationType

    class World:
        pass

    w = World()
    w.tha_shelter = make_agency("THA", name="Shelter TH (synthetic)")
    w.tha_worker = make_user(role="case_worker", country="THA", agency=w.tha_shelter)
    w.tha_other = make_user(role="case_worker", country="THA")
    w.khm_agency = make_agency(
        "KHM", name="Social affairs KH (synthetic)", org_type=OrganisationType.CENTRAL_GOVERNMENT
    )
    w.khm_worker = make_user(role="case_worker", country="KHM", agency=w.khm_agency)
    w.khm_other = make_user(role="case_worker", country="KHM")  # another Cambodian agency
    w.khm_supervisor = make_user(role="case_supervisor", country="KHM")
    w.lao_agency = make_agency("LAO", name="Social welfare LA (synthetic)")
    w.lao_worker = make_user(role="case_worker", country="LAO", agency=w.lao_agency)
    return w


@pytest.fixture
def identified_case():
    """A Thai case of a Cambodian woman, identified on ``decided_on``."""
    from matis.cases import screening as instruments
    from matis.cases.services import case_register, identification_decide

    def make(actor, *, decided_on=JAN_10, opened_on=JAN_5, given="Sreyleak"):
        case = case_register(
            actor=actor,
            person={
                "given_name": given,
                "family_name": "Synthetic",
                "gender": "Feminine",
                "age_at_registration": 24,
                "primary_citizenship": None,
                "languages": ["km"],
            },
            case={"opened_on": opened_on, "summary": "SECRET-SUMMARY forced labour on a boat"},
        )
        identification_decide(
            actor=actor,
            case=case,
            decision="ActualVictimOfTrafficking",
            decision_org="Police",
            guideline=instruments.guidelines_for("THA")[0].code,
            language_informed="km",
            interpreter_present=True,
            decided_on=decided_on,
        )
        return case

    return make


@pytest.fixture
def consent():
    from matis.cases.services import consent_record

    def give(actor, case, country="KHM", on=JAN_20, given=True):
        from matis.common.models import Country

        return consent_record(
            actor=actor,
            case=case,
            purpose="cross_border",
            given=given,
            on=on,
            language="km",
            recipient_country=Country.objects.get(pk=country),
        )

    return give


@pytest.fixture
def relay_wire(monkeypatch, settings):
    """The returns app's relay items, captured at ``matis.returns.relay._enqueue`` and delivered
    by hand to the receive functions: two national instances in one test database without the
    hub (the hub's own tests cover signing, encryption and ordering). ``wire.as_country(X)``
    makes this process act as X's national instance (``MATIS_COUNTRY``)."""

    from django.db import transaction
    from django.utils import timezone

    from matis.exchange.relay import RelayEnvelope
    from matis.returns import relay

    class Wire:
        def __init__(self):
            self.queued: list[dict] = []
            self.sequence: dict[tuple, int] = {}

        def as_country(self, code):
            settings.MATIS_COUNTRY = code

        def enqueue(self, *, recipient, kind, data, idempotency_key, case_ids=()):
            assert set(data) <= relay.KINDS[kind], f"{kind} carries undeclared fields"
            assert idempotency_key not in {q["key"] for q in self.queued}
            self.queued.append(
                {
                    "sender": settings.MATIS_COUNTRY,
                    "recipient": recipient,
                    "kind": kind,
                    "data": data,
                    "key": idempotency_key,
                    "case_ids": list(case_ids),
                }
            )

        def deliver(self) -> list:
            """Apply every queued item at its recipient, in order; return the envelopes."""
            sent, self.queued = self.queued, []
            envelopes = []
            for item in sent:
                pair = (item["sender"], item["recipient"])
                self.sequence[pair] = self.sequence.get(pair, 0) + 1
                env = RelayEnvelope(
                    sender=item["sender"],
                    recipient=item["recipient"],
                    kind=item["kind"],
                    data=item["data"],
                    idempotency_key=item["key"],
                    sequence=self.sequence[pair],
                    sent_at=timezone.now(),
                )
                with transaction.atomic():
                    relay.RECEIVERS[env.kind](env)
                envelopes.append(env)
            return envelopes

    wire = Wire()
    monkeypatch.setattr(
        relay,
        "_enqueue",
        lambda *, recipient, kind, data, key, case_ids=(): wire.enqueue(
            recipient=recipient, kind=kind, data=data, idempotency_key=key, case_ids=case_ids
        ),
    )
    wire.as_country("THA")
    return wire
