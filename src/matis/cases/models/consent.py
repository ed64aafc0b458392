"""Informed consent per purpose: an append-only list of given / withdrawn events."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.cases.choices import ConsentGivenBy, ConsentPurpose, Language
from matis.cases.models.cases import Case
from matis.cases.protection import EncryptedCharField
from matis.common.models import Country, TimeStampedModel


class ConsentEvent(TimeStampedModel):
    """Consent given or withdrawn for one purpose (and organisation or country)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("Purpose"), max_length=20, choices=ConsentPurpose.choices)
    organisation = models.ForeignKey(
        "cases.ServiceProvider",
        verbose_name=_("Organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recipient_country = models.ForeignKey(
        Country,
        verbose_name=_("Country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    given = models.BooleanField(_("Consent given"))
    on = models.DateField(_("Date"), default=dt.date.today)
    language = models.CharField(_("Language explained in"), max_length=8, choices=Language.choices)
    given_by = models.CharField(
        _("Given by"), max_length=12, choices=ConsentGivenBy.choices, default=ConsentGivenBy.PERSON
    )
    witness = EncryptedCharField(_("Witness"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("Consent")
        verbose_name_plural = _("consents")

    def clean(self):
        super().clean()
        if self.purpose == ConsentPurpose.REFERRAL and not self.organisation_id:
            raise ValidationError(
                {"organisation": _("Consent to a referral names the organisation.")}
            )
        if self.purpose == ConsentPurpose.CROSS_BORDER and not self.recipient_country_id:
            raise ValidationError({"recipient_country": _("Name the country data may go to.")})
        if self.purpose != ConsentPurpose.REFERRAL and self.organisation_id:
            raise ValidationError(
                {"organisation": _("Only a referral consent names an organisation.")}
            )
        if self.purpose != ConsentPurpose.CROSS_BORDER and self.recipient_country_id:
            raise ValidationError(
                {"recipient_country": _("Only cross-border consent names a country.")}
            )
