"""Reference data shared by every app: countries (ISO 3166-1)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

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
