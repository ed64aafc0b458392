"""Case search and cross-border linkage romanise a name identically: one romaniser.

Case search indexes romanised names (``matis.cases.protection``); the exchange
encodes names for linkage with ``tipstats.linkage``. Both call
``tipstats.linkage.romanise`` (and its Zawgyi repair), so a name gives the
same romanised form on both paths.
"""

from __future__ import annotations

import pytest

from matis.cases.models import Person
from matis.cases.protection import keys
from matis.cases.protection.blind import IndexKind, digest, name_digests, query_digests
from matis.cases.protection.names import clean_name, is_zawgyi, romanise, romanised_key
from tipstats import linkage

RING = keys.KeyRing(data_keys=(b"a" * 32,), index_key=b"i" * 32)

# (name as typed, its Unicode form, the romanised form both paths give)
NAMES = [
    pytest.param("สมชาย ใจดี", "สมชาย ใจดี", "smchay chaidi", id="thai"),
    pytest.param("សុខា ចាន់", "សុខា ចាន់", "sokha chan", id="khmer"),
    pytest.param("ကျော်ကျော် အောင်", "ကျော်ကျော် အောင်", "kyaw kyaw aung", id="burmese"),
    pytest.param("ေက်ာ္ေက်ာ္ ေအာင္", "ကျော်ကျော် အောင်", "kyaw kyaw aung", id="burmese-zawgyi"),
    pytest.param("王小明", "王小明", "wang xiaoming", id="chinese"),
    pytest.param("Nguyễn Thị Hương", "Nguyễn Thị Hương", "Nguyen Thi Huong", id="vietnamese"),
]


@pytest.mark.parametrize(("typed", "unicode", "roman"), NAMES)
def test_search_and_linkage_romanise_a_name_identically(typed, unicode, roman):
    assert romanise(typed) == " ".join(linkage.romanise(typed).split()) == roman
    # Zawgyi is detected and repaired by the same code on both paths
    assert is_zawgyi(typed) == linkage.is_zawgyi(typed) == (typed != unicode)
    assert clean_name(typed) == linkage.zawgyi_to_unicode(typed) == unicode
    assert romanise(typed) == romanise(unicode)
    assert linkage.normalise_name(typed) == linkage.normalise_name(unicode)
    # the words linkage encodes are the romanised words case search indexes
    tokens = linkage.normalise_text(typed).split()
    assert tokens == [romanised_key(word) for word in romanise(typed).split()]
    assert romanised_key(typed) == "".join(tokens)
    assert linkage.normalise_name(typed, drop_titles=False) == " ".join(sorted(tokens))
    stored = name_digests(typed, ring=RING)
    for token in tokens:
        assert digest(IndexKind.ROMANISED, token, ring=RING) in stored
    # what linkage reads the name as finds it in case search
    assert query_digests(linkage.normalise_text(typed), ring=RING) & stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("given", "family"),
    [
        pytest.param("สมชาย", "ใจดี", id="thai"),
        pytest.param("សុខា", "ចាន់", id="khmer"),
        pytest.param("ေက်ာ္ေက်ာ္", "ေအာင္", id="burmese-zawgyi"),
        pytest.param("小明", "王", id="chinese"),
        pytest.param("Thị Hương", "Nguyễn", id="vietnamese"),
    ],
)
def test_a_registered_person_is_searchable_under_the_name_linkage_encodes(
    world, register_case, given, family
):
    from matis.cases.selectors import CaseFilters, case_list
    from matis.exchange.payloads import linkage_frame

    case = register_case(world.worker, given_name=given, family_name=family)
    person = Person.objects.get(pk=case.person_id)
    assert person.romanised_given == " ".join(linkage.romanise(given).split())
    assert person.romanised_family == " ".join(linkage.romanise(family).split())
    # the exchange encodes the name as written; it romanises to the stored romanised name
    encoded_name = linkage_frame([case]).loc[0, "name"]
    assert linkage.normalise_name(encoded_name) == linkage.normalise_name(person.display_romanised)
    found = case_list(user=world.worker, filters=CaseFilters(query=person.display_romanised))
    assert list(found) == [case]
    found = case_list(
        user=world.worker, filters=CaseFilters(query=linkage.normalise_text(encoded_name))
    )
    assert list(found) == [case]
