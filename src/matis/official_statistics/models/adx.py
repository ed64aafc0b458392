"""How DHIS2's codes map to MATIS's, for ADX files (kept as data, edited in the admin site)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _


class AdxCode(models.Model):
    """One DHIS2 code and the MATIS code it stands for in ADX import and export.

    ================  ===========================  ==========================================
    kind              DHIS2 (ADX attribute)         MATIS
    ================  ===========================  ==========================================
    data_element      ``dataElement`` value         a statistical indicator code
    category          an attribute's name           a dimension code
    category_option   an attribute's value          a code of that dimension (``category``
                      (within ``category``)         names the DHIS2 category)
    org_unit          ``orgUnit`` value             an ISO 3166-1 alpha-3 country code
    ================  ===========================  ==========================================

    Each MATIS code has at most one DHIS2 code of a kind (within a category),
    so an export and a re-import give the same figures.
    """

    class Kind(models.TextChoices):
        DATA_ELEMENT = "data_element", _("Data element → indicator")
        CATEGORY = "category", _("Category → dimension")
        CATEGORY_OPTION = "category_option", _("Category option → code")
        ORG_UNIT = "org_unit", _("Organisation unit → country")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    category = models.CharField(
        _("DHIS2 category"),
        max_length=100,
        blank=True,
        help_text=_("For a category option: the code of its DHIS2 category."),
    )
    dhis2_code = models.CharField(_("DHIS2 code"), max_length=100)
    matis_code = models.CharField(_("MATIS code"), max_length=60)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["kind", "category", "dhis2_code"]
        verbose_name = _("ADX code mapping")
        verbose_name_plural = _("ADX code mappings")
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "category", "dhis2_code"], name="adx_code_unique_dhis2"
            ),
            models.UniqueConstraint(
                fields=["kind", "category", "matis_code"], name="adx_code_unique_matis"
            ),
        ]

    def __str__(self) -> str:
        where = f"{self.category}:" if self.category else ""
        return f"{self.get_kind_display()}: {where}{self.dhis2_code} → {self.matis_code}"

    def clean(self) -> None:
        if (self.kind == self.Kind.CATEGORY_OPTION) != bool(self.category):
            raise ValidationError(
                {"category": _("A category option names its category; other kinds do not.")}
            )
