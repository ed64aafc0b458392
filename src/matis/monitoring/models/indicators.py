"""Indicators per goal, with baselines, targets (first-class) and actual values per country."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country
from matis.monitoring.models.periods import ReportingPeriod
from matis.plans.models import Goal


class PlanIndicator(models.Model):
    """A measure of progress towards an SPA III goal."""

    class Unit(models.TextChoices):
        NUMBER = "number", _("Number")
        PERCENT = "percent", _("Per cent")
        YES_NO = "yes_no", _("Yes (1) / no (0)")
        USD = "usd", _("US dollars")

    class Direction(models.TextChoices):
        INCREASE = "increase", _("Higher is better")
        DECREASE = "decrease", _("Lower is better")

    class Source(models.TextChoices):
        REPORTED = "reported", _("Reported by the country")
        COMPUTED = "computed", _("Computed from data in MATIS")

    goal = models.ForeignKey(
        Goal, verbose_name=_("goal"), on_delete=models.PROTECT, related_name="indicators"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    name_en = models.CharField(max_length=300)
    name_th = models.CharField(max_length=600, blank=True)
    unit = models.CharField(_("unit"), max_length=10, choices=Unit.choices, default=Unit.NUMBER)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    source = models.CharField(
        _("source"), max_length=10, choices=Source.choices, default=Source.REPORTED
    )
    provider_code = models.CharField(
        _("provider"),
        max_length=80,
        blank=True,
        help_text=_("Computed indicators: the code of the provider that computes the values."),
    )
    note_en = models.TextField(blank=True)

    class Meta:
        ordering = ["goal__area__number", "goal__order", "order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.code

    def clean(self):
        super().clean()
        if self.source == self.Source.COMPUTED and not self.provider_code:
            raise ValidationError({"provider_code": _("A computed indicator names its provider.")})
        if self.source == self.Source.REPORTED and self.provider_code:
            raise ValidationError({"provider_code": _("Only computed indicators have a provider.")})

    def is_met(self, actual, target) -> bool | None:
        """Whether ``actual`` reaches ``target`` in the indicator's direction."""
        if actual is None or target is None:
            return None
        if self.direction == self.Direction.DECREASE:
            return actual <= target
        return actual >= target


_VALUE = {"max_digits": 18, "decimal_places": 4}


class IndicatorBaseline(models.Model):
    """Where a country stood on an indicator before the plan (the impact baseline)."""

    indicator = models.ForeignKey(PlanIndicator, on_delete=models.CASCADE, related_name="baselines")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("baseline year"))
    value = models.DecimalField(_("baseline"), **_VALUE)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["indicator_id", "country_id"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "country"], name="baseline_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.country_id} {self.year}: {self.value}"


class IndicatorTarget(models.Model):
    """The value a country aims to reach on an indicator by the end of a period."""

    indicator = models.ForeignKey(PlanIndicator, on_delete=models.CASCADE, related_name="targets")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("target"), **_VALUE)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator_id", "country_id", "period__year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "country", "period"], name="target_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.country_id} {self.period.year}: {self.value}"


class IndicatorActual(models.Model):
    """The value reached on an indicator in a period: reported, or computed by a provider."""

    indicator = models.ForeignKey(PlanIndicator, on_delete=models.CASCADE, related_name="actuals")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(ReportingPeriod, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("actual"), **_VALUE)
    source = models.CharField(max_length=10, choices=PlanIndicator.Source.choices)
    note = models.CharField(_("source of the value"), max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["indicator_id", "country_id", "period__year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "country", "period"], name="actual_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} {self.country_id} {self.period.year}: {self.value}"
