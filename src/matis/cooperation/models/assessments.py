"""Situation assessments and intelligence summaries (P&C5), shared with named countries.

An analyst writes an :class:`Assessment`, names the recipient countries and
submits it; another officer approves it (four eyes); approval relays it to
each named country and to no other. A recipient instance keeps what it got as
a :class:`ReceivedAssessment`.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.files import stored_name
from matis.common.models import Country
from matis.common.workflow import Transitions


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted for approval")
    APPROVED = "approved", _("Approved and sent")


class Assessment(Transitions, models.Model):
    STATE_FIELD = "status"
    TRANSITIONS = {
        AssessmentStatus.DRAFT: {AssessmentStatus.SUBMITTED},
        AssessmentStatus.SUBMITTED: {AssessmentStatus.APPROVED, AssessmentStatus.DRAFT},
        AssessmentStatus.APPROVED: set(),
    }

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    summary = models.TextField(_("summary"))
    routes = models.TextField(_("routes and trends"), blank=True)
    recipients = models.JSONField(_("recipient countries"), default=list)
    status = models.CharField(
        _("status"), max_length=12, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    created_at = models.DateTimeField(_("written"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("situation assessment")
        verbose_name_plural = _("situation assessments")

    def __str__(self) -> str:
        return self.title


def attachment_path(instance: AssessmentAttachment, filename: str) -> str:
    return stored_name(f"cooperation/assessments/{instance.assessment.country_id}", filename)


class AssessmentAttachment(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        ordering = ["assessment_id", "uploaded_at", "id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.original_name


class ReceivedAssessment(models.Model):
    """An approved assessment another country shared with this one."""

    uid = models.UUIDField()
    country = models.ForeignKey(  # this (receiving) instance
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    sender = models.ForeignKey(
        Country, verbose_name=_("from"), on_delete=models.PROTECT, related_name="+"
    )
    title = models.CharField(_("title"), max_length=200)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    summary = models.TextField(_("summary"))
    routes = models.TextField(_("routes and trends"), blank=True)
    shared_with = models.JSONField(_("shared with"), default=list)
    approved_on = models.DateField(_("approved"))
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received assessment")
        verbose_name_plural = _("received assessments")
        constraints = [
            models.UniqueConstraint(fields=["country", "uid"], name="cooperation_received_once")
        ]

    def __str__(self) -> str:
        return self.title


def received_path(instance: ReceivedAttachment, filename: str) -> str:
    return stored_name(f"cooperation/received/{instance.assessment.country_id}", filename)


class ReceivedAttachment(models.Model):
    assessment = models.ForeignKey(
        ReceivedAssessment, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=received_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["assessment_id", "id"]
        verbose_name = _("received attachment")
        verbose_name_plural = _("received attachments")

    def __str__(self) -> str:
        return self.original_name
