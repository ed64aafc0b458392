"""Offline grants (one per device set up for offline work) and the receipts of synced records."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def new_salt() -> str:
    return secrets.token_hex(16)


class OfflineGrant(models.Model):
    """Permission for one device of one user to download the bundle and to sync.

    The salt is public (it is sent to the device); the key the device derives
    from it and the user's password never reaches the server.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offline_grants"
    )
    salt = models.CharField(max_length=64, default=new_salt, editable=False)
    device = models.CharField(_("device"), max_length=200, blank=True)
    # the stored (hashed) key of the session the device was set up in: revoking ends it
    session_ref = models.CharField(max_length=40, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("offline grant")
        verbose_name_plural = _("offline grants")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{_('offline grant')} {self.pk}"

    @property
    def country_id(self) -> str | None:
        return self.user.country_id

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class SyncStatus(models.TextChoices):
    APPLIED = "applied", _("Saved")
    DUPLICATE = "duplicate", _("Possible duplicate")
    CONFLICT = "conflict", _("Conflict")
    INVALID = "invalid", _("Not valid")


class SyncReceipt(models.Model):
    """One record sent by a device, kept so that a replay changes nothing.

    Only records that were written are kept (``applied``): a duplicate or an
    invalid record changed nothing and may be sent again once corrected.
    ``digest`` is a SHA-256 of the record as sent; a second record with the
    same id and another digest is a conflict, never an overwrite.
    """

    client_uuid = models.UUIDField(unique=True)
    grant = models.ForeignKey(OfflineGrant, on_delete=models.PROTECT, related_name="receipts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    digest = models.CharField(max_length=64)
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reference = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("synced record")
        verbose_name_plural = _("synced records")

    def __str__(self) -> str:
        return f"{_('synced record')} {self.client_uuid}"
