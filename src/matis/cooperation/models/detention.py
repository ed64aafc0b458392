"""Detention / consular notices (PRO2): one row per notice on each side of the border.

The detaining country keeps its notice (``direction=out``) linked to the
placement and the case; the country of nationality keeps what it received
(``direction=in``) and nothing else. Both sides hold the same ``notice`` UUID,
which is how acknowledgements and follow-up statuses find their notice.

A *personal* notice carries the minimum personal fields (names, date of
birth) and exists only when the person gave cross-border consent naming the
country of nationality; otherwise the notice is *non-personal*: count, age
group, sex, place type and dates. The personal fields are encrypted at rest
like every case field.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.cases.protection import EncryptedCharField, EncryptedDateField
from matis.common.models import Country


class Direction(models.TextChoices):
    OUT = "out", _("Sent (we detain)")
    IN = "in", _("Received (our national)")


class AgeGroup(models.TextChoices):
    CHILD = "child", _("Child (under 18)")
    ADULT = "adult", _("Adult")
    UNKNOWN = "unknown", _("Age unknown")


class DetentionStatus(models.TextChoices):
    """Follow-up steps; each is recorded by the side that takes it."""

    NOTIFIED = "notified", _("Notified")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged by the country of nationality")
    CONSULAR_VISIT = "consular_visit", _("Visited by a consular officer")
    DOCUMENTS_ISSUED = "documents_issued", _("Travel documents issued")
    RELEASED = "released", _("Released")
    REPATRIATED = "repatriated", _("Repatriated")


# Who records which follow-up step: the consulate of the country of nationality
# visits and issues documents; the detaining country releases and repatriates.
STEPS_OF_NATIONALITY = frozenset({DetentionStatus.CONSULAR_VISIT, DetentionStatus.DOCUMENTS_ISSUED})
STEPS_OF_DETAINING = frozenset({DetentionStatus.RELEASED, DetentionStatus.REPATRIATED})


class DetentionNotice(models.Model):
    notice = models.UUIDField(_("notice number"), default=uuid.uuid4)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    # the instance that holds this row: the detaining country (out), the nationality (in)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )
    other_country = models.ForeignKey(
        Country, verbose_name=_("other country"), on_delete=models.PROTECT, related_name="+"
    )
    # detaining side only
    placement = models.ForeignKey(
        "cases.Placement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="detention_notices",
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    personal = models.BooleanField(_("personal notice (consent given)"), default=False)
    # non-personal fields (both kinds of notice)
    count = models.PositiveSmallIntegerField(_("persons"), default=1)
    age_group = models.CharField(_("age group"), max_length=8, choices=AgeGroup.choices)
    sex = models.CharField(_("sex"), max_length=24)
    place_type = models.CharField(_("kind of place"), max_length=24)
    held_against_will = models.BooleanField(_("held against her or his will"), default=True)
    victim_status = models.CharField(_("trafficking status"), max_length=60, blank=True)
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"), null=True, blank=True)
    # personal fields (only with consent; encrypted)
    given_name = EncryptedCharField(_("given name(s)"), max_length=200, blank=True)
    family_name = EncryptedCharField(_("family name"), max_length=200, blank=True)
    romanised_name = EncryptedCharField(_("name, romanised"), max_length=400, blank=True)
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    place_name = models.CharField(_("place"), max_length=200, blank=True)
    province = models.CharField(_("province"), max_length=120, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    # follow-up
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=DetentionStatus.choices,
        default=DetentionStatus.NOTIFIED,
    )
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    consular_post = models.CharField(_("consular post"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("detention notice")
        verbose_name_plural = _("detention notices")
        constraints = [
            models.UniqueConstraint(
                fields=["country", "notice"], name="cooperation_detention_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.country_id}-{str(self.notice)[:8]}"

    @property
    def detaining_country_id(self) -> str:
        return self.country_id if self.direction == Direction.OUT else self.other_country_id

    @property
    def nationality_id(self) -> str:
        return self.other_country_id if self.direction == Direction.OUT else self.country_id

    def steps_we_record(self) -> frozenset:
        return STEPS_OF_DETAINING if self.direction == Direction.OUT else STEPS_OF_NATIONALITY


class DetentionStatusEvent(models.Model):
    """One follow-up step of a notice, recorded here or received from the other side."""

    event = models.UUIDField(default=uuid.uuid4)
    notice = models.ForeignKey(DetentionNotice, on_delete=models.CASCADE, related_name="events")
    status = models.CharField(_("status"), max_length=20, choices=DetentionStatus.choices)
    on = models.DateField(_("date"))
    by_country = models.ForeignKey(
        Country, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    comment = models.CharField(_("comment (not sent)"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["notice_id", "on", "id"]
        verbose_name = _("detention follow-up")
        verbose_name_plural = _("detention follow-ups")
        constraints = [
            models.UniqueConstraint(fields=["notice", "event"], name="cooperation_status_once")
        ]

    def __str__(self) -> str:
        return f"{self.notice}: {self.status}"
