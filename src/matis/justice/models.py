"""Criminal cases linked to victims (CJ4, CJ6, CJ7; goal 2.4).

A criminal case belongs to one country and moves through stages along
:attr:`CriminalCase.TRANSITIONS`. Defendants' names are personal data
and are encrypted like case data (the cases app's fields). Victims appear as
links to their case in the cases app (:class:`VictimWitness`), made only with
their consent to sharing with law enforcement.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency
from matis.cases.choices import ConsentGivenBy
from matis.cases.htcds import Gender
from matis.cases.models import Case
from matis.cases.protection import EncryptedCharField, EncryptedTextField
from matis.common.models import Country, TimeStampedModel
from matis.common.workflow import Transitions
from matis.justice.choices import (
    ClaimKind,
    Currency,
    Instance,
    Law,
    PerpetratorRole,
    Stage,
    VerdictOutcome,
    WitnessRole,
)

MONEY = {"max_digits": 16, "decimal_places": 2, "validators": [MinValueValidator(Decimal(0))]}


class CriminalCase(Transitions, TimeStampedModel):
    STATE_FIELD = "stage"
    TRANSITIONS = {
        Stage.INVESTIGATION: {Stage.PROSECUTION, Stage.CLOSED},
        Stage.PROSECUTION: {Stage.TRIAL, Stage.CLOSED},
        Stage.TRIAL: {Stage.VERDICT, Stage.CLOSED},
        Stage.VERDICT: {Stage.APPEAL, Stage.CLOSED},
        Stage.APPEAL: {Stage.VERDICT, Stage.CLOSED},
        Stage.CLOSED: set(),
    }

    country = models.ForeignKey(
        Country, verbose_name=_("Country"), on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(_("Case number (police or court)"), max_length=64)
    agency = models.ForeignKey(
        Agency, verbose_name=_("Responsible agency"), on_delete=models.PROTECT, related_name="+"
    )
    court = models.CharField(_("Court"), max_length=200, blank=True)
    opened_on = models.DateField(_("Investigation opened on"))
    stage = models.CharField(
        _("Stage"), max_length=16, choices=Stage.choices, default=Stage.INVESTIGATION
    )
    summary = EncryptedTextField(_("Summary"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("Criminal case")
        verbose_name_plural = _("Criminal cases")
        constraints = [
            models.UniqueConstraint(fields=["country", "reference"], name="justice_ref_unique")
        ]

    def __str__(self) -> str:
        return self.reference


class StageChange(TimeStampedModel):
    criminal_case = models.ForeignKey(
        CriminalCase, on_delete=models.CASCADE, related_name="stage_changes"
    )
    stage = models.CharField(_("Stage"), max_length=16, choices=Stage.choices)
    on = models.DateField(_("Date"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["on", "id"]


class Defendant(TimeStampedModel):
    """A suspect or defendant. Names are encrypted; role from HTCDS."""

    criminal_case = models.ForeignKey(
        CriminalCase, on_delete=models.CASCADE, related_name="defendants"
    )
    name = EncryptedCharField(_("Name as written"), max_length=200)
    romanised = EncryptedCharField(_("Name, romanised"), max_length=200, blank=True)
    gender = models.CharField(
        _("Gender"), max_length=24, choices=Gender.choices, default=Gender.NON_SPECIFIED_UNKNOWN
    )
    nationality = models.ForeignKey(
        Country,
        verbose_name=_("Nationality"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    role = models.CharField(_("Role in the crime"), max_length=32, choices=PerpetratorRole.choices)
    is_official = models.BooleanField(
        _("Public official"), default=False, help_text=_("Complicity of officials (goal 2.2).")
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("Suspect or defendant")
        verbose_name_plural = _("Suspects and defendants")

    def __str__(self) -> str:
        return f"{_('defendant')} {self.pk}"

    @property
    def is_charged(self) -> bool:
        return self.charges.exists()


class Charge(TimeStampedModel):
    defendant = models.ForeignKey(Defendant, on_delete=models.CASCADE, related_name="charges")
    law = models.CharField(_("Law"), max_length=20, choices=Law.choices)
    provision = models.CharField(_("Section or article"), max_length=200)
    charged_on = models.DateField(_("Charged on"))

    class Meta:
        ordering = ["charged_on", "id"]
        verbose_name = _("Charge")
        verbose_name_plural = _("Charges")

    def __str__(self) -> str:
        return f"{self.get_law_display()} {self.provision}"


class Verdict(TimeStampedModel):
    charge = models.ForeignKey(Charge, on_delete=models.CASCADE, related_name="verdicts")
    instance = models.CharField(_("Court"), max_length=8, choices=Instance.choices)
    outcome = models.CharField(_("Verdict"), max_length=12, choices=VerdictOutcome.choices)
    decided_on = models.DateField(_("Decided on"))
    prison_months = models.PositiveIntegerField(_("Prison (months)"), null=True, blank=True)
    fine = models.DecimalField(_("Fine"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("Currency"), max_length=3, choices=Currency.choices, blank=True)

    class Meta:
        ordering = ["decided_on", "id"]
        verbose_name = _("Verdict")
        verbose_name_plural = _("Verdicts")

    def clean(self):
        super().clean()
        if self.outcome != VerdictOutcome.CONVICTED and (self.prison_months or self.fine):
            raise ValidationError(_("Only a conviction carries a sentence."))
        if self.fine is not None and not self.currency:
            raise ValidationError({"currency": _("Give the currency of the fine.")})


class AssetConfiscation(TimeStampedModel):
    criminal_case = models.ForeignKey(CriminalCase, on_delete=models.CASCADE, related_name="assets")
    description = EncryptedTextField(_("What was confiscated"))
    value = models.DecimalField(_("Value"), **MONEY)
    currency = models.CharField(_("Currency"), max_length=3, choices=Currency.choices)
    confiscated_on = models.DateField(_("Confiscated on"))

    class Meta:
        ordering = ["confiscated_on", "id"]
        verbose_name = _("Confiscated asset")
        verbose_name_plural = _("Confiscated assets")


class VictimWitness(TimeStampedModel):
    """A victim's case linked to a criminal case, with the protection agreed with her or him."""

    criminal_case = models.ForeignKey(
        CriminalCase, on_delete=models.CASCADE, related_name="witnesses"
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="justice_links")
    role = models.CharField(_("Role"), max_length=12, choices=WitnessRole.choices)
    protection = models.JSONField(_("Protection measures"), default=list, blank=True)
    protection_agreed_by = models.CharField(
        _("Protection agreed by"), max_length=12, choices=ConsentGivenBy.choices, blank=True
    )
    protection_agreed_on = models.DateField(_("Agreed on"), null=True, blank=True)
    linked_on = models.DateField(_("Linked on"), default=dt.date.today)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        verbose_name = _("Victim as witness")
        verbose_name_plural = _("Victims as witnesses")
        constraints = [
            models.UniqueConstraint(fields=["criminal_case", "case"], name="justice_witness_once")
        ]


class CompensationClaim(TimeStampedModel):
    witness = models.ForeignKey(VictimWitness, on_delete=models.CASCADE, related_name="claims")
    kind = models.CharField(_("Claim"), max_length=10, choices=ClaimKind.choices)
    filed_on = models.DateField(_("Filed on"))
    currency = models.CharField(_("Currency"), max_length=3, choices=Currency.choices)
    claimed = models.DecimalField(_("Claimed"), **MONEY)
    awarded = models.DecimalField(_("Awarded"), null=True, blank=True, **MONEY)
    decided_on = models.DateField(_("Decided on"), null=True, blank=True)
    paid = models.DecimalField(_("Paid so far"), default=Decimal(0), **MONEY)
    last_paid_on = models.DateField(_("Last payment on"), null=True, blank=True)

    class Meta:
        ordering = ["filed_on", "id"]
        verbose_name = _("Compensation claim")
        verbose_name_plural = _("Compensation claims")

    def clean(self):
        super().clean()
        if self.awarded is not None and not self.decided_on:
            raise ValidationError({"decided_on": _("Give the date of the decision.")})
        if self.paid and self.awarded is None:
            raise ValidationError({"paid": _("Nothing can be paid before an award.")})
        if self.awarded is not None and self.paid > self.awarded:
            raise ValidationError({"paid": _("More is paid than was awarded.")})
        if self.paid and not self.last_paid_on:
            raise ValidationError({"last_paid_on": _("Give the date of the last payment.")})


class MonitoringNote(TimeStampedModel):
    """Court monitoring (CJ6): what an observer saw at a hearing."""

    criminal_case = models.ForeignKey(
        CriminalCase, on_delete=models.CASCADE, related_name="monitoring_notes"
    )
    on = models.DateField(_("Hearing on"))
    stage = models.CharField(_("Stage"), max_length=16, choices=Stage.choices)
    concerns = models.JSONField(_("Concerns"), default=list, blank=True)
    note = EncryptedTextField(_("Note"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-on", "-id"]
        verbose_name = _("Court monitoring note")
        verbose_name_plural = _("Court monitoring notes")
