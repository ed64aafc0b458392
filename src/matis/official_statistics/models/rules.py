"""Validation rules as data (DHIS2 style) and the violations they find in a submission."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.official_statistics.models.observations import Submission
from matis.official_statistics.models.structure import Dimension, StatisticalIndicator


class Severity(models.TextChoices):
    ERROR = "error", _("Error: blocks approval")
    WARNING = "warning", _("Warning: needs a comment")


class Operator(models.TextChoices):
    LE = "<=", "≤"
    LT = "<", "<"
    GE = ">=", "≥"
    GT = ">", ">"
    EQ = "==", "="
    NE = "!=", "≠"


class CellScope(models.TextChoices):
    ALL = "all", _("Every observation")
    TOTALS = "totals", _("Only an indicator's grand total")


class ValidationRule(models.Model):
    """``left_side operator right_side``, checked on every cell a rule applies to.

    Terms (see :mod:`matis.official_statistics.validation`): ``value``; ``sum`` and
    ``count`` of the cell's breakdown by ``dimension``; ``history_median`` and
    ``robust_z`` against the country's other years; ``indicator:CODE`` (the same
    cell of another indicator); a number; or ``<number> * <term>``.
    """

    code = models.CharField(_("code"), max_length=60, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=200)
    name_th = models.CharField(_("name (Thai)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    indicator = models.ForeignKey(
        StatisticalIndicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: every indicator."),
    )
    dimension = models.ForeignKey(
        Dimension,
        verbose_name=_("breakdown dimension"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("For the terms sum and count."),
    )
    left_side = models.CharField(_("left side"), max_length=100)
    operator = models.CharField(_("operator"), max_length=2, choices=Operator.choices)
    right_side = models.CharField(_("right side"), max_length=100)
    cells = models.CharField(
        _("applies to"), max_length=10, choices=CellScope.choices, default=CellScope.ALL
    )
    min_history = models.PositiveSmallIntegerField(
        _("minimum other years"), default=3, help_text=_("For history_median and robust_z.")
    )
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    is_active = models.BooleanField(_("active"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("validation rule")
        verbose_name_plural = _("validation rules")

    def __str__(self) -> str:
        return f"{self.code}: {self.left_side} {self.operator} {self.right_side}"

    def clean(self):
        from matis.official_statistics.validation import RuleSyntaxError, check_rule_syntax

        super().clean()
        try:
            check_rule_syntax(self)
        except RuleSyntaxError as exc:
            raise ValidationError({exc.field: str(exc)}) from None


class RuleViolation(models.Model):
    """One rule that one cell of a submission breaks; a warning needs a comment before approval."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="violations")
    rule = models.ForeignKey(ValidationRule, on_delete=models.CASCADE, related_name="violations")
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    indicator = models.ForeignKey(StatisticalIndicator, on_delete=models.CASCADE, related_name="+")
    series_key = models.CharField(_("dimension values"), max_length=200, blank=True)
    left_text = models.CharField(_("left side"), max_length=100)
    right_text = models.CharField(_("right side"), max_length=100)
    comment = models.TextField(_("comment"), blank=True)
    commented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    commented_at = models.DateTimeField(null=True, blank=True)
    found_at = models.DateTimeField(_("found"), auto_now_add=True)

    class Meta:
        ordering = ["submission", "severity", "rule__order", "indicator__order", "series_key"]
        verbose_name = _("rule violation")
        verbose_name_plural = _("rule violations")
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "rule", "indicator", "series_key"],
                name="statistics_violation_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rule.code} {self.indicator_id} [{self.series_key}]"

    @property
    def is_error(self) -> bool:
        return self.severity == Severity.ERROR

    @property
    def needs_comment(self) -> bool:
        return self.severity == Severity.WARNING and not self.comment.strip()
