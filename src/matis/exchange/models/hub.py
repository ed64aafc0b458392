"""Hub side: country credentials, the inbox, de-identified records, linkage tokens, alerts."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.common.jobs import BackgroundJob
from matis.common.models import Country
from matis.exchange.models.national import ItemKind


class CountryKey(models.Model):
    """One credential of one country; several may be valid at once while keys rotate.

    The secret is stored encrypted (:mod:`matis.exchange.keys`); only the key
    id travels with requests.
    """

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    key_id = models.CharField(_("key id"), max_length=40, unique=True)
    secret_encrypted = models.TextField()
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    valid_until = models.DateTimeField(_("valid until"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["country_id", "-valid_from"]
        verbose_name = _("country key")
        verbose_name_plural = _("country keys")

    def __str__(self) -> str:
        return f"{self.country_id}:{self.key_id}"

    def is_valid_at(self, when) -> bool:
        if self.revoked_at is not None and self.revoked_at <= when:
            return False
        if self.valid_from > when:
            return False
        return self.valid_until is None or when < self.valid_until


class InboxItem(models.Model):
    """One item received from a country, stored once per idempotency key."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=24, choices=ItemKind.choices)
    idempotency_key = models.CharField(_("idempotency key"), max_length=120)
    payload = models.JSONField(_("payload"))
    payload_digest = models.CharField(max_length=64)
    key_id = models.CharField(_("signed with key"), max_length=40)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    ack = models.JSONField(_("acknowledgement"), default=dict)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("received item")
        verbose_name_plural = _("received items")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "idempotency_key"], name="exchange_inbox_once"
            )
        ]
        indexes = [models.Index(fields=["country", "kind", "-received_at"])]

    def __str__(self) -> str:
        return f"{self.country_id}:{self.idempotency_key}"


class DeidentifiedCase(models.Model):
    """One k-anonymised, HTCDS-shaped case record; a new release replaces the country's last."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    inbox_item = models.ForeignKey(InboxItem, on_delete=models.CASCADE, related_name="+")
    record = models.JSONField(_("record"))

    class Meta:
        ordering = ["country_id", "id"]
        verbose_name = _("de-identified case record")
        verbose_name_plural = _("de-identified case records")

    def __str__(self) -> str:
        return f"{self.country_id} record {self.pk}"


class LinkageToken(models.Model):
    """A person's Bloom-filter encoding (name, date of birth), its spellings and blocking tokens.

    ``consent_countries`` lists the countries (alpha-3) the person consented
    to share with; an alert needs each side's country in the other's list.
    """

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    subject_ref = models.UUIDField(_("subject reference"))
    clk = models.TextField(_("encoding (base64)"))
    # more filters of the same person: whole-name spellings (base64), see MATIS_SPELLINGS
    spellings = models.JSONField(_("spellings (base64 encodings)"), default=list)
    block_tokens = models.JSONField(default=list)
    schema_fingerprint = models.CharField(max_length=32)
    consent_countries = models.JSONField(default=list)
    first_received_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    # received (or received again) since the last matching run: the next run compares it
    match_pending = models.BooleanField(_("waiting for matching"), default=True, db_index=True)

    class Meta:
        ordering = ["first_received_at", "id"]
        verbose_name = _("linkage token")
        verbose_name_plural = _("linkage tokens")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "subject_ref"], name="exchange_token_per_subject"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country_id}:{self.subject_ref}"


class LinkDecision(models.TextChoices):
    PENDING = "open", _("Open")
    CONFIRMED = "confirmed", _("Confirmed")
    DISMISSED = "dismissed", _("Dismissed")


class HubAlert(models.Model):
    """A possible re-trafficking: a newer token of one country matches an earlier one of another.

    A link is confirmed when both countries confirm it. When a person
    withdraws consent the token is deleted; open or dismissed alerts go with
    it, a confirmed link stays (with no token) so the measure keeps it.
    """

    newer_token = models.ForeignKey(
        LinkageToken, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    earlier_token = models.ForeignKey(
        LinkageToken, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    newer_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    earlier_country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    similarity = models.FloatField(_("similarity (Dice)"))
    raised_at = models.DateTimeField(_("raised"), default=timezone.now)
    newer_decision = models.CharField(
        max_length=12, choices=LinkDecision.choices, default=LinkDecision.PENDING
    )
    earlier_decision = models.CharField(
        max_length=12, choices=LinkDecision.choices, default=LinkDecision.PENDING
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        verbose_name = _("re-trafficking alert")
        verbose_name_plural = _("re-trafficking alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["newer_token", "earlier_token"], name="exchange_alert_pair_once"
            ),
            models.CheckConstraint(
                condition=~Q(newer_country=models.F("earlier_country")),
                name="exchange_alert_two_countries",
            ),
        ]

    def __str__(self) -> str:
        return f"alert {self.pk}"

    @property
    def is_confirmed(self) -> bool:
        return (
            self.newer_decision == LinkDecision.CONFIRMED
            and self.earlier_decision == LinkDecision.CONFIRMED
        )

    @property
    def is_dismissed(self) -> bool:
        return LinkDecision.DISMISSED in (self.newer_decision, self.earlier_decision)

    def side_of(self, country_id: str) -> str:
        """``"newer"`` or ``"earlier"``: which side ``country_id`` is on (ValueError if neither)."""
        if country_id == self.newer_country_id:
            return "newer"
        if country_id == self.earlier_country_id:
            return "earlier"
        raise ValueError(f"{country_id} is not a party to alert {self.pk}")


# --- the country-to-country relay (matis.exchange.relay) ------------------------------------


class RelayDirectoryKey(models.Model):
    """A national instance's public relay keys as registered with its credential.

    The newest row of a country (``superseded_at`` empty) is what the
    directory serves. The hub could serve another key than the one a country
    registered: senders pin the fingerprint and administrators compare it out
    of band (docs/exchange.md, "Trust model").
    """

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=64)
    box_public = models.CharField(max_length=64)
    sign_public = models.CharField(max_length=64)
    key_id = models.CharField(_("registered with key"), max_length=40)
    registered_at = models.DateTimeField(_("registered"), default=timezone.now)
    superseded_at = models.DateTimeField(_("superseded"), null=True, blank=True)

    class Meta:
        ordering = ["country_id", "-registered_at", "-id"]
        verbose_name = _("relay directory key")
        verbose_name_plural = _("relay directory keys")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "fingerprint"], name="exchange_directory_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country_id}:{self.fingerprint[:16]}"


class RelayItem(models.Model):
    """A sealed item waiting at the hub for its recipient; deleted once the recipient applied it.

    ``envelope`` is what the sender posted: routing metadata in clear and the
    data encrypted for the recipient instance's key (the hub cannot open it).
    """

    sender = models.ForeignKey(
        Country, verbose_name=_("sender"), on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        Country, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=80)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    sequence = models.PositiveBigIntegerField(_("sequence"))
    envelope = models.TextField()
    size = models.PositiveIntegerField(_("size (bytes)"))
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    parked_error = models.CharField(_("refused by the recipient"), max_length=500, blank=True)

    class Meta:
        ordering = ["recipient_id", "id"]
        verbose_name = _("relayed item")
        verbose_name_plural = _("relayed items")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "idempotency_key"], name="exchange_relayitem_once"
            ),
            models.UniqueConstraint(
                fields=["sender", "recipient", "sequence"], name="exchange_relayitem_sequence"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sender_id}->{self.recipient_id}#{self.sequence}"


class RelayReceipt(models.Model):
    """What became of a relayed item (metadata only): kept after the item itself is deleted.

    Stores the digest of the sealed envelope so a repeat post is recognised
    after the item is gone. A status change writes a new row (a higher id), so
    a sender follows its receipts with an id cursor.
    """

    sender = models.ForeignKey(
        Country, verbose_name=_("sender"), on_delete=models.PROTECT, related_name="+"
    )
    recipient = models.ForeignKey(
        Country, verbose_name=_("recipient"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=80)
    idempotency_key = models.CharField(_("idempotency key"), max_length=100)
    sequence = models.PositiveBigIntegerField(_("sequence"))
    digest = models.CharField(max_length=64)
    status = models.CharField(_("status"), max_length=10)
    error = models.CharField(_("error"), max_length=500, blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        ordering = ["id"]
        verbose_name = _("relay receipt")
        verbose_name_plural = _("relay receipts")
        constraints = [
            models.UniqueConstraint(
                fields=["sender", "idempotency_key"], name="exchange_relayreceipt_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.sender_id}->{self.recipient_id}#{self.sequence}:{self.status}"


class MatchRun(BackgroundJob):
    """One batch run of matching: the pending tokens against every stored token (blocked).

    Receiving a token only stores it as pending and asks for a run
    (:func:`matis.exchange.hub.match_run_request`); the background worker
    (:func:`matis.exchange.tasks.run_match`) or ``matis exchange match`` runs it.
    """

    PHASE_LABELS = {
        "read": _("Reading the tokens"),
        "compare": _("Comparing the tokens"),
        "alerts": _("Raising alerts"),
        "done": _("Done"),
        "busy": _("Not run: another run was running; it or the next run matches these tokens"),
    }

    created_at = models.DateTimeField(_("requested"), default=timezone.now)
    backend = models.CharField(_("engine"), max_length=20, blank=True)
    n_tokens = models.PositiveIntegerField(_("tokens matched"), default=0)
    n_compared = models.PositiveBigIntegerField(_("pairs compared"), default=0)
    n_alerts = models.PositiveIntegerField(_("new alerts"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")

    def __str__(self) -> str:
        return f"matching run {self.pk} ({self.status})"
