"""Meetings that hold the process together: SOM and IMM, their decisions and follow-up actions."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country
from matis.common.workflow import TransitionNotAllowed, Transitions
from matis.registers.models.base import RegionalRecord, year_range_clean


class Meeting(RegionalRecord):
    """A SOM or IMM (regional: country empty), or a national or bilateral meeting (one country)."""

    REF_PREFIX = "MT"

    class Kind(models.TextChoices):
        SOM = "som", _("Senior Officials Meeting (SOM)")
        IMM = "imm", _("Inter-Ministerial Meeting (IMM)")
        TASK_FORCE = "task_force", _("National task force meeting")
        BILATERAL = "bilateral", _("Bilateral meeting")

    REGIONAL_KINDS = ("som", "imm")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    host_country = models.ForeignKey(
        Country, verbose_name=_("host country"), on_delete=models.PROTECT, related_name="+"
    )
    city = models.CharField(_("city"), max_length=120)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))

    class Meta(RegionalRecord.Meta):
        ordering = ["-start_date"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        errors: dict = {}
        year_range_clean(self.start_date, self.end_date, errors)
        if self.kind in self.REGIONAL_KINDS and self.country_id:
            errors["country"] = _("SOMs and IMMs are regional: leave the country empty.")
        if self.kind not in self.REGIONAL_KINDS and self.kind and not self.country_id:
            errors["country"] = _("National and bilateral meetings belong to a country.")
        if errors:
            raise ValidationError(errors)


class MeetingDecision(models.Model):
    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.CASCADE, related_name="decisions"
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.TextField(_("decision"))

    class Meta:
        ordering = ["meeting_id", "number"]
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="decision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.meeting} #{self.number}"


class FollowUpAction(Transitions, RegionalRecord):
    """An action a meeting asked for, tracked until it is done.

    ``country`` is the government responsible; empty when the secretariat is.
    """

    REF_PREFIX = "FA"

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        DROPPED = "dropped", _("Dropped")

    # Each status lists itself: an edit of other fields keeps the status.
    TRANSITIONS = {
        "open": {"open", "in_progress", "done", "dropped"},
        "in_progress": {"in_progress", "open", "done", "dropped"},
        "done": {"done", "in_progress"},  # reopened
        "dropped": {"dropped", "open"},
    }
    CLOSED_STATUSES = ("done", "dropped")

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="actions"
    )
    decision_number = models.PositiveSmallIntegerField(_("decision number"), null=True, blank=True)
    description = models.TextField(_("action"))
    responsible = models.CharField(_("responsible body"), max_length=200)
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta(RegionalRecord.Meta):
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up action")
        verbose_name_plural = _("follow-up actions")

    def __str__(self) -> str:
        return self.description[:80]

    def clean(self):
        super().clean()
        errors: dict = {}
        if self.status == self.Status.DONE and not self.done_on:
            errors["done_on"] = _("Give the date the action was done.")
        if self.status != self.Status.DONE and self.done_on:
            errors["done_on"] = _("Only a done action has a completion date.")
        if self.done_on and self.meeting_id and self.done_on < self.meeting.start_date:
            errors["done_on"] = _("The action is dated before its meeting.")
        if self.pk and not errors:
            previous = type(self).objects.filter(pk=self.pk).values_list("status", flat=True)
            previous = previous.first()
            if previous and not self.can_transition(self.status, source=previous):
                errors["status"] = TransitionNotAllowed(self, previous, self.status)
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status not in self.CLOSED_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due_on < today
