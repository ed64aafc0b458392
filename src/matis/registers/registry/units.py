"""Specialist law-enforcement units (CJ2)."""

from __future__ import annotations

from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from matis.registers.kit.specs import Child, Computed, Register, define_register
from matis.registers.models import (
    SpecialistUnit,
    UnitYear,
)

define_register(
    Register(
        key="units",
        model=SpecialistUnit,
        group="units",
        activities=("CJ2",),
        fields=("name", "level", "parent_agency", "established_on", "notes"),
        list_columns=(
            "ref",
            "name",
            "level",
            "parent_agency",
            "established_on",
            Computed("latest_year", _("Latest year reported"), lambda o, c: o.latest_year, "int"),
        ),
        filters=("level",),
        search=("name", "parent_agency"),
        year_field="years__year",
        children=(
            Child(
                model=UnitYear,
                fk="unit",
                fields=(
                    "year",
                    "staff_total",
                    "staff_female",
                    "investigators",
                    "staff_trained",
                    "vehicles",
                    "budget_usd",
                ),
                key=("year",),
                sheet="staffing",
            ),
        ),
        chart_by="level",
        chart_measure="years__staff_total",
        chart_label=_("Staff"),
        annotate=lambda qs: qs.annotate(latest_year=Max("years__year")),
    )
)
