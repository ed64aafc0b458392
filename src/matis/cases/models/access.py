"""Break-the-glass: time-limited emergency access to one case, with a reason."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from matis.cases.models.cases import Case
from matis.cases.protection import EncryptedTextField


class BreakGlassGrant(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="break_glass_grants")
    reason = EncryptedTextField(_("Reason"))
    granted_at = models.DateTimeField(_("granted"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))

    class Meta:
        ordering = ["-granted_at"]
        indexes = [models.Index(fields=["user", "expires_at"])]

    def __str__(self) -> str:
        return f"break-glass {self.pk}"

    @property
    def is_active(self) -> bool:
        return self.expires_at > timezone.now()
