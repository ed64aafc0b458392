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
    RELAY = "relay", _("Item for another country (encrypted for it)")
    DECISION_STATUS = "decision_status", _("Status on a SOM/IMM follow-up action")


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


class DecisionBasis(models.TextChoices):
    """How a case worker checked an alert before deciding it (coded: no free text leaves)."""

    INTERVIEW = "interview", _("The person confirmed it in an interview")
    DOCUMENTS = "documents", _("Identity documents or photographs match")
    COUNTERPART = "counterpart", _("The counterpart agency confirmed it through the agreed channel")
    DETAILS_DIFFER = "details_differ", _("On checking, the details differ")
    COUNTERPART_DIFFERS = (
        "counterpart_differs",
        _("The counterpart agency found it is a different person"),
    )

    @classmethod
    def for_decision(cls, decision: str) -> list[DecisionBasis]:
        if decision == AlertStatus.CONFIRMED:
            return [cls.INTERVIEW, cls.DOCUMENTS, cls.COUNTERPART]
        if decision == AlertStatus.DISMISSED:
            return [cls.DETAILS_DIFFER, cls.COUNTERPART_DIFFERS]
        return []


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
    decision_basis = models.CharField(
        _("how it was checked"), max_length=24, choices=DecisionBasis.choices, blank=True
    )
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


# --- the country-to-country relay (matis.exchange.relay) ------------------------------------


class InstanceKey(models.Model):
    """This instance's long-term relay keys: X25519 (items are sealed to it) and Ed25519 (signs).

    The private halves are stored encrypted with the vault key
    (:func:`matis.exchange.keys.vault_encrypt`); the public halves are
    registered at the hub's directory. An older key stays (``retired_at``) so
    items sealed to it can still be opened.
    """

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64, unique=True)
    box_public = models.CharField(max_length=64)
    sign_public = models.CharField(max_length=64)
    private_encrypted = models.TextField()
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    registered_at = models.DateTimeField(_("registered at the hub"), null=True, blank=True)
    retired_at = models.DateTimeField(_("retired"), null=True, blank=True)

    class Meta:
        ordering = ["country_id", "-created_at", "-id"]
        verbose_name = _("instance relay key")
        verbose_name_plural = _("instance relay keys")

    def __str__(self) -> str:
        return f"{self.country_id}:{self.fingerprint[:16]}"


class PeerKeySource(models.TextChoices):
    HUB = "hub", _("First seen at the hub's directory")
    ADMIN = "admin", _("Set by an administrator (checked out of band)")


class PeerKey(models.Model):
    """Another national instance's public relay keys, pinned by this instance (``holder``)."""

    holder = models.ForeignKey(
        Country, verbose_name=_("held by"), on_delete=models.PROTECT, related_name="+"
    )
    peer = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    box_public = models.CharField(max_length=64)
    sign_public = models.CharField(max_length=64)
    source = models.CharField(_("pinned from"), max_length=8, choices=PeerKeySource.choices)
    pinned_at = models.DateTimeField(_("pinned"), default=timezone.now)

    class Meta:
        ordering = ["holder_id", "peer_id"]
        verbose_name = _("pinned relay key")
        verbose_name_plural = _("pinned relay keys")
        constraints = [
            models.UniqueConstraint(fields=["holder", "peer"], name="exchange_peerkey_once")
        ]

    def __str__(self) -> str:
        return f"{self.holder_id}->{self.peer_id}:{self.fingerprint[:16]}"


class RelayCounter(models.Model):
    """The last sequence number given to an item from ``sender`` to ``recipient``."""

    sender = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    last_sequence = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["sender", "recipient"], name="exchange_relay_counter")
        ]

    def __str__(self) -> str:
        return f"{self.sender_id}->{self.recipient_id}:{self.last_sequence}"


class RelayDelivery(models.TextChoices):
    QUEUED = "queued", _("Queued here")
    AT_HUB = "at_hub", _("Waiting at the hub")
    APPLIED = "applied", _("Applied by the recipient")
    PARKED = "parked", _("Refused by the recipient (parked)")
    VOID = "void", _("Place-holder for a cancelled item")


class RelayOutgoing(models.Model):
    """What an outbox item of kind ``relay`` carries, and what the recipient made of it.

    ``data`` is the plaintext (this instance's own data); it is sealed for the
    recipient when first sent and the sealed envelope is the outbox item's
    payload. A *void* item holds the sequence number of a cancelled item so
    the recipient's ordering does not wait for ever.
    """

    outbox_item = models.OneToOneField(OutboxItem, on_delete=models.CASCADE, related_name="relay")
    sender = models.ForeignKey(
        Country, verbose_name=_("sender"), on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        Country, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=80)
    key = models.CharField(_("idempotency key"), max_length=100)
    sequence = models.PositiveBigIntegerField(_("sequence"))
    data = models.JSONField(null=True, blank=True)
    is_void = models.BooleanField(default=False)
    delivery = models.CharField(
        _("delivery"), max_length=10, choices=RelayDelivery.choices, default=RelayDelivery.QUEUED
    )
    delivery_error = models.CharField(_("refusal"), max_length=500, blank=True)
    delivery_at = models.DateTimeField(null=True, blank=True)
    hub_receipt = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["sender_id", "recipient_id", "sequence", "id"]
        verbose_name = _("item for another country")
        verbose_name_plural = _("items for other countries")
        indexes = [models.Index(fields=["sender", "recipient", "sequence"])]

    def __str__(self) -> str:
        return f"{self.sender_id}->{self.recipient_id}#{self.sequence}"


class RelayReceivedStatus(models.TextChoices):
    APPLIED = "applied", _("Applied")
    PARKED = "parked", _("Parked (refused)")
    VOID = "void", _("Place-holder (the sender cancelled the item)")


class RelayReceived(models.Model):
    """One item received from another country's instance: applied once, in sequence order.

    Holds routing metadata and the outcome only; what the item says is kept
    by the kind's ``receive()`` in its own records.
    """

    recipient = models.ForeignKey(
        Country, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    sender = models.ForeignKey(
        Country, verbose_name=_("sender"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=80)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    sequence = models.PositiveBigIntegerField(_("sequence"))
    status = models.CharField(_("status"), max_length=10, choices=RelayReceivedStatus.choices)
    error = models.CharField(_("error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    acked_at = models.DateTimeField(_("acknowledged to the hub"), null=True, blank=True)

    class Meta:
        ordering = ["recipient_id", "sender_id", "sequence"]
        verbose_name = _("item from another country")
        verbose_name_plural = _("items from other countries")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "sender", "idempotency_key"], name="exchange_relay_once"
            ),
            models.UniqueConstraint(
                fields=["recipient", "sender", "sequence"], name="exchange_relay_sequence_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender_id}->{self.recipient_id}#{self.sequence}"
