"""Activity progress reports and their workflow: draft -> submitted -> reviewed -> approved."""

from __future__ import annotations

from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency, AuditAction
from matis.common.files import stored_name
from matis.common.models import Country, TimeStampedModel
from matis.common.workflow import Transitions
from matis.monitoring.models.periods import ReportingPeriod
from matis.plans.models import Activity, RoleFunction


class ProgressStatus(models.TextChoices):
    """How far a country has carried out an activity by the end of the period."""

    NOT_STARTED = "not_started", _("Not started")
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    NOT_APPLICABLE = "not_applicable", _("Not applicable")


class Workflow(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    REVIEWED = "reviewed", _("Reviewed")
    APPROVED = "approved", _("Approved and locked")


class OutputKind(models.TextChoices):
    """Outputs counted in activity reports."""

    OFFICIALS_TRAINED = "officials_trained", _("Officials trained")
    TRAININGS_HELD = "trainings_held", _("Training courses held")
    AGREEMENTS_SIGNED = "agreements_signed", _("Agreements signed")
    SOPS_ADOPTED = "sops_adopted", _("SOPs and guidelines adopted")
    LAWS_ADOPTED = "laws_adopted", _("Laws and regulations adopted or amended")
    CAMPAIGNS_RUN = "campaigns_run", _("Awareness campaigns run")
    PEOPLE_REACHED = "people_reached", _("People reached by awareness activities")
    STUDIES_PUBLISHED = "studies_published", _("Studies and reports published")


class PartnerType(models.TextChoices):
    """The columns of the SPA III roles matrix (plans.RoleFunction)."""

    GOVERNMENT = "government", _("COMMIT government")
    SECRETARIAT = "secretariat", _("Secretariat")
    NGO = "ngo", _("NGO or international partner")
    PRIVATE = "private", _("Private sector")


class Transition(NamedTuple):
    """One allowed step of the report workflow, with who takes it and what it records."""

    name: str
    source: str
    target: str
    by: str  # "country": the country's task force officer; "secretariat": the reviewer
    audit_action: AuditAction
    comment_required: bool
    label: str


# The explicit list of allowed workflow steps; ActivityReport.TRANSITIONS is built from it.
REPORT_TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "submit",
        Workflow.DRAFT,
        Workflow.SUBMITTED,
        "country",
        AuditAction.SUBMIT,
        False,
        _("Submit to the secretariat"),
    ),
    Transition(
        "review",
        Workflow.SUBMITTED,
        Workflow.REVIEWED,
        "secretariat",
        AuditAction.REVIEW,
        True,
        _("Record the review"),
    ),
    Transition(
        "return",
        Workflow.SUBMITTED,
        Workflow.DRAFT,
        "secretariat",
        AuditAction.REJECT,
        True,
        _("Return to the country for changes"),
    ),
    Transition(
        "return_after_review",
        Workflow.REVIEWED,
        Workflow.DRAFT,
        "secretariat",
        AuditAction.REJECT,
        True,
        _("Return to the country for changes"),
    ),
    Transition(
        "approve",
        Workflow.REVIEWED,
        Workflow.APPROVED,
        "secretariat",
        AuditAction.APPROVE,
        False,
        _("Approve and lock"),
    ),
    Transition(
        "reopen",
        Workflow.APPROVED,
        Workflow.DRAFT,
        "secretariat",
        AuditAction.UNLOCK,
        True,
        _("Reopen for correction"),
    ),
)


class ActivityReport(Transitions, TimeStampedModel):
    """One country's progress on one SPA III activity in one reporting period."""

    STATE_FIELD = "workflow"
    # For each state, its allowed targets and the step to each; anything else raises
    # TransitionNotAllowed.
    TRANSITIONS = {
        state: {t.target: t for t in REPORT_TRANSITIONS if t.source == state}
        for state in Workflow.values
    }

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    activity = models.ForeignKey(
        Activity, verbose_name=_("activity"), on_delete=models.PROTECT, related_name="reports"
    )
    period = models.ForeignKey(
        ReportingPeriod, verbose_name=_("period"), on_delete=models.PROTECT, related_name="reports"
    )
    progress = models.CharField(
        _("status"),
        max_length=20,
        choices=ProgressStatus.choices,
        default=ProgressStatus.NOT_STARTED,
    )
    narrative = models.TextField(_("narrative"), blank=True)
    narrative_language = models.CharField(
        _("language of the narrative"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    responsible_agencies = models.ManyToManyField(
        Agency, verbose_name=_("responsible agencies"), blank=True, related_name="+"
    )
    workflow = models.CharField(
        _("workflow state"), max_length=12, choices=Workflow.choices, default=Workflow.DRAFT
    )
    revision = models.PositiveIntegerField(_("revision"), default=0)
    synthetic = models.BooleanField(
        _("synthetic demonstration data"), default=False, editable=False
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["period__year", "country_id", "activity__area__number", "activity__number"]
        verbose_name = _("activity report")
        verbose_name_plural = _("activity reports")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "activity", "period"], name="activity_report_unique"
            ),
        ]
        indexes = [models.Index(fields=["period", "workflow"])]

    def __str__(self) -> str:
        return f"{self.country_id} {self.activity.code} {self.period.year}"

    def clean(self):
        super().clean()
        if self.narrative.strip() and not self.narrative_language:
            raise ValidationError(
                {"narrative_language": _("Say which language the narrative is written in.")}
            )

    # --- workflow rules --------------------------------------------------------
    def available_transitions(self) -> list[Transition]:
        """The steps allowed from the current state, in the order of the list."""
        return list(self.TRANSITIONS.get(self.workflow, {}).values())

    @property
    def is_locked(self) -> bool:
        """Approved reports and reports of a closed period cannot change."""
        return self.workflow == Workflow.APPROVED or self.period.is_locked

    @property
    def is_editable_content(self) -> bool:
        """Content changes only in draft, only while the period takes country edits."""
        return self.workflow == Workflow.DRAFT and self.period.accepts_country_edits()


class ReportOutput(models.Model):
    """A counted output of an activity report (e.g. 120 officials trained)."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="outputs")
    kind = models.CharField(_("output"), max_length=30, choices=OutputKind.choices)
    count = models.PositiveIntegerField(_("count"), validators=[MaxValueValidator(10**9)])

    class Meta:
        ordering = ["report_id", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["report", "kind"], name="report_output_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.count}"


class ReportPartner(models.Model):
    """A partner that supported the activity, by type and (optionally) roles-matrix function."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="partners")
    partner_type = models.CharField(_("partner type"), max_length=12, choices=PartnerType.choices)
    name = models.CharField(_("partner"), max_length=200)
    function = models.ForeignKey(
        RoleFunction,
        verbose_name=_("function"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["report_id", "partner_type", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "partner_type", "name", "function"], name="report_partner_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if self.function_id and self.partner_type and not getattr(self.function, self.partner_type):
            raise ValidationError(
                {
                    "function": _(
                        "The roles matrix does not give %(type)s the function “%(function)s”."
                    )
                    % {
                        "type": PartnerType(self.partner_type).label,
                        "function": self.function.function_en,
                    }
                }
            )


class ReviewComment(models.Model):
    """A comment written with a workflow transition (review, return, reopen)."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    transition = models.CharField(_("step"), max_length=30)
    text = models.TextField(_("comment"))
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["report_id", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.transition}: {self.text[:40]}"


def evidence_path(instance: EvidenceFile, filename: str) -> str:
    """A random stored name; the uploader's file name is kept only as metadata."""
    report = instance.report
    return stored_name(f"monitoring/evidence/{report.country_id}/{report.period.year}", filename)


class EvidenceFile(models.Model):
    """A file that documents an activity report, stored outside the web root."""

    report = models.ForeignKey(ActivityReport, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["report_id", "uploaded_at", "id"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name
