"""Tips (hotline calls, web and messaging tips, police reports) and group registrations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency
from matis.cases.models import Case
from matis.cases.protection import EncryptedCharField, EncryptedTextField
from matis.common.models import (
    Country,
    District,
    Subdivision,
    TimeStampedModel,
    optional_place_field,
)
from matis.common.places import check_district
from matis.common.workflow import Transitions
from matis.intake.choices import Channel, TipStatus, Urgency
from matis.registers.models import HotlineRecord


def clean_province(obj) -> None:
    """The province must be of the country of the place (taken from it when not given),
    and the district of the province."""
    if obj.district_id is not None:
        error = check_district(obj.district, obj.province if obj.province_id else None)
        if error:
            raise ValidationError({"district": error})
    if obj.province_id is None:
        return
    if obj.place_country_id is None:
        obj.place_country_id = obj.province.country_id
    elif obj.province.country_id != obj.place_country_id:
        raise ValidationError(
            {"province": _("This province is not in the country of the place chosen.")}
        )


class Tip(Transitions, TimeStampedModel):
    """One contact that reports a possible trafficking situation.

    What was reported, the reporter's contact and the triage notes can name
    people: they are encrypted at rest like case data. The channel, time,
    country, issue, urgency and status stay in the clear for lists and counts.
    """

    TRANSITIONS = {
        TipStatus.NEW: {TipStatus.TRIAGED, TipStatus.CLOSED},
        TipStatus.TRIAGED: {TipStatus.REFERRED, TipStatus.CONVERTED, TipStatus.CLOSED},
        TipStatus.REFERRED: {TipStatus.CONVERTED, TipStatus.CLOSED},
        TipStatus.CONVERTED: {TipStatus.CONVERTED, TipStatus.CLOSED},
        TipStatus.CLOSED: {TipStatus.TRIAGED},
    }

    reference = models.CharField(_("Tip number"), max_length=32, unique=True)
    country = models.ForeignKey(
        Country, verbose_name=_("Country"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("Received by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("Channel"), max_length=12, choices=Channel.choices)
    received_at = models.DateTimeField(_("Received at"))
    place_country = models.ForeignKey(
        Country,
        verbose_name=_("Country of the place"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    province = optional_place_field(
        Subdivision,
        verbose_name=_("Province"),
        help_text=_("Province, state or region (ISO 3166-2) of the country of the place."),
    )
    district = optional_place_field(
        District,
        verbose_name=_("District"),
        help_text=_("The district of the province, where known."),
    )
    place = models.CharField(
        _("Place details"),
        max_length=200,
        blank=True,
        help_text=_("District, town or site; no names of people."),
    )
    issue = models.CharField(_("Issue"), max_length=24, choices=HotlineRecord.Issue.choices)
    report = EncryptedTextField(_("What was reported"))
    reporter_contact = EncryptedCharField(_("Reporter's contact"), max_length=200, blank=True)
    urgency = models.CharField(
        _("Urgency"), max_length=12, choices=Urgency.choices, default=Urgency.ROUTINE
    )
    status = models.CharField(
        _("Status"), max_length=12, choices=TipStatus.choices, default=TipStatus.NEW
    )
    triage_notes = EncryptedTextField(_("Triage notes"), blank=True)
    referred_to = models.ForeignKey(
        Agency,
        verbose_name=_("Referred to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    referred_on = models.DateField(_("Referred on"), null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("Tip")
        verbose_name_plural = _("Tips")
        indexes = [
            models.Index(fields=["country", "status", "-received_at"]),
            models.Index(fields=["country", "received_at", "channel"]),
        ]

    def clean(self) -> None:
        super().clean()
        clean_province(self)

    def __str__(self) -> str:
        return self.reference


class TipCase(models.Model):
    """A case opened from a tip: each case keeps the link to the tip it came from."""

    tip = models.ForeignKey(Tip, on_delete=models.PROTECT, related_name="case_links")
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="intake_tip")
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("case from a tip")
        verbose_name_plural = _("cases from tips")

    def __str__(self) -> str:
        return f"{self.tip_id}->{self.case_id}"


class GroupRegistration(TimeStampedModel):
    """People rescued together (one raid, one compound), registered in one sitting."""

    reference = models.CharField(_("Group number"), max_length=32, unique=True)
    country = models.ForeignKey(
        Country, verbose_name=_("Country"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("Registered by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    rescued_on = models.DateField(_("Date of rescue"), default=dt.date.today)
    place_country = models.ForeignKey(
        Country,
        verbose_name=_("Country of the place"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    province = optional_place_field(
        Subdivision,
        verbose_name=_("Province"),
        help_text=_("Province, state or region (ISO 3166-2) of the country of the place."),
    )
    district = optional_place_field(
        District,
        verbose_name=_("District"),
        help_text=_("The district of the province, where known."),
    )
    place = models.CharField(
        _("Place details"),
        max_length=200,
        help_text=_("District, town or site; no names of people."),
    )
    operation = models.CharField(_("Operation"), max_length=200, blank=True)
    rescuing_agency = models.CharField(_("Rescuing agency"), max_length=200)
    shelter = models.ForeignKey(
        "cases.ServiceProvider",
        verbose_name=_("Receiving shelter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    tip = models.ForeignKey(
        Tip, verbose_name=_("Tip"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        ordering = ["-rescued_on", "-id"]
        verbose_name = _("Group registration")
        verbose_name_plural = _("Group registrations")

    def clean(self) -> None:
        super().clean()
        clean_province(self)

    def __str__(self) -> str:
        return self.reference


class GroupMember(models.Model):
    """One person of a group registration: her or his own case, screening queued."""

    group = models.ForeignKey(GroupRegistration, on_delete=models.CASCADE, related_name="members")
    row = models.PositiveSmallIntegerField(_("Row"))
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="intake_group")

    class Meta:
        ordering = ["group", "row"]
        constraints = [
            models.UniqueConstraint(fields=["group", "row"], name="intake_member_unique_row"),
        ]

    def __str__(self) -> str:
        return f"{self.group_id}:{self.row}"
