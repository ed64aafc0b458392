"""Situation assessments as documents with metadata (P&C5)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from matis.registers import services
from matis.registers.kit.specs import Computed, Register, define_register
from matis.registers.models import (
    SituationAssessment,
)


def _upload_field(*, user, instance):
    return {
        "upload": forms.FileField(
            label=_("Document"),
            required=False,
            help_text=_("PDF, Word, Excel, OpenDocument or image, up to 10 MB."),
        )
    }


def _assessment_after_save(*, obj, data, actor):
    if data.get("upload"):
        services.assessment_document_attach(actor=actor, assessment=obj, uploaded=data["upload"])


define_register(
    Register(
        key="assessments",
        model=SituationAssessment,
        group="assessments",
        activities=("P&C5",),
        fields=(
            "title",
            "kind",
            "border_point",
            "period_start",
            "period_end",
            "issued_on",
            "language",
            "classification",
            "shared_with",
            "findings",
            "notes",
        ),
        list_columns=(
            "ref",
            "title",
            "kind",
            "border_point",
            "issued_on",
            "classification",
            Computed(
                "has_document",
                _("Document"),
                lambda o, c: (_("Attached"), "yes") if o.document else None,
                "badge",
            ),
        ),
        filters=("kind", "classification", "language"),
        search=("title", "border_point", "findings"),
        date_field="issued_on",
        chart_by="kind",
        chart_label=_("Assessments issued"),
        prefetch=("shared_with",),
        extra_form_fields=_upload_field,
        after_save=_assessment_after_save,
        file_field="document",
        extra_template="registers/extra/assessment.html",
    )
)
