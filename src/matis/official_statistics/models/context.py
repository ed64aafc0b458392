"""Contextual series shown next to the official statistics (not part of any submission).

The US TIP Report tier and the 3P anti-trafficking policy index, by country
and year, as compiled by Heiss & Kelley (2017). They are external assessments,
not COMMIT government statistics, and are labelled so wherever shown.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country


class ContextSeries(models.Model):
    code = models.CharField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_th = models.CharField(_("name (Thai)"), max_length=300, blank=True)
    description_en = models.TextField(_("description"), blank=True)
    citation = models.TextField(_("citation"), blank=True)
    scale_min = models.FloatField(null=True, blank=True)
    scale_max = models.FloatField(null=True, blank=True)
    higher_is_better = models.BooleanField(default=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("contextual series")
        verbose_name_plural = _("contextual series")

    def __str__(self) -> str:
        return self.name_en


class ContextValue(models.Model):
    series = models.ForeignKey(ContextSeries, on_delete=models.CASCADE, related_name="values")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    value = models.FloatField(_("value"), null=True, blank=True)
    label = models.CharField(_("label"), max_length=60, blank=True)

    class Meta:
        ordering = ["series", "country_id", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["series", "country", "year"], name="statistics_context_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.series.code} {self.country_id} {self.year} = {self.label or self.value}"
