"""The one transition idiom: a declared table, check_transition / can_transition, one exception."""

from __future__ import annotations

import copy
import itertools
import pickle
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.utils import translation

from matis.common.workflow import (
    TransitionNotAllowed,
    Transitions,
    state_label,
    transition_table,
)


@pytest.fixture(autouse=True)
def _english():
    """Messages are compared in English, whatever language an earlier test left active."""
    with translation.override("en"):
        yield


class Door(Transitions):
    """A plain class is enough: the mixin only reads the state attribute and the table."""

    STATE_FIELD = "position"
    TRANSITIONS = {
        "closed": {"open", "locked"},
        "open": {"closed"},
        "locked": {"closed", "locked"},  # staying is allowed only where listed
        "broken": set(),
    }

    def __init__(self, position: str):
        self.position = position


class Ticket(Transitions):
    """Targets may be a mapping from each target to the details of that step."""

    TRANSITIONS = {"new": {"done": "close it"}, "done": {}}

    def __init__(self, status: str):
        self.status = status


STATES = [*Door.TRANSITIONS, "unknown"]
CASES = [
    (source, target, target in Door.TRANSITIONS.get(source, ()))
    for source, target in itertools.product(STATES, repeat=2)
]


@pytest.mark.parametrize(("source", "target", "allowed"), CASES)
def test_can_and_check_agree_with_the_table(source, target, allowed):
    door = Door(source)
    assert door.can_transition(target) is allowed
    if allowed:
        door.check_transition(target)
    else:
        with pytest.raises(TransitionNotAllowed) as caught:
            door.check_transition(target)
        exc = caught.value
        assert (exc.model, exc.source, exc.target) == (Door, source, target)
        assert exc.code == "transition_not_allowed"
        assert exc.messages == [f"The status cannot change from “{source}” to “{target}”."]
    assert door.position == source  # checking never moves the record


@pytest.mark.parametrize(("source", "target", "allowed"), CASES)
def test_an_explicit_source_replaces_the_current_state(source, target, allowed):
    door = Door("broken")  # allows nothing by itself
    assert door.can_transition(target, source=source) is allowed


def test_mapping_targets_and_the_plain_table():
    assert Ticket("new").can_transition("done")
    assert not Ticket("done").can_transition("new")
    assert transition_table(Ticket) == {"new": {"done"}, "done": set()}
    assert transition_table(Door)["locked"] == frozenset({"closed", "locked"})


def test_the_exception_is_a_validation_error_forms_and_clean_can_carry():
    exc = TransitionNotAllowed(Door("open"), "open", "locked")
    assert isinstance(exc, ValidationError)
    assert exc.model is Door
    wrapped = ValidationError({"position": exc})
    assert wrapped.message_dict == {
        "position": ["The status cannot change from “open” to “locked”."]
    }


def test_the_exception_survives_copy_and_pickle():
    exc = TransitionNotAllowed(Door, "open", "locked")
    # Our own bytes, made one line above: nothing untrusted is unpickled.
    for clone in (copy.deepcopy(exc), pickle.loads(pickle.dumps(exc))):  # noqa: S301
        assert (clone.model, clone.source, clone.target) == (Door, "open", "locked")
        assert clone.messages == exc.messages


def test_a_workflow_may_word_its_own_refusal():
    exc = TransitionNotAllowed(Door, "open", "x", message="No %(what)s.", params={"what": "x"})
    assert exc.messages == ["No x."]


def test_states_are_shown_with_their_labels():
    field = SimpleNamespace(flatchoices=[("open", "Open"), ("closed", "Closed")])
    meta = SimpleNamespace(get_field=lambda name: field)
    labelled = type("LabelledDoor", (Door,), {"_meta": meta})
    assert state_label(labelled, "open") == "Open"
    assert state_label(labelled, "gone") == "gone"
    assert state_label(Door, "open") == "open"  # no model metadata: the value itself
    exc = TransitionNotAllowed(labelled, "open", "closed")
    assert exc.messages == ["The status cannot change from “Open” to “Closed”."]


def test_every_workflow_model_declares_a_row_for_each_state_and_only_real_targets():
    models = [m for m in apps.get_models() if issubclass(m, Transitions)]
    assert len(models) >= 8, [m.__name__ for m in models]
    for model in models:
        field = model._meta.get_field(model.STATE_FIELD)
        states = {str(value) for value, _label in field.flatchoices}
        table = transition_table(model)
        assert set(table) == states, model
        assert set().union(*table.values()) <= states, model
