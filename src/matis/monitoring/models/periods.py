"""Reporting periods: one per plan year, opened and closed by the secretariat."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.plans.models import Plan


class ReportingPeriod(models.Model):
    """A year of a plan in which countries report progress.

    Country task forces may edit while the period is open (between the opening
    and the closing date). Once the secretariat closes it, everything reported
    for the period is locked.
    """

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.PROTECT, related_name="reporting_periods"
    )
    year = models.PositiveSmallIntegerField(_("year"))
    opens_on = models.DateField(_("opening date"))
    closes_on = models.DateField(_("closing date"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["plan__order", "year"]
        verbose_name = _("reporting period")
        verbose_name_plural = _("reporting periods")
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="period_unique_year"),
            models.CheckConstraint(
                condition=models.Q(closes_on__gte=models.F("opens_on")),
                name="period_closes_after_it_opens",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.year}"

    def clean(self):
        super().clean()
        if self.plan_id and not (self.plan.start_year <= self.year <= self.plan.end_year):
            raise ValidationError(
                {
                    "year": _("The year must lie within the plan (%(start)s-%(end)s).")
                    % {"start": self.plan.start_year, "end": self.plan.end_year}
                }
            )
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("The closing date is before the opening date.")})

    @property
    def is_locked(self) -> bool:
        """Closed by the secretariat: nothing reported for it may change."""
        return self.closed_at is not None

    @property
    def is_final_year(self) -> bool:
        return self.year == self.plan.end_year

    def accepts_country_edits(self, today: dt.date | None = None) -> bool:
        """True while task forces may edit: between the opening and closing dates, not closed."""
        today = today or timezone.localdate()
        return not self.is_locked and self.opens_on <= today <= self.closes_on

    def state(self, today: dt.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.is_locked:
            return "closed"
        if today < self.opens_on:
            return "not_open"
        if today > self.closes_on:
            return "past_deadline"
        return "open"

    def state_label(self, today: dt.date | None = None) -> str:
        return str(PERIOD_STATE_LABELS[self.state(today)])


PERIOD_STATE_LABELS = {
    "closed": _("Closed and locked"),
    "not_open": _("Not yet open"),
    "past_deadline": _("Past the closing date (review only)"),
    "open": _("Open for reporting"),
}
