"""A user's choice of inbox mail, and the record of what was mailed (so nothing goes twice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Frequency(models.TextChoices):
    IMMEDIATE = "immediate", _("At once, when new work arrives")
    DAILY = "daily", _("One daily digest")
    NONE = "none", _("No e-mail")


class NotificationPreference(models.Model):
    """How a user wants to hear of the inbox by e-mail (no row: the daily digest)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="inbox_preference"
    )
    frequency = models.CharField(
        _("e-mail about my inbox"),
        max_length=12,
        choices=Frequency.choices,
        default=Frequency.DAILY,
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("inbox e-mail preference")
        verbose_name_plural = _("inbox e-mail preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.frequency}"


class DigestRecord(models.Model):
    """One daily digest mailed to one user for one day: the day is never mailed twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("day"))
    item_count = models.PositiveIntegerField(_("items"))
    sent_at = models.DateTimeField(_("sent"), auto_now_add=True)

    class Meta:
        ordering = ["-day", "user_id"]
        verbose_name = _("daily digest sent")
        verbose_name_plural = _("daily digests sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="inbox_one_digest_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day}"


class NotifiedItem(models.Model):
    """An inbox item a user was already told of at once (immediate mails tell only new ones).

    ``key`` is the item's stable key (``"<source>:<record id>"``); it names no
    person. Rows of items that left the inbox are removed, so an item that
    comes back is news again.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)
    notified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="inbox_notified_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.key}"
