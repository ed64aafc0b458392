"""Specialist anti-trafficking law-enforcement units, staffing and resources per year (CJ2, goal 2.2)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.registers.models.base import CountryRecord


class SpecialistUnit(CountryRecord):
    REF_PREFIX = "SU"

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCIAL = "provincial", _("Provincial")
        BORDER = "border", _("Border")

    name = models.CharField(_("name"), max_length=200)
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent_agency = models.CharField(_("parent agency"), max_length=200, blank=True)
    established_on = models.DateField(_("established on"), null=True, blank=True)

    class Meta(CountryRecord.Meta):
        ordering = ["country_id", "name"]
        verbose_name = _("specialist unit")
        verbose_name_plural = _("specialist units")

    def __str__(self) -> str:
        return self.name


class UnitYear(models.Model):
    """A unit's staffing and resources in one year."""

    unit = models.ForeignKey(
        SpecialistUnit, verbose_name=_("unit"), on_delete=models.CASCADE, related_name="years"
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    staff_total = models.PositiveIntegerField(_("staff"))
    staff_female = models.PositiveIntegerField(_("women on the staff"), default=0)
    investigators = models.PositiveIntegerField(_("investigators"), default=0)
    staff_trained = models.PositiveIntegerField(_("staff trained this year"), default=0)
    vehicles = models.PositiveIntegerField(_("vehicles"), default=0)
    budget_usd = models.DecimalField(
        _("budget (US dollars)"), max_digits=14, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["unit_id", "year"]
        verbose_name = _("staffing and resources")
        verbose_name_plural = _("staffing and resources")
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unit_year_unique")]

    def __str__(self) -> str:
        return f"{self.unit} {self.year}"

    def clean(self):
        super().clean()
        errors = {}
        total = self.staff_total or 0
        if self.staff_female is not None and self.staff_female > total:
            errors["staff_female"] = _("More women than staff.")
        if self.investigators is not None and self.investigators > total:
            errors["investigators"] = _("More investigators than staff.")
        if self.staff_trained is not None and self.staff_trained > total:
            errors["staff_trained"] = _("More staff trained than staff.")
        if errors:
            raise ValidationError(errors)
