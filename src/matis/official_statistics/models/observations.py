"""Observations (indicator x country x year x dimension values) and the submissions holding them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country, TimeStampedModel
from matis.common.workflow import Transitions
from matis.official_statistics.models.structure import StatisticalIndicator
from matis.official_statistics.values import display_value

# The columns that make one observation as files carry it (import rows, exports,
# the hub's SDMX-CSV), in file order.
OBSERVATION_FIELDS = (
    "indicator_id",
    "country_id",
    "period",
    "series_key",
    "value",
    "censored_below",
    "is_missing",
    "is_estimated",
    "is_provisional",
    "source",
)


class Submission(Transitions, TimeStampedModel):
    """One country's official statistics for one year: drafted, submitted, approved.

    Approval locks the submission: its observations become visible to every
    user and to the regional hub, and no import or edit may change them until
    an administrator reopens it.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        APPROVED = "approved", _("Approved and locked")

    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.DRAFT: frozenset({Status.SUBMITTED}),
        Status.SUBMITTED: frozenset({Status.DRAFT, Status.APPROVED}),
        Status.APPROVED: frozenset({Status.DRAFT}),
    }

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    period = models.PositiveSmallIntegerField(_("year"))
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField(_("note"), blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    validated_at = models.DateTimeField(_("last validated"), null=True, blank=True)

    class Meta:
        ordering = ["country_id", "-period"]
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "period"], name="statistics_submission_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.country_id} {self.period} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        """Only drafts take new or changed values."""
        return self.status == self.Status.DRAFT

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class Observation(models.Model):
    """One figure: an indicator, for a country and year, for one combination of dimension values.

    ``series_key`` holds the dimension values (see :mod:`matis.official_statistics.keys`).
    A censored figure (``<5``) has no ``value`` and ``censored_below=5``.
    ``approved`` mirrors the submission's status so reads need no join.
    """

    indicator = models.ForeignKey(
        StatisticalIndicator,
        verbose_name=_("indicator"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    period = models.PositiveSmallIntegerField(_("year"))
    series_key = models.CharField(_("dimension values"), max_length=200, blank=True)
    value = models.FloatField(_("value"), null=True, blank=True)
    censored_below = models.PositiveSmallIntegerField(
        _("censored below"),
        null=True,
        blank=True,
        help_text=_("Set for a figure published only as below a threshold, e.g. 5 for <5."),
    )
    is_missing = models.BooleanField(_("missing"), default=False)
    is_estimated = models.BooleanField(_("estimated"), default=False)
    is_provisional = models.BooleanField(_("provisional"), default=False)
    source = models.CharField(_("source"), max_length=100, blank=True)
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("submission"),
        on_delete=models.PROTECT,
        related_name="observations",
    )
    approved = models.BooleanField(_("approved"), default=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["indicator_id", "country_id", "period", "series_key"]
        verbose_name = _("observation")
        verbose_name_plural = _("observations")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "series_key", "country", "period"],
                name="statistics_observation_unique",
            ),
        ]
        indexes = [
            # One country's figures (API filters, exports, rule history).
            models.Index(fields=["country", "indicator", "period"], name="statistics_obs_country"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator_id} {self.country_id} {self.period} [{self.series_key}] = {self.display}"

    @property
    def display(self) -> str:
        return display_value(self.value, self.censored_below, self.is_missing)

    @property
    def flags(self) -> str:
        return flags_text(self.is_estimated, self.is_provisional, self.is_missing)


def flags_text(is_estimated: bool, is_provisional: bool, is_missing: bool = False) -> str:
    """SDMX-style observation status letters: E estimated, P provisional, M missing."""
    return (
        ("E" if is_estimated else "")
        + ("P" if is_provisional else "")
        + ("M" if is_missing else "")
    )


class ObservationRevision(models.Model):
    """The value an observation had before a change: who changed it, when, and why."""

    observation = models.ForeignKey(Observation, on_delete=models.CASCADE, related_name="revisions")
    changed_at = models.DateTimeField(_("changed"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    old_value = models.FloatField(_("old value"), null=True, blank=True)
    old_censored_below = models.PositiveSmallIntegerField(null=True, blank=True)
    old_flags = models.CharField(_("old flags"), max_length=4, blank=True)
    old_source = models.CharField(max_length=100, blank=True)
    new_value = models.FloatField(_("new value"), null=True, blank=True)
    new_censored_below = models.PositiveSmallIntegerField(null=True, blank=True)
    new_flags = models.CharField(_("new flags"), max_length=4, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("observation revision")
        verbose_name_plural = _("observation revisions")

    def __str__(self) -> str:
        return f"{self.observation_id} at {self.changed_at:%Y-%m-%d %H:%M}"

    @property
    def old_display(self) -> str:
        return display_value(self.old_value, self.old_censored_below, "M" in self.old_flags)

    @property
    def new_display(self) -> str:
        return display_value(self.new_value, self.new_censored_below, "M" in self.new_flags)
