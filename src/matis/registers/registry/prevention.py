"""Prevention: projects, networks, campaigns, hotlines, inspections, partnerships (PRE1-PRE6)."""

from __future__ import annotations

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from matis.registers.kit.specs import Child, Computed, Flag, Register, define_register
from matis.registers.models import (
    AwarenessCampaign,
    HotlineRecord,
    LabourInspection,
    NetworkReport,
    PrivateSectorPartnership,
    ProjectResult,
    SurveillanceNetwork,
    VulnerabilityProject,
)

define_register(
    Register(
        key="projects",
        model=VulnerabilityProject,
        group="prevention",
        activities=("PRE1",),
        fields=(
            "name",
            "implementer",
            "focus",
            "target_group",
            "places",
            "start_date",
            "end_date",
            "notes",
        ),
        list_columns=(
            "ref",
            "name",
            "focus",
            "target_group",
            "places",
            "start_date",
            Computed(
                "n_beneficiaries",
                _("Beneficiaries"),
                lambda o, c: (o.n_female or 0) + (o.n_male or 0),
                "int",
            ),
            Computed("n_births", _("Birth registrations"), lambda o, c: o.n_births or 0, "int"),
        ),
        filters=("focus", "target_group"),
        search=("name", "implementer", "places"),
        date_field="start_date",
        children=(
            Child(
                model=ProjectResult,
                fk="project",
                fields=(
                    "year",
                    "beneficiaries_female",
                    "beneficiaries_male",
                    "birth_registrations",
                    "other_documents",
                ),
                key=("year",),
                sheet="results",
            ),
        ),
        chart_by="target_group",
        chart_measure="results__beneficiaries_female",
        chart_label=_("Female beneficiaries"),
        annotate=lambda qs: qs.annotate(
            n_female=Sum("results__beneficiaries_female"),
            n_male=Sum("results__beneficiaries_male"),
            n_births=Sum("results__birth_registrations"),
        ),
        chart_year="results__year",
    )
)

define_register(
    Register(
        key="networks",
        model=SurveillanceNetwork,
        group="prevention",
        activities=("PRE2",),
        fields=(
            "name",
            "kind",
            "location",
            "established_on",
            "members",
            "linked_agency",
            "is_active",
            "notes",
        ),
        list_columns=(
            "ref",
            "name",
            "kind",
            "location",
            "members",
            "is_active",
            Computed(
                "n_at_risk", _("People at risk identified"), lambda o, c: o.n_at_risk or 0, "int"
            ),
        ),
        filters=("kind", "is_active"),
        search=("name", "location", "linked_agency"),
        date_field="established_on",
        children=(
            Child(
                model=NetworkReport,
                fk="network",
                fields=(
                    "reported_on",
                    "persons_at_risk",
                    "suspected_cases",
                    "referrals",
                    "information_sessions",
                    "summary",
                ),
                key=("reported_on",),
                sheet="reports",
            ),
        ),
        chart_by="kind",
        chart_measure="reports__persons_at_risk",
        chart_label=_("People at risk identified"),
        annotate=lambda qs: qs.annotate(n_at_risk=Sum("reports__persons_at_risk")),
        chart_year="reports__reported_on",
    )
)


def _effect_column(campaign, ctx):
    effect = campaign.effect()
    if effect is None:
        return None
    text = _("%(diff)+.1f points (%(low)+.1f to %(high)+.1f)") % {
        "diff": 100 * effect.difference,
        "low": 100 * effect.ci_low,
        "high": 100 * effect.ci_high,
    }
    css = {"improved": "yes", "worsened": "warn"}.get(effect.verdict, "no")
    return text, css


define_register(
    Register(
        key="campaigns",
        model=AwarenessCampaign,
        group="prevention",
        activities=("PRE3",),
        fields=(
            "name",
            "channel",
            "audience",
            "start_date",
            "end_date",
            "places",
            "people_reached",
            "measure",
            "pre_surveyed",
            "pre_positive",
            "post_surveyed",
            "post_positive",
            "notes",
        ),
        list_columns=(
            "ref",
            "name",
            "channel",
            "audience",
            "start_date",
            "people_reached",
            Computed("effect", _("Change in behaviour"), _effect_column, "badge"),
        ),
        filters=("channel", "audience"),
        search=("name", "places", "measure"),
        date_field="start_date",
        chart_by="channel",
        chart_measure="people_reached",
        chart_label=_("People reached"),
        flags=(
            Flag(
                "measured",
                _("With a pre/post measure"),
                lambda qs, today: qs.filter(pre_surveyed__gt=0, post_surveyed__gt=0),
            ),
        ),
        extra_template="registers/extra/campaign.html",
    )
)

define_register(
    Register(
        key="hotline",
        model=HotlineRecord,
        group="prevention",
        activities=("PRE4",),
        fields=("service", "year", "month", "issue", "outcome", "count", "notes"),
        list_columns=("service", "year", "month", "issue", "outcome", "count"),
        filters=("issue", "outcome"),
        search=("service",),
        year_field="year",
        natural_key=("service", "year", "month", "issue", "outcome"),
        chart_by="issue",
        chart_measure="count",
        chart_label=_("Contacts"),
    )
)

define_register(
    Register(
        key="inspections",
        model=LabourInspection,
        group="prevention",
        activities=("PRE4", "PRE5"),
        fields=(
            "inspected_on",
            "place",
            "sector",
            "inspected_by",
            "workers_covered",
            "migrant_workers",
            "violations_found",
            "forced_labour_indicators",
            "child_labour_found",
            "findings",
            "referred_to_law_enforcement",
            "referred_on",
            "notes",
        ),
        list_columns=(
            "ref",
            "inspected_on",
            "place",
            "sector",
            "inspected_by",
            "workers_covered",
            "forced_labour_indicators",
            "referred_to_law_enforcement",
        ),
        filters=(
            "sector",
            "inspected_by",
            "violations_found",
            "forced_labour_indicators",
            "child_labour_found",
            "referred_to_law_enforcement",
        ),
        search=("place", "findings"),
        date_field="inspected_on",
        chart_by="referred_to_law_enforcement",
        chart_label=_("Inspections"),
    )
)

define_register(
    Register(
        key="partnerships",
        model=PrivateSectorPartnership,
        group="prevention",
        activities=("PRE6",),
        fields=(
            "partner",
            "sector",
            "kind",
            "signed_on",
            "ends_on",
            "companies_covered",
            "workers_covered",
            "description",
            "notes",
        ),
        list_columns=(
            "ref",
            "partner",
            "sector",
            "kind",
            "signed_on",
            "ends_on",
            "companies_covered",
        ),
        filters=("sector", "kind"),
        search=("partner", "description"),
        date_field="signed_on",
        chart_by="kind",
        chart_label=_("Partnerships signed"),
    )
)
