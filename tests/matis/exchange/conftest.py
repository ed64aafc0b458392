"""Fixtures for exchange tests: the hub enabled in-process, country keys, synthetic people."""

from __future__ import annotations

import contextlib
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


class RelayLoopback:
    """Sender → hub → recipient in one process and one database, with real signing and sealing.

    Each national instance acts under its own country (``at("THA")`` sets
    MATIS_COUNTRY); the hub answers in-process (:class:`LocalTransport`). Every
    request is signed with the country's hub credential and every item sealed
    for the recipient's key, exactly as between separate instances.
    """

    def __init__(self, settings, credentials):
        self.settings = settings
        self.credentials = credentials
        self.countries = tuple(credentials)

    def transport(self, country_id):
        from matis.exchange.transport import LocalTransport

        return LocalTransport(self.credentials[country_id])

    @contextlib.contextmanager
    def at(self, country_id):
        before = self.settings.MATIS_COUNTRY
        self.settings.MATIS_COUNTRY = country_id
        try:
            yield self
        finally:
            self.settings.MATIS_COUNTRY = before

    def push(self, country_id):
        """Send ``country_id``'s outbox (retry schedule ignored); returns the PushResult."""
        from matis.exchange.services import outbox_push

        with self.at(country_id):
            return outbox_push(
                country_id=country_id, transport_factory=self.transport, ignore_schedule=True
            )

    def pull(self, country_id):
        """Fetch and apply what waits at the hub for ``country_id``; returns the number applied."""
        from matis.exchange.relay import relay_pull

        with self.at(country_id):
            return relay_pull(transport=self.transport(country_id), country_id=country_id)

    def statuses(self, country_id):
        from matis.exchange.relay import relay_status_pull

        with self.at(country_id):
            return relay_status_pull(country_id=country_id, transport=self.transport(country_id))

    def register_keys(self):
        """Each instance registers its relay keys at the hub (as `matis exchange pull` does)."""
        from matis.exchange.relay import relay_keys_register

        for country in self.countries:
            with self.at(country):
                relay_keys_register(country_id=country, transport=self.transport(country))

    def deliver(self):
        """Push every country's outbox, pull at every country, then fetch the senders' receipts."""
        for country in self.countries:
            self.push(country)
        applied = {country: self.pull(country) for country in self.countries}
        for country in self.countries:
            self.statuses(country)
        return applied


@pytest.fixture
def relay_loopback(hub, settings, country_keys):
    """Country-to-country relay in one test database: ``relay_loopback.deliver()``.

    ``with relay_loopback.at("THA"): relay_enqueue(recipient="KHM", ...)`` queues
    as THA; ``deliver()`` pushes, pulls and fetches receipts for THA, KHM and LAO.
    """
    settings.MATIS_ROLE = "national"
    loop = RelayLoopback(settings, country_keys)
    loop.register_keys()
    return loop
