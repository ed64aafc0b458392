"""Fixtures for exchange tests: the hub enabled in-process, country keys, synthetic people."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

_n = itertools.count(1)


@pytest.fixture
def hub(settings):
    """The hub endpoints answer in this (national) test process, as in the one-database demo."""
    settings.MATIS_EXCHANGE_LOCAL_HUB = True
    return settings


@pytest.fixture
def country_keys(db):
    """One hub key per country: ``country_keys["THA"]`` is a Credential."""
    from matis.exchange.conf import Credential
    from matis.exchange.keys import country_key_create

    creds = {}
    for country in ("THA", "KHM", "LAO"):
        key, secret = country_key_create(actor=None, country_id=country)
        creds[country] = Credential(key.key_id, secret)
    return creds


@pytest.fixture
def local_transports(hub, country_keys):
    """``transport_factory`` for outbox_push: signed requests to the in-process hub."""
    from matis.exchange.transport import LocalTransport

    def factory(country_id):
        return LocalTransport(country_keys[country_id])

    return factory


@pytest.fixture
def workers(db, make_agency, make_user):
    """A case worker in each of THA, KHM and LAO."""
    return {
        c: make_user(role="case_worker", country=c, agency=make_agency(c))
        for c in ("THA", "KHM", "LAO")
    }


@pytest.fixture
def person_case(workers):
    """Register a synthetic person and case: ``person_case("THA", given=..., family=..., ...)``."""
    from matis.cases.services import case_register

    def make(country, *, given=None, family="Synthetic", dob=None, gender="Feminine", age=None,
             citizenship=None, opened=None):  # fmt: skip
        n = next(_n)
        person = {
            "given_name": given or f"Person{n}",
            "family_name": family,
            "gender": gender,
            "date_of_birth": dob,
            "age_at_registration": age if dob is None else None,
            "primary_citizenship": citizenship,
            "languages": [],
        }
        if dob is None and age is None:
            person["age_at_registration"] = 30
        return case_register(
            actor=workers[country],
            person=person,
            case={"opened_on": opened or dt.date.today()},
            documents=[],
        )

    return make


@pytest.fixture
def consent(workers):
    """Record consent: ``consent(case, "statistics")`` or ``consent(case, "cross_border", "KHM")``."""
    from matis.cases.choices import ConsentGivenBy
    from matis.cases.services import consent_record
    from matis.common.models import Country

    def record(case, purpose, country=None, *, given=True, on=None):
        return consent_record(
            actor=workers[case.country_id],
            case=case,
            purpose=purpose,
            given=given,
            on=on or dt.date.today(),
            language="en",
            given_by=ConsentGivenBy.PERSON if not case.person.is_child else ConsentGivenBy.PARENT,
            recipient_country=Country.objects.get(pk=country) if country else None,
        )

    return record
