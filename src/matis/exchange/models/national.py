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


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Acknowledged by the hub")
    FAILED = "failed", _("Refused by the hub")
    CANCELLED = "cancelled", _("Not sent (no consent)")
    PARKED = "parked", _("Parked after repeated failures")


class OutboxItem(models.Model):
    """One item for the hub. Queued in the transaction of the event that caused it.

    ``idempotency_key`` names the item for ever: the hub stores each key once,
    so a retry after a lost acknowledgement cannot double it. ``payload`` is
    built on the first send attempt and then frozen, so every retry sends the
    same bytes.

    ``chain`` groups the items that depend on each other (a person's token and
    its withdrawals, the revisions of one submission, the country's successive
    releases): they reach the hub in queue order, and a parked item holds back
    the later items of its chain only. ``failures`` counts the attempts in a
    row the hub answered with a server error (or the item could not be
    prepared); at ``MATIS_EXCHANGE_MAX_FAILURES`` the item is parked.
    ``claimed_by`` / ``claimed_until`` are the lease of the pusher sending it
    now: no other pusher takes the item until the lease has expired.
    """

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ItemKind.choices)
    object_type = models.CharField(_("object type"), max_length=80)
    object_id = models.CharField(_("object id"), max_length=64)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120, unique=True)
    chain = models.CharField(_("ordering chain"), max_length=160, blank=True)
    payload = models.JSONField(_("payload"), null=True, blank=True)
    # Cases whose consent the item relies on (kept here, never sent): checked again
    # before every attempt, so an item whose consent was withdrawn is never sent.
    case_ids = models.JSONField(default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    failures = models.PositiveIntegerField(_("failures in a row"), default=0)
    claimed_by = models.CharField(_("sending pusher"), max_length=32, blank=True)
    claimed_until = models.DateTimeField(_("lease ends"), null=True, blank=True)
    parked_at = models.DateTimeField(_("parked"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    ack = models.JSONField(_("acknowledgement"), null=True, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("outbox item")
        verbose_name_plural = _("outbox")
        indexes = [
            models.Index(fields=["status", "next_attempt_at", "id"]),
            models.Index(fields=["country", "chain", "id"], name="exchange_outbox_chain"),
        ]

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
