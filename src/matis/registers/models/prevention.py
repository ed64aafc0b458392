"""Prevention (PRE1-PRE6; goals 4.1-4.5): projects, networks, campaigns, hotlines,
labour inspections and private-sector partnerships."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.registers.effects import ProportionDifference, proportion_difference
from matis.registers.models.base import CountryRecord, year_range_clean

_YEAR = [MinValueValidator(1990), MaxValueValidator(2100)]


class VulnerabilityProject(CountryRecord):
    """PRE1: a project that reduces social vulnerability to trafficking."""

    REF_PREFIX = "VP"

    class Focus(models.TextChoices):
        LIVELIHOODS = "livelihoods", _("Livelihoods")
        SAFE_MIGRATION = "safe_migration", _("Safe migration information")
        LABOUR_RIGHTS = "labour_rights", _("Labour-rights information")
        CIVIL_DOCUMENTS = "civil_documents", _("Civil documents")
        EDUCATION = "education", _("Education")
        MIXED = "mixed", _("Several of these")

    class TargetGroup(models.TextChoices):
        YOUTH = "youth", _("Young people at risk")
        WOMEN_GIRLS = "women_girls", _("Women and girls")
        CHILDREN = "children", _("Children")
        ETHNIC_MINORITIES = "ethnic_minorities", _("Ethnic minorities")
        MIGRANT_WORKERS = "migrant_workers", _("Migrant workers")
        RETURNEES = "returnees", _("Returnees")
        STATELESS = "stateless", _("Stateless people")
        COMMUNITY = "community", _("Whole communities")

    name = models.CharField(_("name"), max_length=300)
    implementer = models.CharField(_("implemented by"), max_length=200)
    focus = models.CharField(_("focus"), max_length=16, choices=Focus.choices)
    target_group = models.CharField(_("target group"), max_length=20, choices=TargetGroup.choices)
    places = models.CharField(_("places"), max_length=300)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    class Meta(CountryRecord.Meta):
        ordering = ["country_id", "-start_date", "name"]
        verbose_name = _("vulnerability-reduction project")
        verbose_name_plural = _("vulnerability-reduction projects")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        errors: dict = {}
        year_range_clean(self.start_date, self.end_date, errors)
        if errors:
            raise ValidationError(errors)


class ProjectResult(models.Model):
    """What a project reached in one year: beneficiaries and civil documents issued."""

    project = models.ForeignKey(
        VulnerabilityProject,
        verbose_name=_("project"),
        on_delete=models.CASCADE,
        related_name="results",
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=_YEAR)
    beneficiaries_female = models.PositiveIntegerField(_("beneficiaries, female"), default=0)
    beneficiaries_male = models.PositiveIntegerField(_("beneficiaries, male"), default=0)
    birth_registrations = models.PositiveIntegerField(_("birth registrations issued"), default=0)
    other_documents = models.PositiveIntegerField(_("other civil documents issued"), default=0)

    class Meta:
        ordering = ["project_id", "year"]
        verbose_name = _("yearly result")
        verbose_name_plural = _("yearly results")
        constraints = [
            models.UniqueConstraint(fields=["project", "year"], name="project_result_unique")
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}"

    @property
    def beneficiaries(self) -> int:
        return self.beneficiaries_female + self.beneficiaries_male


class SurveillanceNetwork(CountryRecord):
    """PRE2: a community or border prevention and surveillance network."""

    REF_PREFIX = "SN"

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("Community network")
        BORDER = "border", _("Border network")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    location = models.CharField(_("location"), max_length=200)
    established_on = models.DateField(_("established on"))
    members = models.PositiveIntegerField(_("members"), default=0)
    linked_agency = models.CharField(
        _("government agency it reports to"), max_length=200, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta(CountryRecord.Meta):
        ordering = ["country_id", "name"]
        verbose_name = _("surveillance network")
        verbose_name_plural = _("surveillance networks")

    def __str__(self) -> str:
        return self.name


class NetworkReport(models.Model):
    """A periodic report of a network: people at risk found, cases reported, referrals."""

    network = models.ForeignKey(
        SurveillanceNetwork,
        verbose_name=_("network"),
        on_delete=models.CASCADE,
        related_name="reports",
    )
    reported_on = models.DateField(_("reported on"))
    persons_at_risk = models.PositiveIntegerField(_("people at risk identified"), default=0)
    suspected_cases = models.PositiveIntegerField(_("suspected cases reported"), default=0)
    referrals = models.PositiveIntegerField(_("referrals to services"), default=0)
    information_sessions = models.PositiveIntegerField(_("information sessions held"), default=0)
    summary = models.TextField(_("summary"), blank=True)

    class Meta:
        ordering = ["network_id", "-reported_on"]
        verbose_name = _("network report")
        verbose_name_plural = _("network reports")
        constraints = [
            models.UniqueConstraint(fields=["network", "reported_on"], name="network_report_unique")
        ]

    def __str__(self) -> str:
        return f"{self.network} {self.reported_on}"


class AwarenessCampaign(CountryRecord):
    """PRE3: a public awareness campaign and its pre/post measure of behaviour."""

    REF_PREFIX = "AC"

    class Channel(models.TextChoices):
        TELEVISION = "television", _("Television")
        RADIO = "radio", _("Radio")
        PRINT = "print", _("Print media")
        SOCIAL_MEDIA = "social_media", _("Social media")
        COMMUNITY_MEETING = "community_meeting", _("Community meetings")
        PEER_TO_PEER = "peer_to_peer", _("Peer to peer")
        CONCERT = "concert", _("Concerts")
        STREET_SHOW = "street_show", _("Street shows and drama")
        DOCUMENTARY = "documentary", _("Documentaries")
        TRAINING = "training", _("Training sessions")

    class Audience(models.TextChoices):
        GENERAL_PUBLIC = "general_public", _("General public")
        YOUTH = "youth", _("Young people")
        PROSPECTIVE_MIGRANTS = "prospective_migrants", _("Prospective migrants")
        MIGRANT_WORKERS = "migrant_workers", _("Migrant workers")
        PARENTS = "parents", _("Parents")
        EMPLOYERS = "employers", _("Employers")
        OFFICIALS = "officials", _("Local officials")

    name = models.CharField(_("name"), max_length=300)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    audience = models.CharField(_("audience"), max_length=22, choices=Audience.choices)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    places = models.CharField(_("places"), max_length=300, blank=True)
    people_reached = models.PositiveIntegerField(_("people reached"), null=True, blank=True)
    measure = models.CharField(
        _("behaviour measured"),
        max_length=300,
        blank=True,
        help_text=_(
            "The behaviour asked about in both surveys, e.g. "
            "“would check a recruitment agency's licence”."
        ),
    )
    pre_surveyed = models.PositiveIntegerField(_("surveyed before"), null=True, blank=True)
    pre_positive = models.PositiveIntegerField(
        _("showing the behaviour before"), null=True, blank=True
    )
    post_surveyed = models.PositiveIntegerField(_("surveyed after"), null=True, blank=True)
    post_positive = models.PositiveIntegerField(
        _("showing the behaviour after"), null=True, blank=True
    )

    SURVEY_FIELDS = ("pre_surveyed", "pre_positive", "post_surveyed", "post_positive")

    class Meta(CountryRecord.Meta):
        ordering = ["country_id", "-start_date", "name"]
        verbose_name = _("awareness campaign")
        verbose_name_plural = _("awareness campaigns")

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        errors: dict = {}
        year_range_clean(self.start_date, self.end_date, errors)
        given = [getattr(self, f) is not None for f in self.SURVEY_FIELDS]
        if any(given) and not all(given):
            for field, present in zip(self.SURVEY_FIELDS, given, strict=True):
                if not present:
                    errors[field] = _("Give all four survey figures, or none.")
        if all(given):
            if not self.measure:
                errors["measure"] = _("Say which behaviour the surveys measured.")
            for n_field, k_field in (
                ("pre_surveyed", "pre_positive"),
                ("post_surveyed", "post_positive"),
            ):
                if getattr(self, n_field) == 0:
                    errors[n_field] = _("A survey needs at least one respondent.")
                elif getattr(self, k_field) > getattr(self, n_field):
                    errors[k_field] = _("More people showing the behaviour than surveyed.")
        if errors:
            raise ValidationError(errors)

    @property
    def has_measure(self) -> bool:
        return all(getattr(self, f) for f in ("pre_surveyed", "post_surveyed")) and all(
            getattr(self, f) is not None for f in ("pre_positive", "post_positive")
        )

    def effect(self) -> ProportionDifference | None:
        """The pre/post change in the measured behaviour, or None without both surveys."""
        if not self.has_measure:
            return None
        return proportion_difference(
            positive_before=self.pre_positive,
            n_before=self.pre_surveyed,
            positive_after=self.post_positive,
            n_after=self.post_surveyed,
        )


class HotlineRecord(CountryRecord):
    """PRE4: contacts to a hotline or complaint mechanism in a month, by issue and outcome.

    Counts only: no caller is recorded here. Rows marked ``computed`` are
    counted by MATIS from the recorded tips (``matis.intake``) and refreshed
    whenever a tip changes; they are not typed and cannot be edited.
    """

    REF_PREFIX = "HL"

    class Issue(models.TextChoices):
        TRAFFICKING = "trafficking", _("Suspected trafficking")
        LABOUR = "labour_exploitation", _("Labour exploitation")
        RECRUITMENT = "recruitment_fraud", _("Recruitment fraud")
        MARRIAGE = "fraudulent_marriage", _("Fraudulent marriage")
        MIGRATION_INFO = "migration_information", _("Safe migration information")
        OTHER = "other", _("Other")

    class Outcome(models.TextChoices):
        INFORMATION = "information", _("Information given")
        POLICE = "referred_police", _("Referred to the police")
        LABOUR = "referred_labour", _("Referred to labour authorities")
        SOCIAL = "referred_social", _("Referred to social services")
        RESOLVED = "resolved", _("Resolved directly")
        NO_ACTION = "no_action", _("No action possible")
        OPEN = "open", _("Not yet resolved")

    service = models.CharField(_("hotline or complaint service"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"), validators=_YEAR)
    month = models.PositiveSmallIntegerField(
        _("month"), validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    issue = models.CharField(_("issue"), max_length=24, choices=Issue.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    count = models.PositiveIntegerField(_("contacts"))
    computed = models.BooleanField(
        _("counted from tips"),
        default=False,
        editable=False,
        help_text=_("Counted by MATIS from the recorded tips; change the tips, not the count."),
    )

    class Meta(CountryRecord.Meta):
        ordering = ["country_id", "-year", "-month", "service", "issue", "outcome"]
        verbose_name = _("hotline record")
        verbose_name_plural = _("hotline and complaint records")
        constraints = [
            *CountryRecord.Meta.constraints,
            models.UniqueConstraint(
                fields=["country", "service", "year", "month", "issue", "outcome"],
                name="hotline_unique_cell",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.year}-{self.month:02d}"

    @property
    def period(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    def clean(self):
        super().clean()
        if self.computed:
            raise ValidationError(
                _("Counted by MATIS from the recorded tips; change the tips, not the count.")
            )


class LabourInspection(CountryRecord):
    """PRE4/PRE5: a labour inspection, what it found and whether it referred to law enforcement."""

    REF_PREFIX = "LI"

    class Sector(models.TextChoices):
        # ISIC rev. 4 sections and divisions where exploitation is most reported
        AGRICULTURE = "A01", _("Agriculture")
        FISHING = "A03", _("Fishing")
        SEAFOOD = "C10", _("Seafood and food processing")
        GARMENTS = "C14", _("Garments")
        MANUFACTURING = "C", _("Other manufacturing")
        CONSTRUCTION = "F", _("Construction")
        HOSPITALITY = "I", _("Hotels and restaurants")
        ENTERTAINMENT = "R", _("Entertainment")
        DOMESTIC_WORK = "T97", _("Domestic work")
        OTHER = "other", _("Other")

    class Inspector(models.TextChoices):
        LABOUR = "labour", _("Labour inspectorate")
        JOINT = "joint", _("Joint inspection with police")
        OTHER = "other", _("Other non-police officials")

    inspected_on = models.DateField(_("inspected on"))
    place = models.CharField(_("province or district"), max_length=200)
    sector = models.CharField(_("sector (ISIC)"), max_length=6, choices=Sector.choices)
    inspected_by = models.CharField(_("inspected by"), max_length=8, choices=Inspector.choices)
    workers_covered = models.PositiveIntegerField(_("workers covered"), default=0)
    migrant_workers = models.PositiveIntegerField(_("of whom migrant workers"), default=0)
    violations_found = models.BooleanField(_("labour-law violations found"), default=False)
    forced_labour_indicators = models.BooleanField(
        _("forced-labour or trafficking indicators found"), default=False
    )
    child_labour_found = models.BooleanField(_("child labour found"), default=False)
    findings = models.TextField(_("findings"), blank=True)
    referred_to_law_enforcement = models.BooleanField(
        _("referred to law enforcement"), default=False
    )
    referred_on = models.DateField(_("referred on"), null=True, blank=True)

    class Meta(CountryRecord.Meta):
        ordering = ["country_id", "-inspected_on"]
        verbose_name = _("labour inspection")
        verbose_name_plural = _("labour inspections")

    def __str__(self) -> str:
        return f"{self.get_sector_display()} · {self.place} · {self.inspected_on}"

    def clean(self):
        super().clean()
        errors: dict = {}
        if (self.migrant_workers or 0) > (self.workers_covered or 0):
            errors["migrant_workers"] = _("More migrant workers than workers covered.")
        if self.referred_to_law_enforcement and not self.referred_on:
            errors["referred_on"] = _("Give the date of the referral.")
        if self.referred_on and not self.referred_to_law_enforcement:
            errors["referred_on"] = _("A referral date without a referral.")
        if self.referred_on and self.inspected_on and self.referred_on < self.inspected_on:
            errors["referred_on"] = _("The referral is dated before the inspection.")
        if errors:
            raise ValidationError(errors)

    @property
    def has_findings(self) -> bool:
        return self.violations_found or self.forced_labour_indicators or self.child_labour_found


class PrivateSectorPartnership(CountryRecord):
    """PRE6: a public-private partnership, code of conduct or CSR programme."""

    REF_PREFIX = "PS"

    class Sector(models.TextChoices):
        TOURISM = "tourism", _("Tourism")
        TRANSPORT = "transport", _("Transport")
        ENTERTAINMENT = "entertainment", _("Entertainment")
        EXPORT = "export", _("Export industries")
        FISHING = "fishing", _("Fishing and seafood")
        RECRUITMENT = "recruitment", _("Recruitment agencies")
        FINANCE = "finance", _("Banking and finance")
        TECHNOLOGY = "technology", _("Technology and telecoms")
        OTHER = "other", _("Other")

    class Kind(models.TextChoices):
        PARTNERSHIP = "partnership", _("Public-private partnership")
        CODE_OF_CONDUCT = "code_of_conduct", _("Code of conduct")
        CSR = "csr", _("Corporate social responsibility programme")

    partner = models.CharField(_("company or association"), max_length=200)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    signed_on = models.DateField(_("signed on"))
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    companies_covered = models.PositiveIntegerField(_("companies covered"), default=1)
    workers_covered = models.PositiveIntegerField(_("workers covered"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta(CountryRecord.Meta):
        ordering = ["country_id", "-signed_on", "partner"]
        verbose_name = _("private-sector partnership")
        verbose_name_plural = _("private-sector partnerships")

    def __str__(self) -> str:
        return f"{self.partner} · {self.get_kind_display()}"

    def clean(self):
        super().clean()
        errors: dict = {}
        year_range_clean(self.signed_on, self.ends_on, errors, "ends_on")
        if errors:
            raise ValidationError(errors)

    def active_in(self, year: int) -> bool:
        return self.signed_on.year <= year and (self.ends_on is None or self.ends_on.year >= year)
