"""One idiom for workflows: a model declares its allowed changes of state as a table.

A model whose records move through states mixes in :class:`Transitions` and
declares two class attributes: the field that holds the state, and the table of
the changes allowed from each state::

    class Case(Transitions, TimeStampedModel):
        STATE_FIELD = "status"
        TRANSITIONS = {
            CaseStatus.ACTIVE: {CaseStatus.FOLLOW_UP, CaseStatus.CLOSED},
            CaseStatus.CLOSED: {CaseStatus.ACTIVE},
        }

A service checks the change before it makes it, with ``record.check_transition(target)``
(which raises :class:`TransitionNotAllowed`); a page asks ``record.can_transition(target)``
to offer only the possible steps. A state the table does not list allows nothing, and
staying in a state is allowed only where the table lists the state among its own
targets. The targets of a state may be any collection, including a mapping from each
target to the details of that step (the activity report workflow keeps there who takes
the step and what it audits).

:class:`TransitionNotAllowed` is a ``ValidationError`` because a refused change is an
error the user can cause: forms show it like any other, and ``clean()`` can put it on
the state field. Views that word the refusal their own way catch it by this one name;
refusals particular to one workflow (a repatriation step out of order) subclass it.

A small mixin rather than an FSM library (django-fsm-2, viewflow.fsm): those replace
the state column with their own field type and each transition with a decorated
method, which would rewrite every workflow model's migrations and services for no
change in behaviour; MATIS needs only the table, one check and one exception.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any, ClassVar

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.utils.translation import gettext_lazy as _


def state_label(model: type, state: Any) -> Any:
    """The display label of ``state`` from the choices of ``model``'s state field."""
    try:
        field = model._meta.get_field(model.STATE_FIELD)
    except (AttributeError, FieldDoesNotExist):
        return state
    return dict(field.flatchoices).get(state, state)


class TransitionNotAllowed(ValidationError):
    """A change of state that the model's table of transitions does not list.

    Parameters
    ----------
    model
        The model (class or instance) whose table refused the change.
    source, target
        The state it was in and the state it was asked to move to.
    message, params
        A message of the workflow's own, instead of "The status cannot change ...".
    """

    def __init__(
        self,
        model: Any,
        source: Any,
        target: Any,
        *,
        message: Any = None,
        params: dict[str, Any] | None = None,
    ):
        self.model = model if isinstance(model, type) else type(model)
        self.source, self.target = source, target
        if message is None:
            message = _("The status cannot change from “%(current)s” to “%(new)s”.")
            params = {
                "current": state_label(self.model, source),
                "new": state_label(self.model, target),
            }
        super().__init__(message, code="transition_not_allowed", params=params)
        # Copies and pickles rebuild an exception from ``args``: make them fit __init__.
        self.args = (self.model, source, target)


class Transitions:
    """Mixin for a model whose ``STATE_FIELD`` moves along its declared ``TRANSITIONS``."""

    #: The name of the field that holds the state.
    STATE_FIELD: ClassVar[str] = "status"
    #: For each state, the states it may change to (a set, or a mapping keyed by them).
    TRANSITIONS: ClassVar[Mapping[Any, Collection[Any]]] = {}

    def can_transition(self, target: Any, *, source: Any = None) -> bool:
        """True when the table allows the change to ``target``.

        ``source`` is the current state unless given (e.g. the stored state, when
        ``clean()`` checks an edited record).
        """
        if source is None:
            source = getattr(self, self.STATE_FIELD)
        return target in self.TRANSITIONS.get(source, ())

    def check_transition(self, target: Any, *, source: Any = None) -> None:
        """Raise :class:`TransitionNotAllowed` unless the table allows the change to ``target``."""
        if source is None:
            source = getattr(self, self.STATE_FIELD)
        if not self.can_transition(target, source=source):
            raise TransitionNotAllowed(type(self), source, target)


def transition_table(model: type[Transitions]) -> dict[str, frozenset[str]]:
    """``model``'s declared table as plain strings, for tests, documentation and checks."""
    return {
        str(source): frozenset(str(target) for target in targets)
        for source, targets in model.TRANSITIONS.items()
    }
