"""Cases: one person's contact with the protection system, screening and identification."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.access.models import Agency
from matis.cases.choices import ForcedCriminalityActivity, Language, Recommendation
from matis.cases.htcds import (
    CaseStatus,
    DecisionMakingOrg,
    ForcedLabourIndustry,
    TraffickingStatus,
)
from matis.cases.models.people import Person
from matis.cases.protection import EncryptedJSONField, EncryptedTextField
from matis.common.models import Country, District, Subdivision, TimeStampedModel
from matis.common.workflow import Transitions

IDENTIFIED = frozenset(
    {
        TraffickingStatus.POSSIBLE_VICTIM_OF_TRAFFICKING,
        TraffickingStatus.ACTUAL_VICTIM_OF_TRAFFICKING,
    }
)


class Case(Transitions, TimeStampedModel):
    TRANSITIONS = {
        CaseStatus.ACTIVE: {CaseStatus.FOLLOW_UP, CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED},
        CaseStatus.FOLLOW_UP: {CaseStatus.ACTIVE, CaseStatus.CLOSED, CaseStatus.CLOSED_REFERRED},
        CaseStatus.CLOSED: {CaseStatus.ACTIVE},
        CaseStatus.CLOSED_REFERRED: {CaseStatus.ACTIVE},
    }

    reference = models.CharField(_("Case number"), max_length=32, unique=True)
    country = models.ForeignKey(
        Country, verbose_name=_("Country"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("Responsible agency"), on_delete=models.PROTECT, related_name="+"
    )
    case_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("Case worker"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        _("Status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.ACTIVE
    )
    trafficking_status = models.CharField(
        _("Identification"), max_length=32, choices=TraffickingStatus.choices, blank=True
    )
    opened_on = models.DateField(_("Opened on"), default=dt.date.today)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    closure_reason = EncryptedTextField(_("reason for closure"), blank=True)
    exploitation_types = models.JSONField(_("Forms of exploitation"), default=list, blank=True)
    forced_labour_industry = models.CharField(
        _("Industry (forced labour)"),
        max_length=64,
        choices=ForcedLabourIndustry.choices,
        blank=True,
    )
    country_of_exploitation = models.ForeignKey(
        Country,
        verbose_name=_("Country of exploitation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    place_of_identification = models.ForeignKey(
        Subdivision,
        verbose_name=_("Province of identification"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where the person was identified or first met (ISO 3166-2)."),
    )
    district_of_identification = models.ForeignKey(
        District,
        verbose_name=_("District of identification"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The district of the province of identification, where known."),
    )
    forced_criminality = models.JSONField(
        _("Forced criminality activities"), default=list, blank=True
    )
    summary = EncryptedTextField(_("Case summary"), blank=True)
    restricted = models.BooleanField(
        _("Restricted"),
        default=False,
        help_text=_("Only the responsible agency sees it; supervisors need emergency access."),
    )
    retention_until = models.DateField(_("keep until"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_on", "-id"]
        verbose_name = _("Case")
        verbose_name_plural = _("Cases")
        indexes = [
            models.Index(fields=["country", "agency", "-opened_on"]),
            models.Index(fields=["country", "status"]),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_identified(self) -> bool:
        return self.trafficking_status in IDENTIFIED

    @property
    def exploitation_labels(self) -> list[str]:
        from matis.cases.choices import ExploitationExtension
        from matis.cases.htcds import TypeOfExploitation

        labels = {**dict(TypeOfExploitation.choices), **dict(ExploitationExtension.choices)}
        return [str(labels.get(v, v)) for v in self.exploitation_types]

    @property
    def forced_criminality_labels(self) -> list[str]:
        labels = dict(ForcedCriminalityActivity.choices)
        return [str(labels.get(v, v)) for v in self.forced_criminality]


class Screening(TimeStampedModel):
    """One use of a screening instrument: answers (encrypted), score and recommendation."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="screenings")
    instrument = models.CharField(_("Instrument"), max_length=64)
    instrument_version = models.PositiveIntegerField(_("instrument version"))
    answers = EncryptedJSONField(_("answers"), default=dict)
    score = models.PositiveIntegerField(_("score"))
    recommendation = models.CharField(
        _("recommendation"), max_length=12, choices=Recommendation.choices
    )
    screened_on = models.DateField(_("screened on"), default=dt.date.today)
    screened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    language = models.CharField(
        _("Language of the interview"), max_length=8, choices=Language.choices
    )
    interpreter_present = models.BooleanField(_("Interpreter present"), default=False)
    notes = EncryptedTextField(_("Notes"), blank=True)

    @property
    def instrument_title(self) -> str:
        from matis.cases.screening import InstrumentError, instrument

        try:
            return instrument(self.instrument).title
        except InstrumentError:
            return self.instrument

    class Meta:
        ordering = ["-screened_on", "-id"]
        verbose_name = _("Screening")
        verbose_name_plural = _("screenings")


class IdentificationDecision(TimeStampedModel):
    """The decision: possible / actual / not a victim; who, when, under which guideline."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="decisions")
    decision = models.CharField(_("Decision"), max_length=32, choices=TraffickingStatus.choices)
    decided_on = models.DateField(_("decided on"), default=dt.date.today)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decision_org = models.CharField(
        _("Decided by (type of organisation)"), max_length=40, choices=DecisionMakingOrg.choices
    )
    guideline = models.CharField(_("National guideline or law"), max_length=64)
    language_informed = models.CharField(
        _("Language the person was informed in"), max_length=8, choices=Language.choices
    )
    interpreter_present = models.BooleanField(_("Interpreter present"), default=False)
    notes = EncryptedTextField(_("Notes"), blank=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("Identification decision")
        verbose_name_plural = _("identification decisions")
