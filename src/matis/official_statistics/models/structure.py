"""The data structure as data: code lists, dimensions, indicators (SDMX-like).

An administrator adds an indicator, a dimension or a code in the admin site;
no code changes. ``source_labels`` holds the texts under which an external
file (the UNODC GLOTIP export) names an entry, one per line.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.official_statistics.keys import CODE_RE, DIMENSION_CODE_RE

code_validator = RegexValidator(
    CODE_RE, _("Letters, digits and underscores; at most 40 characters; not starting with _.")
)
dimension_code_validator = RegexValidator(
    DIMENSION_CODE_RE, _("Capital letters, digits and underscores, starting with a letter.")
)


class Unit(models.TextChoices):
    COUNT = "count", _("Count")
    RATE = "rate", _("Rate per 100,000")
    PERCENT = "percent", _("Percent")
    DAYS = "days", _("Days")


# How external files spell the units (matched case-insensitively).
UNIT_SOURCE_LABELS = {"counts": Unit.COUNT, "count": Unit.COUNT, "number": Unit.COUNT}


def split_labels(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class LabelledMixin(models.Model):
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_th = models.CharField(_("name (Thai)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    source_labels = models.TextField(
        _("labels in source files"),
        blank=True,
        help_text=_(
            "How external files (e.g. the UNODC GLOTIP export) name this entry, one per line."
        ),
    )

    class Meta:
        abstract = True

    @property
    def source_label_list(self) -> list[str]:
        return split_labels(self.source_labels)


class CodeList(LabelledMixin):
    code = models.CharField(
        _("code"), max_length=40, unique=True, validators=[dimension_code_validator]
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("code list")
        verbose_name_plural = _("code lists")

    def __str__(self) -> str:
        return f"{self.code} · {self.name_en}"


class Code(LabelledMixin):
    code_list = models.ForeignKey(
        CodeList, verbose_name=_("code list"), on_delete=models.CASCADE, related_name="codes"
    )
    code = models.CharField(_("code"), max_length=40, validators=[code_validator])
    parent = models.ForeignKey(
        "self",
        verbose_name=_("part of"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("For a sub-category: the category it is part of (same code list)."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code_list", "order", "code"]
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        constraints = [
            models.UniqueConstraint(fields=["code_list", "code"], name="statistics_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} · {self.name_en}"

    def clean(self):
        super().clean()
        if self.parent_id and self.parent.code_list_id != self.code_list_id:
            raise ValidationError({"parent": _("The parent code belongs to another code list.")})
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("A code cannot be part of itself.")})


class Dimension(LabelledMixin):
    code = models.CharField(
        _("code"), max_length=40, unique=True, validators=[dimension_code_validator]
    )
    code_list = models.ForeignKey(
        CodeList, verbose_name=_("code list"), on_delete=models.PROTECT, related_name="dimensions"
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")

    def __str__(self) -> str:
        return f"{self.code} · {self.name_en}"


class StatisticalIndicator(LabelledMixin):
    code = models.CharField(
        _("code"), max_length=40, unique=True, validators=[dimension_code_validator]
    )
    unit = models.CharField(_("unit"), max_length=20, choices=Unit.choices, default=Unit.COUNT)
    is_glotip = models.BooleanField(
        _("GLOTIP indicator"), default=False, help_text=_("Reported in the UNODC GLOTIP data.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    dimensions = models.ManyToManyField(
        Dimension,
        verbose_name=_("dimensions"),
        through="IndicatorDimension",
        related_name="indicators",
    )

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return f"{self.code} · {self.name_en}"


class IndicatorDimension(models.Model):
    """Which dimensions an indicator may be broken down by."""

    indicator = models.ForeignKey(
        StatisticalIndicator, on_delete=models.CASCADE, related_name="indicator_dimensions"
    )
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["indicator", "order"]
        verbose_name = _("indicator dimension")
        verbose_name_plural = _("indicator dimensions")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "dimension"], name="statistics_inddim_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} by {self.dimension.code}"
