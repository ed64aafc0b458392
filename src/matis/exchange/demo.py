"""Demo: the hub and the six national instances share one database; items travel signed.

Each country gets a hub key; every country's queue (approved reports and
statistics, the de-identified release, linkage tokens) is pushed through the
same signed endpoint code the real hub runs. Three synthetic people are
registered in two countries each, written in each country's script, with
consent to cross-border sharing both ways, so the alert pages have something
to show; one of the links is confirmed by both countries. Every person here
is synthetic.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from matis.common.models import COMMIT_COUNTRIES

DEMO_KEY_PREFIX = "demo-"

# (earlier country, its spelling), (newer country, its spelling), date of birth, confirmed?
SYNTHETIC_RETRAFFICKED = (
    (("THA", "ศรีมม", "เฮง"), ("KHM", "ស្រីមុំ", "ហេង"), dt.date(1995, 7, 9), True),
    (("THA", "Mai", "Lin"), ("MMR", "မယ်", "လင်း"), dt.date(1998, 3, 14), False),
    (("LAO", "ສັນ", "ມາ"), ("THA", "สัน", "มา"), dt.date(2001, 11, 2), False),
)


def _keys() -> None:
    from matis.exchange.keys import country_key_create
    from matis.exchange.models import CountryKey

    for country in COMMIT_COUNTRIES:
        if not CountryKey.objects.filter(country_id=country).exists():
            country_key_create(
                actor=None, country_id=country, key_id=f"{DEMO_KEY_PREFIX}{country.lower()}"
            )


def _worker(country: str):
    from matis.access.demo import demo_email
    from matis.access.models import User

    return User.objects.filter(email=demo_email("caseworker", country)).first()


def _register(country: str, given: str, family: str, dob: dt.date, opened: dt.date, partner: str):
    from matis.cases.choices import ConsentGivenBy, ConsentPurpose
    from matis.cases.htcds import TraffickingStatus
    from matis.cases.models import Case, Person
    from matis.cases.protection.names import romanise
    from matis.cases.services import consent_record, reindex_person
    from matis.common.models import Country

    worker = _worker(country)
    # Written directly, as the cases demo does: case_register numbers cases from the
    # last reference of the year and cannot read the demo's "-D" references.
    person = Person(
        country_id=country,
        given_name=given,
        family_name=family,
        romanised_given=romanise(given),
        romanised_family=romanise(family),
        date_of_birth=dob,
        registered_on=opened,
        gender="Feminine",
        languages=[],
    )
    person.derive_age()
    person.full_clean()
    person.save()
    reindex_person(person)
    n = Case.objects.filter(reference__startswith=f"{country}-{opened.year}-X").count() + 1
    case = Case.objects.create(
        reference=f"{country}-{opened.year}-X{n:05d}",
        country_id=country,
        agency=worker.agency,
        case_worker=worker,
        person=person,
        opened_on=opened,
        trafficking_status=TraffickingStatus.ACTUAL_VICTIM_OF_TRAFFICKING,
    )
    for purpose, recipient in (
        (ConsentPurpose.STATISTICS, None),
        (ConsentPurpose.CROSS_BORDER, Country.objects.get(pk=partner)),
    ):
        consent_record(
            actor=worker,
            case=case,
            purpose=purpose,
            given=True,
            on=opened,
            language="en",
            given_by=ConsentGivenBy.PERSON,
            recipient_country=recipient,
        )
    return case


def _push_all() -> dict:
    from matis.exchange.services import enqueue_pending, outbox_push

    totals: dict[str, int] = {}
    for country in COMMIT_COUNTRIES:
        with transaction.atomic():
            enqueue_pending(country_id=country)
            result = outbox_push(country_id=country, ignore_schedule=True).as_dict()
        for key, value in result.items():
            if not isinstance(value, bool):
                totals[key] = totals.get(key, 0) + value
    return totals


def load_demo() -> str:
    """Each step in a short transaction of its own, not one for all: the background worker
    runs this while the demo serves, and SQLite has one write lock."""
    from matis.exchange.hub import match_pending_tokens
    from matis.exchange.models import CountryKey, ReceivedAlert
    from matis.exchange.services import alert_decide, alerts_pull

    if CountryKey.objects.filter(key_id__startswith=DEMO_KEY_PREFIX).exists():
        return "exchange demo already loaded"
    if any(_worker(c) is None for pair in SYNTHETIC_RETRAFFICKED for c in (pair[0][0], pair[1][0])):
        return "no demo case workers: load the access demo first"
    with transaction.atomic():
        _keys()
    from matis.common.demo import demo_today

    today = demo_today()  # fixed: the demo's cases never open in the current year
    earlier_cases, newer_cases = [], []
    for (c1, g1, f1), (c2, _g2, _f2), dob, _confirmed in SYNTHETIC_RETRAFFICKED:
        with transaction.atomic():
            earlier_cases.append(_register(c1, g1, f1, dob, today - dt.timedelta(days=700), c2))
    first = _push_all()  # the earlier cases reach the hub first
    for (c1, _g1, _f1), (c2, g2, f2), dob, _confirmed in SYNTHETIC_RETRAFFICKED:
        with transaction.atomic():
            newer_cases.append(_register(c2, g2, f2, dob, today - dt.timedelta(days=20), c1))
    second = _push_all()
    with transaction.atomic():
        match_pending_tokens()  # what the hub's background worker does after the tokens arrive
    for country in COMMIT_COUNTRIES:
        with transaction.atomic():
            alerts_pull(country_id=country)
    for pair, earlier, newer in zip(
        SYNTHETIC_RETRAFFICKED, earlier_cases, newer_cases, strict=True
    ):
        if not pair[3]:
            continue
        for case in (earlier, newer):
            alert = ReceivedAlert.objects.filter(subject__case=case).first()
            if alert is not None:
                with transaction.atomic():
                    alert_decide(
                        actor=_worker(case.country_id),
                        alert=alert,
                        decision="confirmed",
                        basis="counterpart",
                    )
    third = _push_all()
    sent = first.get("sent", 0) + second.get("sent", 0) + third.get("sent", 0)
    return (
        f"{sent} items sent to the hub, "
        f"{ReceivedAlert.objects.count()} re-trafficking alerts shown to case workers"
    )
