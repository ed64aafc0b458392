"""De-identified case records: k-anonymous over the quasi-identifiers, consenting cases only."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter

import pytest

from matis.cases.models import Case
from matis.common.models import Country
from matis.exchange.payloads import QUASI_IDENTIFIERS, deidentified_release
from matis.exchange.privacy import DEIDENTIFIED_FIELDS, check_payload


@pytest.fixture
def population(person_case, consent):
    """70 synthetic THA cases of varied age, sex, citizenship and year; 60 consent to statistics."""
    countries = {c: Country.objects.get(pk=c) for c in ("KHM", "MMR", "LAO", "VNM")}
    combos = itertools.cycle(
        itertools.product([17, 22, 27, 34, 45, 61], ["Feminine", "Masculine"], list(countries))
    )
    consenting, refusing = [], []
    for i in range(70):
        age, gender, citizen = next(combos)
        case = person_case("THA", age=age, gender=gender, citizenship=countries[citizen])
        Case.objects.filter(pk=case.pk).update(opened_on=dt.date(2019 + i % 5, 3, 1))
        if i < 60:
            consent(case, "statistics")
            consenting.append(case)
        else:
            refusing.append(case)
    consent(refusing[0], "statistics")
    consent(refusing[0], "statistics", given=False)  # given, then withdrawn
    return consenting, refusing


def groups(records):
    return Counter(tuple(str(r[q]) for q in QUASI_IDENTIFIERS) for r in records)


@pytest.mark.django_db
def test_export_with_k_11_has_no_quasi_identifier_group_under_11(population):
    consenting, _ = population
    data, case_ids = deidentified_release("THA", k=11)
    assert data["k"] == 11
    assert sorted(case_ids) == sorted(c.pk for c in consenting)
    assert data["n_consenting"] == 60
    assert data["n_released"] == len(data["records"]) > 0
    sizes = groups(data["records"])
    assert min(sizes.values()) >= 11, sizes
    assert data["n_released"] + data["n_suppressed"] == 60
    check_payload("deidentified_cases", data)  # the guard accepts it
    for record in data["records"]:
        assert set(record) <= DEIDENTIFIED_FIELDS


@pytest.mark.django_db
def test_smaller_k_keeps_more_detail(population):
    loose, _ = deidentified_release("THA", k=2)
    strict, _ = deidentified_release("THA", k=11)
    assert min(groups(loose["records"]).values()) >= 2
    assert len(groups(loose["records"])) > len(groups(strict["records"]))


@pytest.mark.django_db
def test_too_few_consenting_cases_release_nothing(person_case, consent):
    for _ in range(5):
        consent(person_case("THA", age=30), "statistics")
    data, _ = deidentified_release("THA", k=11)
    assert data["n_consenting"] == 5
    assert data["records"] == []


@pytest.mark.django_db
def test_release_is_stored_at_the_hub_and_replaces_the_last(population, local_transports, settings):
    from matis.exchange.models import DeidentifiedCase
    from matis.exchange.services import enqueue_deidentified_release, outbox_push

    item, created = enqueue_deidentified_release("THA", k=11)
    assert created and not enqueue_deidentified_release("THA", k=11)[1]  # same content, once
    outbox_push(transport_factory=local_transports)
    assert DeidentifiedCase.objects.count() == item.payload["n_released"]
    # both sides now configured for k = 5 (the hub checks a release at its own k)
    settings.MATIS_DISCLOSURE = {**settings.MATIS_DISCLOSURE, "k_anonymity": 5}
    enqueue_deidentified_release("THA")
    outbox_push(transport_factory=local_transports)
    latest = DeidentifiedCase.objects.all()
    assert latest.count() == len(latest.first().inbox_item.payload["records"])
    assert {d.inbox_item.payload["k"] for d in latest} == {5}
