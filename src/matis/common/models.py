"""Reference data shared by every app: countries (ISO 3166-1) and their provinces (3166-2)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.jobs import BackgroundJob

# The six COMMIT governments, in the order the MOU lists them.
COMMIT_COUNTRIES = ("KHM", "CHN", "LAO", "MMR", "THA", "VNM")


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class CountryQuerySet(models.QuerySet):
    def commit(self):
        return self.filter(is_commit_member=True)


class Country(models.Model):
    """A country or territory by ISO 3166-1; the six COMMIT members are flagged."""

    iso3 = models.CharField(_("ISO 3166-1 alpha-3"), max_length=3, primary_key=True)
    iso2 = models.CharField(_("ISO 3166-1 alpha-2"), max_length=2, unique=True)
    name = models.CharField(_("name"), max_length=120)
    is_commit_member = models.BooleanField(_("COMMIT member"), default=False)

    objects = CountryQuerySet.as_manager()

    class Meta:
        ordering = ["-is_commit_member", "name"]
        verbose_name = _("country")
        verbose_name_plural = _("countries")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The country name in the reader's language (COMMIT members are translated)."""
        from matis.common.countries import country_name

        return country_name(self.iso3, default=self.name)


class Subdivision(models.Model):
    """A province, state or region by ISO 3166-2 (COMMIT countries only), from ``pycountry``.

    ``name`` is the ISO 3166-2 name (romanised, or Vietnamese); ``names`` holds the
    translations the iso-codes project gives, by MATIS language code
    (:mod:`matis.common.places`).
    """

    code = models.CharField(_("ISO 3166-2 code"), max_length=6, primary_key=True)
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="subdivisions", verbose_name=_("country")
    )
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=60, blank=True)
    names = models.JSONField(_("names by language"), default=dict, blank=True)

    class Meta:
        ordering = ["country_id", "name"]
        verbose_name = _("province or region")
        verbose_name_plural = _("provinces and regions")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language where the iso-codes project has one."""
        from matis.common.places import subdivision_name

        return subdivision_name(self.name, self.names)


class District(models.Model):
    """A district below a province (second administrative level), from ``data/districts.csv``.

    ``code`` is the country's own district code with the country prefix
    (``TH-5001``, Mueang Chiang Mai; ``KH-0102``; ``MM-MMR001D001``; ``CN-110101``);
    ``names`` holds local-language names by MATIS language code. Sources and
    licences: ``data/SOURCE.md``.
    """

    code = models.CharField(_("district code"), max_length=16, primary_key=True)
    subdivision = models.ForeignKey(
        Subdivision,
        on_delete=models.CASCADE,
        related_name="districts",
        verbose_name=_("province or region"),
    )
    name = models.CharField(_("name"), max_length=120)
    names = models.JSONField(_("names by language"), default=dict, blank=True)

    class Meta:
        ordering = ["subdivision_id", "name"]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        """The name in the reader's language where the source gives one."""
        from matis.common.places import subdivision_name

        return subdivision_name(self.name, self.names)


def optional_place_field(model, *, verbose_name, help_text) -> models.ForeignKey:
    """An optional province (``Subdivision``) or district (``District``) of a record, as the
    cases, placements, tips and groups carry them; checked by the record's ``clean``."""
    return models.ForeignKey(
        model,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=help_text,
    )


class CountryAlias(TimeStampedModel):
    """One way of writing a country's name ("Viet Nam", "Vietnamese", "越南"), for imports.

    Looked up by ``key`` (:func:`matis.common.aliases.alias_key`: casefolded, no
    accents, punctuation or spaces), so one row covers "Viet-Nam" and "VIET NAM".
    Loaded from ``data/country_aliases.csv``; an administrator adds forms or
    deactivates wrong ones in the admin site (every change is audited).
    """

    class Kind(models.TextChoices):
        NAME = "name", _("Short name")
        OFFICIAL = "official", _("Official name")
        DEMONYM = "demonym", _("Citizenship (demonym)")
        HISTORICAL = "historical", _("Historical name")
        VARIANT = "variant", _("Variant seen in source files")

    alias = models.CharField(_("name as written"), max_length=200)
    key = models.CharField(_("lookup key"), max_length=200, unique=True, editable=False)
    country = models.ForeignKey(
        Country, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("country")
    )
    language = models.CharField(
        _("language"), max_length=20, blank=True, help_text=_("BCP 47 tag, e.g. en, fr, zh-Hant")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.NAME)
    source = models.CharField(_("source"), max_length=100, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["country", "language", "alias"]
        verbose_name = _("country name alias")
        verbose_name_plural = _("country name aliases")

    def __str__(self) -> str:
        return f"{self.alias} → {self.country_id}"

    def save(self, *args, **kwargs):
        from matis.common.aliases import alias_key

        self.key = alias_key(self.alias)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from matis.common.aliases import alias_key

        self.key = alias_key(self.alias)
        if not self.key:
            raise ValidationError({"alias": _("The name has no letters or digits.")})
        clash = CountryAlias.objects.filter(key=self.key).exclude(pk=self.pk).first()
        if clash is not None:
            raise ValidationError(
                {
                    "alias": _("%(alias)s is already a name of %(country)s (as %(other)s).")
                    % {"alias": self.alias, "country": clash.country_id, "other": clash.alias}
                }
            )


class DemoJob(BackgroundJob):
    """A part of the demo data prepared in the background after ``matis demo`` answers.

    One row per background demo loader (an app whose AppConfig sets
    ``demo_background = True``), named by the app's label; the pages of that
    app say "being prepared" while it is not done (matis.common.demo).
    """

    PHASE_LABELS: ClassVar[dict] = {"loading": _("Preparing the demo data")}

    label = models.CharField(_("part"), max_length=40, unique=True)
    order = models.PositiveIntegerField(default=100)
    result = models.TextField(_("result"), blank=True)
    queued_at = models.DateTimeField(_("queued"), auto_now_add=True)

    class Meta:
        ordering = ["order", "label"]
        verbose_name = _("demo preparation")
        verbose_name_plural = _("demo preparations")

    def __str__(self) -> str:
        return f"{self.label} ({self.status})"
