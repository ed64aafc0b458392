"""The COMMIT plan registry: the MOU, the plans (SPA I-III), Areas, goals and activities.

Every text is kept in English (``*_en``) and in Thai from the source (``*_th``); the other
five languages come from ``data/spa3_translations.yaml`` (:mod:`matis.plans.translations`).
Rows are loaded from the versioned data file ``data/spa3.yaml`` by natural key.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.plans.translations import TranslatedContent


class RegistryVersion(models.Model):
    """Which version of the registry data file is loaded (one row per file)."""

    name = models.CharField(max_length=60, unique=True)
    data_version = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.name} {self.data_version}"


class MouSection(models.Model):
    code = models.CharField(_("code"), max_length=4, unique=True)  # I..V
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title_en = models.CharField(max_length=200)
    title_th = models.CharField(max_length=400)
    first_article = models.PositiveSmallIntegerField()
    last_article = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["number"]
        verbose_name = _("MOU section")

    def __str__(self) -> str:
        return f"{self.code}. {self.title_en}"


class MouArticle(models.Model):
    number = models.PositiveSmallIntegerField(_("article"), unique=True)
    section = models.ForeignKey(MouSection, on_delete=models.PROTECT, related_name="articles")
    text_en = models.TextField()
    text_th = models.TextField()
    note_en = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("MOU article")

    def __str__(self) -> str:
        return f"MOU art. {self.number}"


class Plan(TranslatedContent, models.Model):
    translation_section = "plans"

    class UnitKind(models.TextChoices):
        PPC = "PPC", _("Project concept")
        AREA = "AREA", _("Area")

    code = models.CharField(_("code"), max_length=10, unique=True)
    order = models.PositiveSmallIntegerField(default=0)
    name_en = models.CharField(max_length=200)
    name_th = models.CharField(max_length=400)
    start_year = models.PositiveSmallIntegerField(_("first year"))
    end_year = models.PositiveSmallIntegerField(_("last year"))
    unit_kind = models.CharField(max_length=4, choices=UnitKind.choices)
    adopted_en = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["order"]
        verbose_name = _("plan of action")

    def __str__(self) -> str:
        return self.code


class PlanUnit(models.Model):
    """A project concept (PPC) of SPA I/II or an Area of SPA III."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="units")
    code = models.CharField(max_length=10)
    number = models.PositiveSmallIntegerField()
    title_en = models.CharField(max_length=300)
    title_th = models.CharField(max_length=500)

    class Meta:
        ordering = ["plan__order", "number"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="planunit_unique")]

    def __str__(self) -> str:
        return f"{self.plan.code} {self.code}"


class EvolutionRow(models.Model):
    """One row of the evolution table: how a project concept carried into the next plan."""

    order = models.PositiveSmallIntegerField(unique=True)
    spa1 = models.ForeignKey(
        PlanUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    spa1r = models.ForeignKey(
        PlanUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    spa2 = models.ForeignKey(
        PlanUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    spa3 = models.ForeignKey(
        PlanUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    mou_section = models.ForeignKey(MouSection, null=True, blank=True, on_delete=models.PROTECT)
    note_en = models.TextField(blank=True)

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return f"evolution row {self.order}"

    @property
    def units(self) -> list:
        return [self.spa1, self.spa1r, self.spa2, self.spa3]


class GuidingPrinciple(TranslatedContent, models.Model):
    translation_section = "principles"
    translation_key_field = "number"

    number = models.PositiveSmallIntegerField(unique=True)
    text_en = models.CharField(max_length=300)
    text_th = models.CharField(max_length=600)

    class Meta:
        ordering = ["number"]

    def __str__(self) -> str:
        return f"{self.number}. {self.text_en}"


class RoleFunction(TranslatedContent, models.Model):
    """A row of the roles matrix: which partner supports which function."""

    translation_section = "roles"

    code = models.SlugField(max_length=60, unique=True)
    order = models.PositiveSmallIntegerField()
    function_en = models.CharField(max_length=200)
    function_th = models.CharField(max_length=400)
    government = models.BooleanField()
    secretariat = models.BooleanField()
    ngo = models.BooleanField()
    private = models.BooleanField()

    class Meta:
        ordering = ["order"]

    def __str__(self) -> str:
        return self.function_en

    @property
    def flags(self) -> list[bool]:
        return [self.government, self.secretariat, self.ngo, self.private]


class Area(TranslatedContent, models.Model):
    """One of the five SPA III Areas, aligned with an MOU section."""

    translation_section = "areas"

    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="areas")
    unit = models.OneToOneField(PlanUnit, on_delete=models.PROTECT, related_name="area")
    number = models.PositiveSmallIntegerField()
    code = models.CharField(_("code"), max_length=10)
    title_en = models.CharField(max_length=200)
    title_th = models.CharField(max_length=400)
    summary_en = models.TextField(blank=True)
    summary_th = models.TextField(blank=True)
    mou_section = models.ForeignKey(MouSection, on_delete=models.PROTECT, related_name="areas")
    mou_objectives = models.ManyToManyField(MouArticle, related_name="areas", blank=True)

    class Meta:
        ordering = ["plan__order", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="area_unique_number"),
            models.UniqueConstraint(fields=["plan", "code"], name="area_unique_code"),
        ]
        verbose_name = _("area")

    def __str__(self) -> str:
        label = _("Area")
        return f"{label} {self.number} ({self.code})"


class Goal(TranslatedContent, models.Model):
    translation_section = "goals"

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="goals")
    code = models.CharField(_("code"), max_length=10)
    order = models.PositiveSmallIntegerField()
    text_en = models.TextField()
    text_th = models.TextField()
    note_en = models.TextField(blank=True)

    class Meta:
        ordering = ["area__number", "order"]
        constraints = [models.UniqueConstraint(fields=["area", "code"], name="goal_unique_code")]
        verbose_name = _("goal")

    def __str__(self) -> str:
        label = _("Goal")
        return f"{label} {self.code}"


class ActivityQuerySet(models.QuerySet):
    def priority(self):
        return self.filter(priority=True)


def activity_slug(code: str) -> str:
    """URL-safe form of an activity code: 'P&C1' -> 'pc1', 'M&E4' -> 'me4'."""
    return "".join(ch for ch in code.lower() if ch.isalnum())


class Activity(TranslatedContent, models.Model):
    """An SPA III activity; ``priority`` marks the nine that all six governments agreed on."""

    translation_section = "activities"

    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="activities")
    code = models.CharField(_("code"), max_length=10)
    slug = models.SlugField(max_length=12, unique=True)  # "pc1" for P&C1: safe in URLs
    number = models.PositiveSmallIntegerField()
    priority = models.BooleanField(_("priority"), default=False)
    goals = models.ManyToManyField(Goal, related_name="activities")
    source_goal_tag = models.CharField(
        _("goal tag in the source"),
        max_length=10,
        blank=True,
        help_text=_("The goal as the source document wrote it, where that was a defect."),
    )
    title_en = models.CharField(max_length=300)
    title_th = models.CharField(max_length=600)
    description_en = models.TextField(blank=True)
    description_th = models.TextField(blank=True)
    note_en = models.TextField(blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        ordering = ["area__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["area", "code"], name="activity_unique_code")
        ]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.code


class SourceDefect(models.Model):
    """A known defect of the Thai source, carried with its corrected meaning."""

    code = models.SlugField(max_length=60, unique=True)
    where_en = models.CharField(max_length=300)
    original_th = models.TextField(blank=True)
    corrected_en = models.TextField(blank=True)
    corrected_th = models.TextField(blank=True)
    note_en = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code
