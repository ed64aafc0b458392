"""Register counts as computed indicators for monitoring, and as a table for the annual report.

Each :class:`RegisterIndicator` names the plan activity and goal it measures
and a provider function ``(*, countries, years) -> {(iso3, year): count}``
(the signature of ``matis.monitoring.providers``). ``register_providers()``
plugs them into monitoring from ``RegistersConfig.ready()``;
``sync_monitoring_indicators()`` creates the matching computed indicators
(source "computed", provider code below) so they show in monitoring.

Every provider answers with a fixed number of queries whatever the data size.
Only rows that belong to a country count; regional rows (SOM/IMM, agreements
kept by the secretariat) have no country to count for.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import translation
from django.utils.translation import gettext_lazy as _

from matis.registers.indicators import counts
from matis.registers.indicators.counts import Values


@dataclass(frozen=True)
class RegisterIndicator:
    code: str  # provider code in monitoring
    indicator_code: str  # code of the computed monitoring indicator (a slug)
    activity: str  # plan activity, e.g. "P&C2"; empty for counts not tied to one
    goal: str  # SPA III goal, e.g. "1.2"
    label: object  # lazily translated name
    func: Callable[..., Values]

    def name(self, language: str) -> str:
        with translation.override(language):
            return str(self.label)

    @property
    def name_en(self) -> str:
        return self.name("en")

    def values(self, *, countries, years) -> Values:
        return self.func(countries=list(countries), years=list(years))


def _indicator(code, activity, goal, label, func) -> RegisterIndicator:
    slug = "reg-" + code.removeprefix("registers.").replace(".", "-").replace("_", "-")
    return RegisterIndicator(code, slug[:40], activity, goal, label, func)


INDICATORS: tuple[RegisterIndicator, ...] = (
    _indicator(
        "registers.pc2.events",
        "P&C2",
        "1.2",
        _("Training events held (P&C2 curricula)"),
        counts.events("P&C2"),
    ),
    _indicator(
        "registers.pc2.participants",
        "P&C2",
        "1.2",
        _("People trained (P&C2 curricula)"),
        counts.participants("P&C2"),
    ),
    _indicator(
        "registers.pc2.accredited_trainers",
        "P&C2",
        "1.2",
        _("Trainers with a valid accreditation on 31 December"),
        counts.accredited_trainers,
    ),
    _indicator(
        "registers.cj5.participants",
        "CJ5",
        "2.3",
        _("Criminal justice officials trained (CJ5 curricula)"),
        counts.participants("CJ5"),
    ),
    _indicator(
        "registers.pro7.participants",
        "PRO7",
        "3.5",
        _("Service providers trained (PRO7 curricula)"),
        counts.participants("PRO7"),
    ),
    _indicator(
        "registers.pc3.in_force",
        "P&C3",
        "1.3",
        _("Agreements within the region in force on 31 December"),
        counts.agreements_in_force(False),
    ),
    _indicator(
        "registers.pc3.reviews",
        "P&C3",
        "1.3",
        _("Yearly reviews of agreements held"),
        counts.reviews_held,
    ),
    _indicator(
        "registers.pc3.reviews_overdue",
        "P&C3",
        "1.3",
        _("Agreements whose yearly review was overdue on 31 December"),
        counts.reviews_overdue,
    ),
    _indicator(
        "registers.pc4.in_force",
        "P&C4",
        "1.4",
        _("Agreements with states or bodies outside the region in force on 31 December"),
        counts.agreements_in_force(True),
    ),
    _indicator(
        "registers.pc5.assessments",
        "P&C5",
        "1.5",
        _("Situation assessments issued"),
        counts.assessments_issued,
    ),
    _indicator(
        "registers.pc5.assessments_shared",
        "P&C5",
        "1.5",
        _("Situation assessments exchanged with other governments"),
        counts.assessments_shared,
    ),
    _indicator(
        "registers.cj2.staff",
        "CJ2",
        "2.2",
        _("Staff of specialist anti-trafficking units"),
        counts.unit_staff,
    ),
    _indicator(
        "registers.cj2.staff_trained",
        "CJ2",
        "2.2",
        _("Specialist unit staff trained in the year"),
        counts.unit_staff_trained,
    ),
    _indicator(
        "registers.pre1.beneficiaries",
        "PRE1",
        "4.1",
        _("Beneficiaries of vulnerability-reduction projects"),
        counts.project_beneficiaries,
    ),
    _indicator(
        "registers.pre1.civil_documents",
        "PRE1",
        "4.1",
        _("Civil documents (birth registrations and others) issued"),
        counts.civil_documents,
    ),
    _indicator(
        "registers.pre2.networks",
        "PRE2",
        "4.2",
        _("Surveillance networks that reported in the year"),
        counts.networks_reporting,
    ),
    _indicator(
        "registers.pre2.at_risk",
        "PRE2",
        "4.2",
        _("People at risk identified by surveillance networks"),
        counts.persons_at_risk,
    ),
    _indicator(
        "registers.pre3.campaigns",
        "PRE3",
        "4.3",
        _("Awareness campaigns started"),
        counts.campaigns_run,
    ),
    _indicator(
        "registers.pre3.effective",
        "PRE3",
        "4.3",
        _("Campaigns with a measured improvement in behaviour"),
        counts.campaigns_effective,
    ),
    _indicator(
        "registers.pre4.hotline",
        "PRE4",
        "4.4",
        _("Hotline and complaint contacts"),
        counts.hotline_contacts,
    ),
    _indicator(
        "registers.pre4.hotline_referrals",
        "PRE4",
        "4.4",
        _("Hotline contacts referred to police or labour authorities"),
        counts.hotline_referrals,
    ),
    _indicator(
        "registers.pre4.inspection_referrals",
        "PRE4",
        "4.4",
        _("Labour inspections referred to law enforcement"),
        counts.inspection_referrals,
    ),
    _indicator(
        "registers.pre5.inspections",
        "PRE5",
        "4.4",
        _("Labour inspections carried out"),
        counts.inspections,
    ),
    _indicator(
        "registers.pre5.findings",
        "PRE5",
        "4.4",
        _("Labour inspections that found violations, forced or child labour"),
        counts.inspections_with_findings,
    ),
    _indicator(
        "registers.pre6.partnerships",
        "PRE6",
        "4.5",
        _("Private-sector partnerships, codes of conduct and CSR programmes active"),
        counts.partnerships_active(None),
    ),
    _indicator(
        "registers.pre6.codes",
        "PRE6",
        "4.5",
        _("Codes of conduct active"),
        counts.partnerships_active("code_of_conduct"),
    ),
)

# Counted for the annual report, but not tied to one plan activity or goal.
REPORT_ONLY: tuple[RegisterIndicator, ...] = (
    _indicator(
        "registers.meetings.actions_done",
        "",
        "",
        _("Meeting follow-up actions completed"),
        counts.actions_done,
    ),
)


def indicator(code: str) -> RegisterIndicator:
    for item in (*INDICATORS, *REPORT_ONLY):
        if item.code == code:
            return item
    raise LookupError(code)


def register_providers() -> None:
    """Plug every register indicator into ``matis.monitoring.providers`` (from ``ready()``)."""
    from matis.monitoring.providers import register_provider

    for item in INDICATORS:
        register_provider(item.code, item.func, label=item.name_en)


def sync_monitoring_indicators() -> int:
    """Create or update the computed monitoring indicators for the register counts.

    Idempotent; returns how many indicators were created or changed.
    """
    from matis.monitoring.models import PlanIndicator
    from matis.plans.models import Goal

    goals = {g.code: g for g in Goal.objects.filter(area__plan__code="SPA3")}
    changed = 0
    for order, item in enumerate(INDICATORS, start=100):
        goal = goals.get(item.goal)
        if goal is None:
            continue
        if (
            PlanIndicator.objects.filter(provider_code=item.code)
            .exclude(code=item.indicator_code)
            .exists()
        ):
            continue  # monitoring's own indicator already uses this count
        wanted = {
            "goal": goal,
            "order": order,
            "name_en": item.name_en,
            "name_th": item.name("th"),
            "unit": PlanIndicator.Unit.NUMBER,
            "direction": (
                PlanIndicator.Direction.DECREASE
                if item.code.endswith("overdue")
                else PlanIndicator.Direction.INCREASE
            ),
            "source": PlanIndicator.Source.COMPUTED,
            "provider_code": item.code,
            "note_en": f"Counted from the MATIS programme registers ({item.activity}).",
        }
        current = PlanIndicator.objects.filter(code=item.indicator_code).first()
        if current is None:
            PlanIndicator.objects.create(code=item.indicator_code, **wanted)
            changed += 1
        elif any(getattr(current, k) != v for k, v in wanted.items()):
            for k, v in wanted.items():
                setattr(current, k, v)
            current.save()
            changed += 1
    return changed


def register_counts_for_report(year: int, countries) -> dict:
    """Every register count for ``year`` and ``countries`` as a plain table for the annual report.

    Returns ``{"year", "countries", "rows"}``; each row is
    ``{"code", "indicator_code", "activity", "goal", "label", "values", "total"}``
    with ``values`` mapping each ISO alpha-3 country code to a whole number (0 when
    nothing was recorded). The labels are in the active language.
    """
    countries = [c if isinstance(c, str) else c.pk for c in countries]
    rows = []
    for item in (*INDICATORS, *REPORT_ONLY):
        found = item.values(countries=countries, years=[year])
        values = {c: int(found.get((c, year), 0)) for c in countries}
        rows.append(
            {
                "code": item.code,
                "indicator_code": item.indicator_code,
                "activity": item.activity,
                "goal": item.goal,
                "label": str(item.label),
                "values": values,
                "total": sum(values.values()),
            }
        )
    return {"year": year, "countries": countries, "rows": rows}
