"""The rest of the HTCDS 2.0 record of a case: the core fields and the trafficking detail.

One row per case (``case.htcds``), kept apart from :class:`Case` so that the
base record stays small. Personal and free-text fields are encrypted at rest
like the person's names; coded fields (lists of HTCDS or CTDC codes, countries)
stay in the clear for statistics and research.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.cases.choices import TravelDocument
from matis.cases.htcds import ReferralReason
from matis.cases.models.cases import Case
from matis.cases.protection import EncryptedCharField, EncryptedTextField
from matis.common.models import Country, TimeStampedModel


class HtcdsRecord(TimeStampedModel):
    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="htcds")

    # Person: the HTCDS core contact fields (encrypted).
    salutation = EncryptedCharField(_("Salutation"), max_length=40, blank=True)
    title = EncryptedCharField(_("Title"), max_length=80, blank=True)
    email = EncryptedCharField(_("Email"), max_length=200, blank=True)
    home_phone = EncryptedCharField(_("Home phone"), max_length=40, blank=True)
    mobile_phone = EncryptedCharField(_("Mobile phone"), max_length=40, blank=True)
    mailing_street = EncryptedCharField(_("Street"), max_length=200, blank=True)
    mailing_city = EncryptedCharField(_("City"), max_length=100, blank=True)
    mailing_state = EncryptedCharField(_("State or province"), max_length=100, blank=True)
    mailing_postal_code = EncryptedCharField(_("Postal code"), max_length=20, blank=True)
    mailing_country = models.ForeignKey(
        Country,
        verbose_name=_("Country of the address"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    # Recruitment.
    recruitment_methods = models.JSONField(_("Method of recruitment"), default=list, blank=True)
    recruiter_relations = models.JSONField(
        _("Relationship to the recruiter"), default=list, blank=True
    )
    recruitment_country = models.ForeignKey(
        Country,
        verbose_name=_("Country of recruitment"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recruitment_location = EncryptedTextField(_("Place of recruitment"), blank=True)
    abducted = models.BooleanField(_("Abducted"), null=True, blank=True)

    # Movement and exploitation.
    transit_countries = models.JSONField(_("Transit countries"), default=list, blank=True)
    travel_document = models.CharField(
        _("Travelled with"), max_length=16, choices=TravelDocument.choices, blank=True
    )
    exploitation_location = EncryptedTextField(_("Place of exploitation"), blank=True)
    control_methods = models.JSONField(_("Means of control"), default=list, blank=True)
    labour_types = models.JSONField(_("Types of forced labour"), default=list, blank=True)
    sex_exploitation_types = models.JSONField(
        _("Types of sexual exploitation"), default=list, blank=True
    )
    exploitation_began_on = models.DateField(_("Exploitation began on"), null=True, blank=True)
    exploitation_months = models.PositiveSmallIntegerField(
        _("Duration of exploitation (months)"), null=True, blank=True
    )
    minor_when_exploited = models.BooleanField(
        _("A child when exploitation began"), null=True, blank=True
    )
    vulnerabilities = models.JSONField(_("Vulnerabilities"), default=list, blank=True)
    vulnerability_details = EncryptedTextField(_("Details of vulnerabilities"), blank=True)

    # Incoming referral (HTCDS core).
    referring_organisation = models.CharField(
        _("Referring organisation"), max_length=200, blank=True
    )
    referring_case_worker = EncryptedCharField(
        _("Referring case worker"), max_length=200, blank=True
    )
    incoming_referral_on = models.DateField(_("Referred to us on"), null=True, blank=True)
    incoming_referral_reason = models.CharField(
        _("Reason for the incoming referral"),
        max_length=32,
        choices=ReferralReason.choices,
        blank=True,
    )
    incoming_referral_details = EncryptedTextField(_("Incoming referral details"), blank=True)
    referred_case_worker = EncryptedCharField(
        _("Case worker we referred to"), max_length=200, blank=True
    )

    # Imported records: the source and the key that makes a re-import idempotent.
    age_band = models.CharField(_("Age range at registration"), max_length=12, blank=True)
    minor_at_registration = models.BooleanField(_("A child at registration"), null=True, blank=True)
    import_source = models.CharField(_("Imported from"), max_length=60, blank=True)
    import_key = models.CharField(
        _("Source record key"), max_length=120, null=True, blank=True, unique=True
    )

    class Meta:
        verbose_name = _("HTCDS record")
        verbose_name_plural = _("HTCDS records")

    def __str__(self) -> str:
        return f"HTCDS {self.case_id}"
