"""National Plans of Action (SPA III P&C1, goal 1.1)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country, TimeStampedModel
from matis.monitoring.money import validate_currency


class NationalPlan(TimeStampedModel):
    """A country's national plan of action against trafficking."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title (as adopted)"), max_length=400)
    title_en = models.CharField(_("title in English"), max_length=400, blank=True)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    adopted_on = models.DateField(_("adoption date"), null=True, blank=True)
    adopted_by = models.CharField(_("adopted by"), max_length=300, blank=True)
    national_committee = models.CharField(
        _("national multi-sector committee"),
        max_length=300,
        blank=True,
        help_text=_("Name of the national committee; empty if there is none."),
    )
    subnational_committees = models.PositiveIntegerField(
        _("sub-national committees"),
        default=0,
        help_text=_("How many provincial or local committees are working."),
    )
    monitoring_system = models.BooleanField(
        _("monitoring system in place"),
        default=False,
        help_text=_("A system that monitors the plan's progress and reports regularly."),
    )
    monitoring_note = models.TextField(_("about the monitoring system"), blank=True)
    synthetic = models.BooleanField(
        _("synthetic demonstration data"), default=False, editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["country_id", "-start_year"]
        verbose_name = _("national plan of action")
        verbose_name_plural = _("national plans of action")
        constraints = [
            models.UniqueConstraint(fields=["country", "start_year"], name="npa_unique_start"),
        ]

    def __str__(self) -> str:
        return self.title_en or self.title

    def clean(self):
        super().clean()
        if self.start_year and self.end_year and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("The last year is before the first year.")})


class NationalPlanBudget(models.Model):
    """The government's annual budget for its national plan."""

    plan = models.ForeignKey(NationalPlan, on_delete=models.CASCADE, related_name="budgets")
    year = models.PositiveSmallIntegerField(_("year"))
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )
    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])

    class Meta:
        ordering = ["plan_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "year"], name="npa_budget_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.amount} {self.currency}"
