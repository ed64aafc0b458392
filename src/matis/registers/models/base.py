"""What every register row shares: a reference, an owning country, a synthetic flag, notes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.common.models import Country, TimeStampedModel


class RegisterRecord(TimeStampedModel):
    """A row of a programme register.

    ``ref`` is the row's stable reference (``TE-THA-12``); Excel imports match
    rows by it, so a second import of the same workbook changes nothing. It is
    filled in from the primary key when left empty.
    """

    REF_PREFIX = "R"

    ref = models.CharField(
        _("reference"),
        max_length=40,
        blank=True,
        help_text=_("Left empty, it is filled in when the record is saved."),
    )
    synthetic = models.BooleanField(_("synthetic demo data"), default=False, editable=False)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        if not self.ref:
            owner = self.country_id or "REG"
            self.ref = f"{self.REF_PREFIX}-{owner}-{self.pk}"
            type(self).objects.filter(pk=self.pk).update(ref=self.ref)


class CountryRecord(RegisterRecord):
    """A register row that belongs to one country."""

    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["country", "ref"], name="%(app_label)s_%(class)s_unique_ref"
            ),
        ]


class RegionalRecord(RegisterRecord):
    """A register row that belongs to one country, or to the region (country left empty).

    Regional rows (SOM/IMM meetings, multilateral agreements kept by the
    secretariat) are visible to every user; only region-wide users change them.
    """

    country = models.ForeignKey(
        Country,
        verbose_name=_("country"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty for regional records, kept by the secretariat."),
    )

    class Meta:
        abstract = True
        constraints = [
            models.UniqueConstraint(
                fields=["country", "ref"], name="%(app_label)s_%(class)s_unique_ref"
            ),
            models.UniqueConstraint(
                fields=["ref"],
                condition=models.Q(country__isnull=True),
                name="%(app_label)s_%(class)s_unique_regional_ref",
            ),
        ]


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other or not stated")


class Language(models.TextChoices):
    """ISO 639-1 codes of the languages of the region (and English)."""

    EN = "en", _("English")
    TH = "th", _("Thai")
    KM = "km", _("Khmer")
    LO = "lo", _("Lao")
    MY = "my", _("Burmese")
    ZH = "zh", _("Chinese")
    VI = "vi", _("Vietnamese")
    OTHER = "other", _("Other")


def year_range_clean(start, end, errors: dict, end_field: str = "end_date") -> None:
    """Add an error on ``end_field`` when the end comes before the start."""
    if start and end and end < start:
        errors[end_field] = _("The end date is before the start date.")
