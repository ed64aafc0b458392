"""National side: the outbox of items for the hub, linkage subjects, and alerts pulled back."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country


class ItemKind(models.TextChoices):
    MONITORING_REPORT = "monitoring_report", _("Approved monitoring report")
    STATISTICS = "statistics", _("Approved official statistics")
    DEIDENTIFIED_CASES = "deidentified_cases", _("De-identified case records")
    LINKAGE_TOKEN = "linkage_token", _("Linkage token")
    TOKEN_REVOKE = "token_revoke", _("Linkage token withdrawn")
    ALERT_DECISION = "alert_decision", _("Decision on a re-trafficking alert")
    DECISION_STATUS = "decision_status", _("Status on a SOM/IMM follow-up action")


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Acknowledged by the hub")
    FAILED = "failed", _("Refused by the hub")
    CANCELLED = "cancelled", _("Not sent (no consent)")


class OutboxItem(models.Model):
    """One item for the hub. Queued in the transaction of the event that caused it.

    ``idempotency_key`` names the item for ever: the hub stores each key once,
    so a retry after a lost acknowledgement cannot double it. ``payload`` is
    built on the first send attempt and then frozen, so every retry sends the
    same bytes.
    """

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ItemKind.choices)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    payload = models.JSONField(_("payload"), null=True, blank=True)
    # Cases whose consent the item relies on (kept here, never sent): checked again
    # before every attempt, so an item whose consent was withdrawn is never sent.
    case_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    ack = models.JSONField(_("acknowledgement"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox item")
        verbose_name_plural = _("outbox")
        indexes = [models.Index(fields=["status", "next_attempt_at", "id"])]

    def __str__(self) -> str:
        return self.idempotency_key


class LinkageSubject(models.Model):
    """The opaque reference under which a case's linkage token is known at the hub.

    A random UUID: the hub learns neither the case number nor the database id.
    """

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="linkage_subject"
    )
    ref = models.UUIDField(_("reference at the hub"), default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("linkage subject")
        verbose_name_plural = _("linkage subjects")

    def __str__(self) -> str:
        return str(self.ref)


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed: the same person")
    DISMISSED = "dismissed", _("Dismissed: not the same person")


class ReceivedAlert(models.Model):
    """A re-trafficking alert the hub raised for one of this country's cases."""

    hub_alert_id = models.PositiveBigIntegerField(_("alert number at the hub"))
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    subject = models.ForeignKey(LinkageSubject, on_delete=models.CASCADE, related_name="alerts")
    other_country = models.ForeignKey(
        Country, verbose_name=_("other country"), on_delete=models.PROTECT, related_name="+"
    )
    similarity = models.FloatField(_("similarity (Dice)"))
    this_case_is_newer = models.BooleanField(_("this case is the newer one"))
    raised_at = models.DateTimeField(_("raised"))
    status = models.CharField(
        _("decision"), max_length=12, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    other_status = models.CharField(
        _("decision of the other country"),
        max_length=12,
        choices=AlertStatus.choices,
        default=AlertStatus.OPEN,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    fetched_at = models.DateTimeField(_("fetched"), default=timezone.now)

    class Meta:
        ordering = ["status", "-raised_at", "-id"]
        verbose_name = _("re-trafficking alert")
        verbose_name_plural = _("re-trafficking alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "hub_alert_id"], name="exchange_received_alert_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country_id}-{self.hub_alert_id}"

    @property
    def is_open(self) -> bool:
        return self.status == AlertStatus.OPEN
