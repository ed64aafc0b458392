"""Service providers, referrals between agencies, services delivered, data shared."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency
from matis.cases.choices import ConsentPurpose, ReferralStatus
from matis.cases.htcds import ReferralReason, SupportType
from matis.cases.models.cases import Case
from matis.cases.protection import EncryptedTextField
from matis.common.models import Country, TimeStampedModel
from matis.common.workflow import Transitions


class ServiceProvider(TimeStampedModel):
    """An organisation in the national referral directory."""

    country = models.ForeignKey(
        Country, verbose_name=_("Country"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("Name"), max_length=200)
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("MATIS agency"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Set when the provider's staff use MATIS and answer referrals themselves."),
    )
    services = models.JSONField(_("Services offered"), default=list, blank=True)
    province = models.CharField(_("Province"), max_length=120, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["country_id", "name"]
        verbose_name = _("service provider")
        verbose_name_plural = _("Service providers")
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="cases_provider_unique")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def service_labels(self) -> list[str]:
        labels = dict(SupportType.choices)
        return [str(labels.get(s, s)) for s in self.services]


class Referral(Transitions, TimeStampedModel):
    TRANSITIONS = {
        ReferralStatus.PENDING: {
            ReferralStatus.ACCEPTED,
            ReferralStatus.REJECTED,
            ReferralStatus.REVOKED,
        },
        ReferralStatus.ACCEPTED: {ReferralStatus.COMPLETED, ReferralStatus.REVOKED},
        ReferralStatus.REJECTED: set(),
        ReferralStatus.REVOKED: set(),
        ReferralStatus.COMPLETED: set(),
    }

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="referrals")
    provider = models.ForeignKey(
        ServiceProvider, verbose_name=_("To"), on_delete=models.PROTECT, related_name="referrals"
    )
    referring_agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("Reason"), max_length=32, choices=ReferralReason.choices)
    services = models.JSONField(_("Services requested"), default=list)
    details = EncryptedTextField(_("Details"), blank=True)
    status = models.CharField(
        _("Status"), max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.PENDING
    )
    status_reason = EncryptedTextField(_("reason for the answer"), blank=True)
    referred_on = models.DateField(_("Referred on"), default=dt.date.today)
    answered_on = models.DateField(_("answered on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-referred_on", "-id"]
        verbose_name = _("Referral")
        verbose_name_plural = _("Referrals")


class ServiceDelivery(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="services")
    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, null=True, blank=True, related_name="deliveries"
    )
    provider = models.ForeignKey(ServiceProvider, on_delete=models.PROTECT, related_name="+")
    service_type = models.CharField(_("Service"), max_length=40, choices=SupportType.choices)
    delivered_on = models.DateField(_("delivered on"), default=dt.date.today)
    notes = EncryptedTextField(_("Notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-delivered_on", "-id"]
        verbose_name = _("Service delivered")
        verbose_name_plural = _("services delivered")


class ShareRecord(TimeStampedModel):
    """Case data sent outside the responsible agency (consent checked first)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="shares")
    purpose = models.CharField(_("Purpose"), max_length=20, choices=ConsentPurpose.choices)
    organisation = models.ForeignKey(
        ServiceProvider, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recipient_country = models.ForeignKey(
        Country, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    deidentified = models.BooleanField(_("de-identified"), default=False)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField(_("shared at"), auto_now_add=True)

    class Meta:
        ordering = ["-shared_at", "-id"]
        verbose_name = _("Data shared")
        verbose_name_plural = _("Data shared")
