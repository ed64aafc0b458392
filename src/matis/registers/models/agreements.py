"""Agreements, MOUs, their action plans and SOPs, and the yearly review (P&C3, P&C4; goals 1.3, 1.4)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country
from matis.common.workflow import TransitionNotAllowed, Transitions
from matis.registers.models.base import RegionalRecord


def one_year_before(day: dt.date) -> dt.date:
    """The same calendar day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def one_year_after(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


class Agreement(Transitions, RegionalRecord):
    """A bilateral or multilateral agreement or MOU; it must be reviewed every year."""

    REF_PREFIX = "AG"

    class Kind(models.TextChoices):
        BILATERAL = "bilateral", _("Bilateral")
        MULTILATERAL = "multilateral", _("Multilateral")

    class Form(models.TextChoices):
        AGREEMENT = "agreement", _("Agreement")
        MOU = "mou", _("Memorandum of understanding")
        PROTOCOL = "protocol", _("Protocol")
        DECLARATION = "declaration", _("Joint declaration")

    class Subject(models.TextChoices):
        LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement cooperation")
        VICTIM_PROTECTION = "victim_protection", _("Victim identification and protection")
        RETURN = "return", _("Return and reintegration")
        COMPENSATION = "compensation", _("Compensation")
        EVIDENCE = "evidence", _("Exchange of evidence")
        LABOUR_MIGRATION = "labour_migration", _("Labour migration")
        COMPREHENSIVE = "comprehensive", _("Comprehensive")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        IN_FORCE = "in_force", _("In force")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    # Statuses an agreement may move to from each status (django-oscar style). Each
    # lists itself: an edit of other fields keeps the status.
    TRANSITIONS = {
        "draft": {"draft", "signed", "terminated"},
        "signed": {"signed", "in_force", "terminated"},
        "in_force": {"in_force", "expired", "terminated"},
        "expired": {"expired", "in_force"},  # renewed
        "terminated": {"terminated"},
    }
    REVIEWED_STATUSES = ("signed", "in_force")

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    form = models.CharField(_("form"), max_length=12, choices=Form.choices)
    subject = models.CharField(_("subject"), max_length=20, choices=Subject.choices)
    party_countries = models.ManyToManyField(
        Country,
        verbose_name=_("party states"),
        related_name="+",
        help_text=_("States that are parties, inside or outside the COMMIT region."),
    )
    other_parties = models.TextField(
        _("other parties"),
        blank=True,
        help_text=_("Bodies that are parties (e.g. regional organisations), one per line."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    in_force_on = models.DateField(_("in force from"), null=True, blank=True)
    expires_on = models.DateField(_("expires on"), null=True, blank=True)

    class Meta(RegionalRecord.Meta):
        ordering = ["-signed_on", "title"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        errors: dict = {}
        if self.status != self.Status.DRAFT and not self.signed_on:
            errors["signed_on"] = _("A signed agreement needs its signing date.")
        if self.status in (self.Status.IN_FORCE, self.Status.EXPIRED) and not self.in_force_on:
            errors["in_force_on"] = _("An agreement in force needs the date it entered into force.")
        if self.signed_on and self.in_force_on and self.in_force_on < self.signed_on:
            errors["in_force_on"] = _("It cannot enter into force before it is signed.")
        if self.expires_on and self.in_force_on and self.expires_on < self.in_force_on:
            errors["expires_on"] = _("It cannot expire before it enters into force.")
        if self.pk and not errors:
            previous = type(self).objects.filter(pk=self.pk).values_list("status", flat=True)
            previous = previous.first()
            if previous and not self.can_transition(self.status, source=previous):
                errors["status"] = TransitionNotAllowed(self, previous, self.status)
        if errors:
            raise ValidationError(errors)

    def other_party_list(self) -> list[str]:
        return [line.strip() for line in self.other_parties.splitlines() if line.strip()]

    @property
    def review_outcome_choices(self):
        return AgreementReview.Outcome.choices

    @property
    def activity_code(self) -> str:
        """P&C4 when a party is a state or body outside the COMMIT region, else P&C3."""
        from matis.common.models import COMMIT_COUNTRIES

        outside = any(c.pk not in COMMIT_COUNTRIES for c in self.party_countries.all())
        return "P&C4" if outside or self.other_party_list() else "P&C3"

    # --- the yearly review -------------------------------------------------
    def review_base_date(self, last_review: dt.date | None) -> dt.date | None:
        """The date the next review is counted from: the last review, else entry into force."""
        return last_review or self.in_force_on or self.signed_on

    def review_due_on(self, last_review: dt.date | None = None) -> dt.date | None:
        """A year after the last review (or entry into force); None when no review is owed."""
        if self.status not in self.REVIEWED_STATUSES:
            return None
        if last_review is None:
            last_review = self.last_review_on
        base = self.review_base_date(last_review)
        return one_year_after(base) if base else None

    def review_overdue(self, today: dt.date, last_review: dt.date | None = None) -> bool:
        due = self.review_due_on(last_review)
        return due is not None and due < today

    @property
    def last_review_on(self) -> dt.date | None:
        if hasattr(self, "last_review"):  # annotated by the selectors
            return self.last_review
        return self.reviews.aggregate(last=models.Max("reviewed_on"))["last"]


class AgreementInstrument(models.Model):
    """An action plan or SOP that puts an agreement into practice."""

    class Kind(models.TextChoices):
        ACTION_PLAN = "action_plan", _("Action plan")
        SOP = "sop", _("Standard operating procedure")

    agreement = models.ForeignKey(
        Agreement,
        verbose_name=_("agreement"),
        on_delete=models.CASCADE,
        related_name="instruments",
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    version = models.CharField(_("version"), max_length=20, blank=True)
    adopted_on = models.DateField(_("adopted on"), null=True, blank=True)

    class Meta:
        ordering = ["agreement_id", "kind", "title"]
        verbose_name = _("action plan or SOP")
        verbose_name_plural = _("action plans and SOPs")
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "kind", "title"], name="instrument_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class AgreementReview(models.Model):
    """A yearly review of an agreement and its plans."""

    class Outcome(models.TextChoices):
        ON_TRACK = "on_track", _("On track")
        REVISED = "revised", _("Plans revised")
        ACTION_NEEDED = "action_needed", _("Action needed")

    agreement = models.ForeignKey(
        Agreement, verbose_name=_("agreement"), on_delete=models.CASCADE, related_name="reviews"
    )
    reviewed_on = models.DateField(_("reviewed on"))
    reviewed_by = models.CharField(_("reviewed by"), max_length=200)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["agreement_id", "-reviewed_on"]
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        constraints = [
            models.UniqueConstraint(fields=["agreement", "reviewed_on"], name="review_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agreement} · {self.reviewed_on}"
