"""Security review finding 23: direction controls in a name cannot disguise it on screen."""

from __future__ import annotations

import pytest

from matis.cases.gates import access_case_by_id
from matis.common.text import BIDI_CONTROLS

pytestmark = pytest.mark.django_db


def test_finding_23_a_right_to_left_override_in_a_name_is_not_stored(world, register_case):
    case = register_case(
        world.worker,
        given_name="Som\u202echai",
        family_name="\u2067Jaidee\u2069",
        aliases=["Noi\u200f"],
    )
    person = access_case_by_id(world.worker, case.pk, purpose="test").person
    assert person.given_name == "Somchai"
    assert person.family_name == "Jaidee"
    assert person.aliases == ["Noi"]
    stored = " ".join([person.given_name, person.family_name, *person.aliases])
    assert not any(control in stored for control in BIDI_CONTROLS)
    assert person.romanised_given.lower() == "somchai"
