"""Issue 13: l-diversity of de-identified releases, made by the sender and checked by the hub.

k-anonymity alone let a group of eleven look-alikes share one form of
exploitation: whoever knows a person's sex, age band, citizenship, year and
country of exploitation (and that they are in the release) then knows how they
were exploited. Each such group must hold at least l forms (l = 2 by default).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import pytest
from test_release_privacy import RECORD, post_release, release

from matis.cases.models import Case
from matis.common.models import Country
from matis.exchange.models import DeidentifiedCase, InboxItem
from matis.exchange.payloads import deidentified_release
from matis.exchange.privacy import (
    KNOWN_FIELDS,
    SENSITIVE_FIELDS,
    check_release,
)


def forms_by_group(records):
    """The set of released forms of exploitation per group of look-alikes (test's own count)."""
    forms = defaultdict(set)
    for r in records:
        key = tuple(str(r.get(f)) for f in KNOWN_FIELDS)
        forms[key].add(str(r["vic_TypeOfExploitation"]))
    return forms


@pytest.mark.django_db
def test_hub_refuses_eleven_look_alikes_with_one_form_of_exploitation(client, hub, country_keys):
    cred = country_keys["THA"]
    homogeneous = release([RECORD] * 11, k=11)  # 11-anonymous: every class has 11
    response = post_release(client, cred, homogeneous, "THA:deidentified:homogeneous")
    assert response.status_code == 422, response.content
    assert response.json()["error"] == "not_l_diverse"
    assert "vic_TypeOfExploitation: 11 records" in response.json()["detail"]
    assert not DeidentifiedCase.objects.exists()
    assert not InboxItem.objects.exists()


@pytest.mark.django_db
def test_hub_accepts_groups_whose_only_value_discloses_nothing(client, hub, country_keys):
    not_recorded = {**RECORD, "vic_TypeOfExploitation": "unknown"}
    response = post_release(
        client, country_keys["THA"], release([not_recorded] * 11, k=11), "THA:deidentified:u"
    )
    assert response.status_code == 201, response.content
    assert DeidentifiedCase.objects.count() == 11


@pytest.mark.django_db
def test_hub_checks_forced_criminality_on_its_own(client, hub, country_keys):
    """Two forms of exploitation, but every one of the 22 was forced into crime."""
    crime = [
        {**RECORD, "vic_TypeOfExploitation": form, "commit_ForcedCriminality": True}
        for form in ("labour", "sexual")
        for _ in range(11)
    ]
    response = post_release(client, country_keys["THA"], release(crime, k=11), "THA:d:crime")
    assert response.status_code == 422
    assert "commit_ForcedCriminality: 22 records" in response.json()["detail"]


@pytest.fixture
def two_groups(person_case, consent):
    """THA cases in two groups of look-alikes: women of 22, half labour half sexual
    exploitation; men of 34, all labour. 24 each, all consenting to statistics."""
    khm = Country.objects.get(pk="KHM")

    def add(n, gender, age, forms):
        cycle = itertools.cycle(forms)
        for _ in range(n):
            case = person_case("THA", age=age, gender=gender, citizenship=khm)
            Case.objects.filter(pk=case.pk).update(
                opened_on=dt.date(2024, 3, 1), exploitation_types=[next(cycle)]
            )
            consent(case, "statistics")

    add(24, "Feminine", 22, ["ForcedLabour", "SexualExploitation"])
    add(24, "Masculine", 34, ["ForcedLabour"])


@pytest.mark.django_db
def test_sender_withholds_or_generalises_a_homogeneous_group(two_groups, settings):
    settings.MATIS_DISCLOSURE = {**settings.MATIS_DISCLOSURE, "max_suppression": 0.5}
    data, _ = deidentified_release("THA", k=11)
    assert data["l"] == 2 and data["sensitive"] == list(SENSITIVE_FIELDS)
    # withholding the 24 men (half of 48) is within the 50 % budget and costs less
    # than generalising: the women are released, the men are not
    assert data["n_consenting"] == 48
    assert data["n_withheld_for_diversity"] == 24
    assert data["n_released"] == 24
    assert {r["prs_Gender"] for r in data["records"]} == {"Feminine"}
    assert all(len(forms) >= 2 for forms in forms_by_group(data["records"]).values())
    check_release(data)  # what the hub will run


@pytest.mark.django_db
def test_sender_generalises_when_withholding_is_over_budget(two_groups, settings):
    settings.MATIS_DISCLOSURE = {**settings.MATIS_DISCLOSURE, "max_suppression": 0.1}
    # withholding the men is over budget: the release generalises instead (sex away, or
    # the form of exploitation suppressed), and no group shows a single form
    data, _ = deidentified_release("THA", k=11)
    assert data["n_released"] == 48
    assert data["n_withheld_for_diversity"] == 0
    generalised = data["generalisation"]
    assert (
        generalised["prs_Gender"] == "suppressed"
        or generalised["vic_TypeOfExploitation"] == "suppressed"
    ), generalised
    for forms in forms_by_group(data["records"]).values():
        assert len(forms) >= 2 or forms <= {"*"}, forms
    check_release(data)
    # with every person sharing one form, the form itself is suppressed: it is not released
    Case.objects.update(exploitation_types=["ForcedLabour"])
    data, _ = deidentified_release("THA", k=11)
    assert data["generalisation"]["vic_TypeOfExploitation"] == "suppressed"
    assert {str(r["vic_TypeOfExploitation"]) for r in data["records"]} == {"*"}
    check_release(data)


@pytest.mark.django_db
def test_l_is_a_setting(two_groups, settings):
    settings.MATIS_DISCLOSURE = {
        **settings.MATIS_DISCLOSURE,
        "l_diversity": 1,
        "max_suppression": 0.5,
    }
    data, _ = deidentified_release("THA", k=11)
    assert data["l"] == 1 and data["n_withheld_for_diversity"] == 0
    assert data["n_released"] == 48
