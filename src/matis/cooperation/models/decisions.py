"""SOM/IMM decisions and their follow-up actions (MOU art. 30).

On the hub the secretariat records a :class:`Decision` of a meeting with its
:class:`DecisionAction` rows, each assigned to one or more countries with a due
date. National instances pull the decisions addressed to them
(:class:`ReceivedDecision`, :class:`ReceivedAction`) and report their status per
action; the hub keeps the latest report per action and country
(:class:`ActionStatusReport`).
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country


class Meeting(models.TextChoices):
    SOM = "SOM", _("Senior Officials Meeting (SOM)")
    IMM = "IMM", _("Inter-Ministerial Meeting (IMM)")


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


# Statuses that close an action: it can no longer be overdue.
CLOSED_STATUSES = frozenset({ActionStatus.COMPLETED, ActionStatus.NOT_APPLICABLE})


def is_overdue(due_on: dt.date, status: str, *, today: dt.date | None = None) -> bool:
    return status not in CLOSED_STATUSES and due_on < (today or dt.date.today())


class Decision(models.Model):
    """A decision of a SOM or IMM, as the secretariat recorded it on the hub."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    meeting = models.CharField(_("meeting"), max_length=3, choices=Meeting.choices)
    meeting_number = models.PositiveSmallIntegerField(_("meeting number"))
    held_on = models.DateField(_("date of the meeting"))
    text = models.TextField(_("decision"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")

    def __str__(self) -> str:
        return f"{self.meeting} {self.meeting_number} ({self.held_on})"


class DecisionAction(models.Model):
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="actions")
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("action"))
    countries = models.JSONField(_("countries"), default=list)
    due_on = models.DateField(_("due"))

    class Meta:
        ordering = ["decision_id", "number"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")
        constraints = [
            models.UniqueConstraint(fields=["decision", "number"], name="cooperation_action_number")
        ]

    def __str__(self) -> str:
        return f"{self.decision} #{self.number}"


class ActionStatusReport(models.Model):
    """The latest status a country reported on one action (hub side)."""

    action = models.ForeignKey(DecisionAction, on_delete=models.CASCADE, related_name="reports")
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, choices=ActionStatus.choices)
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    reported_at = models.DateTimeField(_("reported"))
    received_at = models.DateTimeField(_("received"), auto_now=True)

    class Meta:
        ordering = ["action_id", "country_id"]
        verbose_name = _("status report")
        verbose_name_plural = _("status reports")
        constraints = [
            models.UniqueConstraint(fields=["action", "country"], name="cooperation_report_once")
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.country_id}: {self.status}"


class ReceivedDecision(models.Model):
    """A decision pulled from the hub by this national instance."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    hub_id = models.PositiveBigIntegerField(_("number at the hub"))
    uid = models.UUIDField()
    meeting = models.CharField(_("meeting"), max_length=3, choices=Meeting.choices)
    meeting_number = models.PositiveSmallIntegerField(_("meeting number"))
    held_on = models.DateField(_("date of the meeting"))
    text = models.TextField(_("decision"))
    fetched_at = models.DateTimeField(_("fetched"), auto_now=True)

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = _("received decision")
        verbose_name_plural = _("received decisions")
        constraints = [
            models.UniqueConstraint(fields=["country", "uid"], name="cooperation_decision_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} {self.meeting_number} ({self.held_on})"


class ReceivedAction(models.Model):
    """One action of a received decision, with this country's own status on it."""

    decision = models.ForeignKey(ReceivedDecision, on_delete=models.CASCADE, related_name="actions")
    uid = models.UUIDField()
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("action"))
    countries = models.JSONField(_("countries"), default=list)
    due_on = models.DateField(_("due"))
    assigned = models.BooleanField(_("assigned to us"), default=True)
    status = models.CharField(
        _("our status"),
        max_length=16,
        choices=ActionStatus.choices,
        default=ActionStatus.NOT_STARTED,
    )
    comment = models.CharField(_("comment"), max_length=500, blank=True)
    reported_at = models.DateTimeField(_("reported"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["decision_id", "number"]
        verbose_name = _("received action")
        verbose_name_plural = _("received actions")
        constraints = [
            models.UniqueConstraint(fields=["decision", "uid"], name="cooperation_raction_once")
        ]

    def __str__(self) -> str:
        return f"{self.decision} #{self.number}"

    @property
    def country_id(self) -> str:
        return self.decision.country_id

    @property
    def overdue(self) -> bool:
        return self.assigned and is_overdue(self.due_on, self.status)
