"""Budget lines of activity reports, each in its own currency, and yearly rates to USD."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.monitoring.models.reports import ActivityReport, PartnerType
from matis.monitoring.money import validate_currency


class BudgetKind(models.TextChoices):
    ALLOCATION = "allocation", _("Government allocation")
    SPENDING = "spending", _("Government actual spending")
    PARTNER = "partner", _("Partner contribution")


class BudgetEntry(models.Model):
    """An amount of money for an activity report: allocation, spending or a partner's share."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="budget")
    kind = models.CharField(_("budget line"), max_length=12, choices=BudgetKind.choices)
    partner_name = models.CharField(
        _("partner"),
        max_length=200,
        blank=True,
        help_text=_("Partner contributions only: who contributed."),
    )
    partner_type = models.CharField(
        _("partner type"), max_length=12, choices=PartnerType.choices, blank=True
    )
    currency = models.CharField(
        _("currency"),
        max_length=3,
        validators=[validate_currency],
        help_text=_("ISO 4217 code, e.g. THB, USD."),
    )
    amount = models.DecimalField(
        _("amount"), max_digits=16, decimal_places=2, validators=[MinValueValidator(Decimal(0))]
    )

    class Meta:
        ordering = ["report_id", "kind", "partner_name"]
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "kind", "partner_name"], name="budget_entry_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"

    def clean(self):
        super().clean()
        if self.kind == BudgetKind.PARTNER:
            if not self.partner_name.strip():
                raise ValidationError({"partner_name": _("Name the partner that contributed.")})
            if not self.partner_type:
                raise ValidationError({"partner_type": _("Say which type of partner it is.")})
        elif self.partner_name or self.partner_type:
            raise ValidationError({"partner_name": _("Only partner contributions name a partner.")})


class ExchangeRate(models.Model):
    """How many units of a currency bought one US dollar in a year (yearly average)."""

    currency = models.CharField(_("currency"), max_length=3, validators=[validate_currency])
    year = models.PositiveSmallIntegerField(_("year"))
    units_per_usd = models.DecimalField(
        _("units per US dollar"),
        max_digits=20,
        decimal_places=6,
        validators=[MinValueValidator(Decimal("0.000001"))],
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["year", "currency"]
        verbose_name = _("exchange rate")
        verbose_name_plural = _("exchange rates")
        constraints = [
            models.UniqueConstraint(fields=["currency", "year"], name="exchange_rate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.currency} {self.units_per_usd}/USD"
