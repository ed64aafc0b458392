"""Protection placements, detention and the alerts they raise (goal 3.2)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from matis.cases.choices import DETENTION_KINDS, AlertKind, PlacementKind
from matis.cases.models.cases import Case
from matis.cases.protection import EncryptedTextField
from matis.common.models import (
    Country,
    District,
    Subdivision,
    TimeStampedModel,
    optional_place_field,
)
from matis.common.places import check_district


class Facility(TimeStampedModel):
    """A shelter, care home, detention centre or police station (not personal data)."""

    country = models.ForeignKey(
        Country, verbose_name=_("Country"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("Name"), max_length=200)
    kind = models.CharField(_("Kind"), max_length=24, choices=PlacementKind.choices)
    province = models.CharField(_("Province"), max_length=120, blank=True)
    subdivision = models.ForeignKey(
        Subdivision,
        verbose_name=_("Province (ISO 3166-2)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["country_id", "name"]
        verbose_name = _("facility")
        verbose_name_plural = _("facilities")
        constraints = [
            models.UniqueConstraint(fields=["country", "name"], name="cases_facility_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Placement(TimeStampedModel):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="placements")
    kind = models.CharField(_("Kind of place"), max_length=24, choices=PlacementKind.choices)
    facility = models.ForeignKey(
        Facility, verbose_name=_("Place"), on_delete=models.PROTECT, related_name="placements"
    )
    province = optional_place_field(
        Subdivision,
        verbose_name=_("Province"),
        help_text=_("Province, state or region (ISO 3166-2) where the person is placed."),
    )
    district = optional_place_field(
        District,
        verbose_name=_("District"),
        help_text=_("The district of the province, where known."),
    )
    voluntary = models.BooleanField(
        _("the person agreed to stay"),
        help_text=_("Untick if the person is held or stays against her or his will."),
    )
    start_date = models.DateField(_("From"))
    end_date = models.DateField(_("Until"), null=True, blank=True)
    notes = EncryptedTextField(_("Notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-start_date", "-id"]
        verbose_name = _("Placement")
        verbose_name_plural = _("Placements")
        indexes = [models.Index(fields=["kind", "start_date"])]

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The end is before the start.")})
        if self.facility_id and self.kind and self.facility.kind != self.kind:
            raise ValidationError({"facility": _("This place is of another kind.")})
        if (
            self.province_id
            and self.facility_id
            and self.province.country_id != self.facility.country_id
        ):
            raise ValidationError(
                {"province": _("This province is not in the country of the place chosen.")}
            )
        error = check_district(self.district, self.province if self.province_id else None)
        if error:
            raise ValidationError({"district": error})

    @property
    def place_province(self) -> Subdivision | None:
        """The province recorded for the placement, else the one of its place."""
        if self.province_id:
            return self.province
        return self.facility.subdivision if self.facility_id else None

    @property
    def is_detention(self) -> bool:
        return self.kind in DETENTION_KINDS

    @property
    def is_open(self) -> bool:
        return self.end_date is None or self.end_date >= dt.date.today()

    def days(self, until: dt.date | None = None) -> int:
        end = self.end_date or until or dt.date.today()
        return max((end - self.start_date).days, 0) + 1


class Alert(TimeStampedModel):
    """A supervisor alert that stays open until a supervisor resolves it."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="alerts")
    country = models.ForeignKey(Country, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("Alert"), max_length=24, choices=AlertKind.choices)
    placement = models.ForeignKey(
        Placement, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts"
    )
    grant = models.ForeignKey(
        "cases.BreakGlassGrant",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="alerts",
    )
    raised_at = models.DateTimeField(_("Raised"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("Resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolution = EncryptedTextField(_("how it was resolved"), blank=True)

    class Meta:
        ordering = ["resolved_at", "-raised_at"]
        verbose_name = _("Alert")
        verbose_name_plural = _("Alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "kind"],
                condition=models.Q(resolved_at__isnull=True, placement__isnull=False),
                name="cases_one_open_alert_per_placement",
            )
        ]

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
