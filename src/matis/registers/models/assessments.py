"""Information exchange: border and central situation assessments as documents (P&C5, goal 1.5)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.files import stored_name
from matis.common.models import Country
from matis.registers.models.base import CountryRecord, Language, year_range_clean


def assessment_upload_to(instance, filename: str) -> str:
    """Stored under MEDIA_ROOT with a random name; the original name is kept in the row."""
    return stored_name("registers/assessments", filename)


class SituationAssessment(CountryRecord):
    REF_PREFIX = "SA"

    class Kind(models.TextChoices):
        BORDER = "border", _("Border assessment")
        CENTRAL = "central", _("Central assessment")
        JOINT = "joint", _("Joint cross-border assessment")

    class Classification(models.TextChoices):
        PUBLIC = "public", _("Public")
        RESTRICTED = "restricted", _("Restricted to government partners")
        CONFIDENTIAL = "confidential", _("Confidential")

    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    border_point = models.CharField(
        _("border point or area"),
        max_length=200,
        blank=True,
        help_text=_("For border assessments: the crossing or border area covered."),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    issued_on = models.DateField(_("issued on"))
    language = models.CharField(_("language"), max_length=5, choices=Language.choices)
    classification = models.CharField(
        _("classification"), max_length=14, choices=Classification.choices
    )
    shared_with = models.ManyToManyField(
        Country,
        verbose_name=_("shared with"),
        related_name="+",
        blank=True,
        help_text=_("Governments the assessment was exchanged with."),
    )
    findings = models.TextField(_("main findings"))
    document = models.FileField(
        _("document"), upload_to=assessment_upload_to, blank=True, max_length=200
    )
    document_name = models.CharField(_("file name"), max_length=200, blank=True, editable=False)
    document_type = models.CharField(max_length=120, blank=True, editable=False)
    document_size = models.PositiveIntegerField(null=True, blank=True, editable=False)
    document_sha256 = models.CharField(max_length=64, blank=True, editable=False)

    class Meta(CountryRecord.Meta):
        ordering = ["-issued_on", "title"]
        verbose_name = _("situation assessment")
        verbose_name_plural = _("situation assessments")

    def __str__(self) -> str:
        return self.title

    def clean(self):
        super().clean()
        errors: dict = {}
        year_range_clean(self.period_start, self.period_end, errors, "period_end")
        if self.period_end and self.issued_on and self.issued_on < self.period_start:
            errors["issued_on"] = _("It cannot be issued before the period it covers begins.")
        if self.kind == self.Kind.BORDER and not self.border_point:
            errors["border_point"] = _("A border assessment names its border point or area.")
        if errors:
            raise ValidationError(errors)
