"""Repatriation (PRO3, goal 3.3): a two-country workflow of ordered steps.

The sending government (where the person was identified) and the receiving
government (her or his home country) each own some steps
(:data:`~matis.returns.choices.RESPONSIBLE_SIDE`). Steps follow
:attr:`Repatriation.STEP_TRANSITIONS`; anything else raises
:class:`StepOutOfOrder` (a :class:`~matis.common.workflow.TransitionNotAllowed`),
and a step recorded by the wrong government's agency raises :class:`WrongCountry`.
The status follows :attr:`Repatriation.TRANSITIONS`. ``uid`` identifies the
repatriation across national instances (the later cross-border exchange carries it).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency
from matis.cases.models import Case
from matis.cases.protection import EncryptedTextField
from matis.common.models import Country, TimeStampedModel
from matis.common.workflow import TransitionNotAllowed, Transitions
from matis.returns.choices import (
    CLOSED_STATUSES,
    RESPONSIBLE_SIDE,
    Outcome,
    RepatriationStatus,
    Side,
    Step,
)


class StepOutOfOrder(TransitionNotAllowed):
    """A step that the allowed step transitions do not permit now."""

    def __init__(self, step: str, allowed):
        self.step = step
        self.allowed = sorted(allowed)
        labels = dict(Step.choices)
        steps = ", ".join(str(labels[s]) for s in self.allowed) or _("none")
        super().__init__(
            Repatriation,
            None,
            step,
            message=_("This step cannot be recorded now. Steps allowed now: %(steps)s."),
            params={"steps": steps},
        )
        self.args = (step, allowed)


class WrongCountry(Exception):
    """A step recorded by an agency of the government that is not responsible for it."""

    def __init__(self, step: str, needed_country: str, actor_country: str | None):
        self.step = step
        self.needed_country = needed_country
        self.actor_country = actor_country
        super().__init__(f"step {step} belongs to {needed_country}, not {actor_country}")


class StepFlow:
    """The order of the steps, shared by a return we send and a return we receive.

    A model using it has ``status`` and a ``steps`` relation of step records
    (``step``, ``completed_on``, ``outcome``).
    """

    # After the latest step (None: no step yet), the steps that may be recorded next.
    STEP_TRANSITIONS = {
        None: {Step.REQUEST},
        Step.REQUEST: {Step.TRACING},
        Step.TRACING: {Step.NATIONALITY},
        Step.NATIONALITY: {Step.TRAVEL_DOCUMENTS},
        Step.TRAVEL_DOCUMENTS: {Step.HANDOVER},
        Step.HANDOVER: {Step.RECEPTION},
        Step.RECEPTION: set(),
    }
    TRANSITIONS = {
        RepatriationStatus.IN_PROGRESS: {
            RepatriationStatus.STOPPED,
            RepatriationStatus.COMPLETED,
            RepatriationStatus.CANCELLED,
            RepatriationStatus.WITHDRAWN,
        },
        RepatriationStatus.STOPPED: {
            RepatriationStatus.IN_PROGRESS,
            RepatriationStatus.CANCELLED,
            RepatriationStatus.WITHDRAWN,
        },
        RepatriationStatus.COMPLETED: set(),
        RepatriationStatus.CANCELLED: set(),
        RepatriationStatus.WITHDRAWN: set(),
    }

    def latest_step(self):
        return self.steps.order_by("-id").first()

    def allowed_steps(self) -> set[str]:
        """The steps that may be recorded now, from :attr:`STEP_TRANSITIONS`.

        An open step (started, not completed) may only be completed; a step
        that ended "not possible" may be tried again (which resumes a stopped
        return); a completed step opens the next one.
        """
        if self.status in CLOSED_STATUSES:
            return set()
        latest = self.latest_step()
        if latest is None:
            return set(self.STEP_TRANSITIONS[None])
        if latest.completed_on is None or latest.outcome == Outcome.NEGATIVE:
            return {latest.step}
        return set(self.STEP_TRANSITIONS[Step(latest.step)])

    def check_step(self, step: str) -> None:
        allowed = self.allowed_steps()
        if step not in allowed:
            raise StepOutOfOrder(step, allowed)

    def whose_turn(self) -> str | None:
        """The side (:class:`Side`) whose step comes next; None once the return is over."""
        sides = {RESPONSIBLE_SIDE[Step(s)] for s in self.allowed_steps()}
        return str(sides.pop()) if len(sides) == 1 else None

    def next_step(self) -> str | None:
        allowed = sorted(self.allowed_steps(), key=list(Step.values).index)
        return allowed[0] if allowed else None


class Repatriation(StepFlow, Transitions, TimeStampedModel):
    """A return as the sending government records it (and, in one database, both governments).

    ``relayed`` is set when the receiving country runs its own national
    instance: its steps then arrive over the relay (``matis.returns.relay``)
    and are stored with the other government's agency name only.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reference = models.CharField(_("Return number"), max_length=40, unique=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="repatriations")
    sending_country = models.ForeignKey(
        Country, verbose_name=_("From"), on_delete=models.PROTECT, related_name="+"
    )
    receiving_country = models.ForeignKey(
        Country, verbose_name=_("To"), on_delete=models.PROTECT, related_name="+"
    )
    sending_agency = models.ForeignKey(
        Agency, verbose_name=_("Sending agency"), on_delete=models.PROTECT, related_name="+"
    )
    receiving_agency = models.ForeignKey(
        Agency,
        verbose_name=_("Receiving agency"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    identified_on = models.DateField(_("Identified on"))
    requested_on = models.DateField(_("Requested on"))
    handover_expected_on = models.DateField(_("Handover expected on"), null=True, blank=True)
    returned_on = models.DateField(_("Returned on"), null=True, blank=True)
    completed_on = models.DateField(_("Received on"), null=True, blank=True)
    status = models.CharField(
        _("Status"),
        max_length=12,
        choices=RepatriationStatus.choices,
        default=RepatriationStatus.IN_PROGRESS,
    )
    status_reason = EncryptedTextField(_("Reason"), blank=True)
    receiving_case = models.ForeignKey(
        Case,
        verbose_name=_("Case in the home country"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="received_returns",
    )
    relayed = models.BooleanField(_("Home country on its own instance"), default=False)
    home_case_opened = models.BooleanField(_("Case opened in the home country"), default=False)

    class Meta:
        ordering = ["-requested_on", "-id"]
        verbose_name = _("Return")
        verbose_name_plural = _("Returns")
        indexes = [
            models.Index(fields=["sending_country", "receiving_country", "returned_on"]),
            models.Index(fields=["receiving_agency", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(sending_country=models.F("receiving_country")),
                name="returns_two_countries",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def corridor(self) -> str:
        return f"{self.sending_country_id}→{self.receiving_country_id}"

    def country_of(self, side: str) -> str:
        return self.sending_country_id if side == Side.SENDING else self.receiving_country_id

    def responsible_country(self, step: str) -> str:
        return self.country_of(RESPONSIBLE_SIDE[Step(step)])


class StepRecord(TimeStampedModel):
    """What one step of a return records, on either side: who did it (an agency here, or
    the other government's agency name and its id there when it came over the relay),
    when, with what outcome. Each record keeps its own table (``repatriation`` FK)."""

    step = models.CharField(_("Step"), max_length=20, choices=Step.choices)
    side = models.CharField(_("Government"), max_length=10, choices=Side.choices)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("Responsible agency"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    agency_name = models.CharField(_("Responsible agency"), max_length=200, blank=True)
    remote_id = models.PositiveBigIntegerField(null=True, blank=True)
    started_on = models.DateField(_("Started on"))
    completed_on = models.DateField(_("Completed on"), null=True, blank=True)
    outcome = models.CharField(_("Outcome"), max_length=10, choices=Outcome.choices, blank=True)
    notes = EncryptedTextField(_("Notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        abstract = True
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.repatriation_id}:{self.step}"

    @property
    def agency_label(self) -> str:
        return self.agency.name if self.agency_id else self.agency_name

    @property
    def days(self) -> int | None:
        if self.completed_on is None:
            return None
        return (self.completed_on - self.started_on).days


class RepatriationStep(StepRecord):
    """One step of a return we send."""

    repatriation = models.ForeignKey(Repatriation, on_delete=models.CASCADE, related_name="steps")

    class Meta(StepRecord.Meta):
        verbose_name = _("Step of a return")
        verbose_name_plural = _("Steps of a return")
