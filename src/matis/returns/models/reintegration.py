"""Reintegration (PRO5, goal 3.4), victim feedback and re-trafficking (PRO6).

All of it hangs on a case of the cases app, so the cases app's gates decide
who reads it. Free text is encrypted with the cases app's fields; scores and
codes stay in the clear for the measures.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency
from matis.cases.models import Case, ServiceProvider
from matis.cases.protection import EncryptedJSONField, EncryptedTextField
from matis.common.models import Country, TimeStampedModel
from matis.common.workflow import Transitions
from matis.returns.choices import (
    ClosureReason,
    FeedbackStage,
    PlanStatus,
    RetraffickingKind,
    ServiceKind,
    ServiceStatus,
)


class ReintegrationPlan(Transitions, TimeStampedModel):
    TRANSITIONS = {PlanStatus.OPEN: {PlanStatus.CLOSED}, PlanStatus.CLOSED: set()}

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="reintegration_plan")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(
        Agency, verbose_name=_("Responsible agency"), on_delete=models.PROTECT, related_name="+"
    )
    opened_on = models.DateField(_("Plan made on"), default=dt.date.today)
    goals = EncryptedTextField(_("Goals agreed with the person"), blank=True)
    status = models.CharField(
        _("Status"), max_length=8, choices=PlanStatus.choices, default=PlanStatus.OPEN
    )
    closed_on = models.DateField(_("Closed on"), null=True, blank=True)
    closure_reason = models.CharField(
        _("Reason for closure"), max_length=16, choices=ClosureReason.choices, blank=True
    )
    closure_note = EncryptedTextField(_("Note on closure"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("Reintegration plan")
        verbose_name_plural = _("Reintegration plans")

    def __str__(self) -> str:
        return f"{_('Reintegration plan')} {self.case}"


class PlannedService(TimeStampedModel):
    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="services")
    kind = models.CharField(_("Service"), max_length=16, choices=ServiceKind.choices)
    provider = models.ForeignKey(
        ServiceProvider,
        verbose_name=_("Provider"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    planned_on = models.DateField(_("Planned on"), default=dt.date.today)
    status = models.CharField(
        _("Status"), max_length=16, choices=ServiceStatus.choices, default=ServiceStatus.PLANNED
    )
    delivered_on = models.DateField(_("Delivered on"), null=True, blank=True)
    notes = EncryptedTextField(_("Notes"), blank=True)

    class Meta:
        ordering = ["planned_on", "id"]
        verbose_name = _("Planned service")
        verbose_name_plural = _("Planned services")

    def clean(self):
        super().clean()
        if self.status == ServiceStatus.DELIVERED and not self.delivered_on:
            raise ValidationError({"delivered_on": _("Give the date it was delivered.")})
        if self.delivered_on and self.delivered_on < self.planned_on:
            raise ValidationError({"delivered_on": _("Delivered before it was planned.")})


class FollowUpVisit(TimeStampedModel):
    """A follow-up visit with a resilience-and-empowerment assessment (scores 0-100)."""

    plan = models.ForeignKey(ReintegrationPlan, on_delete=models.CASCADE, related_name="visits")
    visited_on = models.DateField(_("Visited on"))
    visited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    instrument = models.CharField(_("Instrument"), max_length=64)
    instrument_version = models.PositiveIntegerField(_("instrument version"))
    answers = EncryptedJSONField(_("answers"), default=dict)
    psychosocial_score = models.PositiveSmallIntegerField(_("Psychosocial score"))
    economic_score = models.PositiveSmallIntegerField(_("Economic score"))
    notes = EncryptedTextField(_("Notes"), blank=True)

    class Meta:
        ordering = ["visited_on", "id"]
        verbose_name = _("Follow-up visit")
        verbose_name_plural = _("Follow-up visits")

    @property
    def months_after_plan(self) -> int:
        return max((self.visited_on - self.plan.opened_on).days, 0) // 30


class FeedbackSurvey(TimeStampedModel):
    """The person's own rating of the help received (goals 1.6, 3.1, 3.3, 3.4)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="feedback_surveys")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    stage = models.CharField(_("When"), max_length=16, choices=FeedbackStage.choices)
    answered_on = models.DateField(_("Answered on"))
    instrument = models.CharField(_("Instrument"), max_length=64)
    instrument_version = models.PositiveIntegerField(_("instrument version"))
    ratings = models.JSONField(_("Ratings"), default=dict)
    comments = EncryptedTextField(_("The person's own words"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-answered_on", "-id"]
        verbose_name = _("Feedback survey")
        verbose_name_plural = _("Feedback surveys")


class RetraffickingEvent(TimeStampedModel):
    """The person was trafficked again, or was later found acting as broker or trafficker."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="retrafficking_events")
    kind = models.CharField(_("What happened"), max_length=16, choices=RetraffickingKind.choices)
    on = models.DateField(_("Date"))
    where = models.ForeignKey(
        Country,
        verbose_name=_("Country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = EncryptedTextField(_("Notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("Re-trafficking event")
        verbose_name_plural = _("Re-trafficking events")
