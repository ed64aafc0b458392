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

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractYear
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from matis.common.models import COMMIT_COUNTRIES
from matis.registers.models import (
    Accreditation,
    Agreement,
    AgreementReview,
    AwarenessCampaign,
    EventParticipants,
    FollowUpAction,
    HotlineRecord,
    LabourInspection,
    NetworkReport,
    PrivateSectorPartnership,
    ProjectResult,
    SituationAssessment,
    TrainingEvent,
    UnitYear,
)
from matis.registers.models.agreements import one_year_after

Values = dict[tuple[str, int], int]


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


def _grouped(qs, country: str, year, value) -> Values:
    rows = qs.values(_c=F(country), _y=year).annotate(_v=value).order_by()
    return {(r["_c"], r["_y"]): int(r["_v"] or 0) for r in rows if r["_v"]}


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


# --- training: P&C2, CJ5, PRO7 -----------------------------------------------------------
def _participants(activity: str):
    def provide(*, countries, years) -> Values:
        qs = EventParticipants.objects.filter(
            event__curriculum__activity=activity,
            event__country_id__in=countries,
            event__start_date__year__in=years,
        )
        return _grouped(qs, "event__country_id", ExtractYear("event__start_date"), Sum("count"))

    return provide


def _events(activity: str):
    def provide(*, countries, years) -> Values:
        qs = TrainingEvent.objects.filter(
            curriculum__activity=activity, country_id__in=countries, start_date__year__in=years
        )
        return _grouped(qs, "country_id", ExtractYear("start_date"), Count("pk"))

    return provide


def accredited_trainers(*, countries, years) -> Values:
    """Trainers holding an accreditation valid on 31 December of the year."""
    if not years:
        return {}
    rows = Accreditation.objects.filter(
        trainer__country_id__in=countries,
        valid_from__lte=_year_end(max(years)),
        valid_until__gte=_year_end(min(years)),
    ).values_list("trainer__country_id", "trainer_id", "valid_from", "valid_until")
    holders: dict[tuple[str, int], set] = defaultdict(set)
    for country, trainer, start, end in rows:
        for year in years:
            if start <= _year_end(year) <= end:
                holders[(country, year)].add(trainer)
    return {key: len(ids) for key, ids in holders.items()}


# --- agreements: P&C3, P&C4 ----------------------------------------------------------------
def _agreements_in_force(beyond_region: bool):
    def provide(*, countries, years) -> Values:
        agreements = (
            Agreement.objects.filter(country_id__in=countries, in_force_on__isnull=False)
            .exclude(status__in=(Agreement.Status.DRAFT, Agreement.Status.TERMINATED))
            .prefetch_related("party_countries")
        )
        out: Counter = Counter()
        for agreement in agreements:
            outside = bool(agreement.other_party_list()) or any(
                c.pk not in COMMIT_COUNTRIES for c in agreement.party_countries.all()
            )
            if outside != beyond_region:
                continue
            for year in years:
                end = _year_end(year)
                if agreement.in_force_on <= end and (
                    agreement.expires_on is None or agreement.expires_on >= end
                ):
                    out[(agreement.country_id, year)] += 1
        return dict(out)

    return provide


def reviews_held(*, countries, years) -> Values:
    qs = AgreementReview.objects.filter(
        agreement__country_id__in=countries, reviewed_on__year__in=years
    )
    return _grouped(qs, "agreement__country_id", ExtractYear("reviewed_on"), Count("pk"))


def reviews_overdue(*, countries, years) -> Values:
    """Agreements signed or in force on 31 December whose yearly review was overdue then."""
    agreements = list(
        Agreement.objects.filter(country_id__in=countries, signed_on__isnull=False)
        .exclude(status__in=(Agreement.Status.DRAFT, Agreement.Status.TERMINATED))
        .values("pk", "country_id", "signed_on", "in_force_on", "expires_on")
    )
    reviews: dict[int, list[dt.date]] = defaultdict(list)
    for agreement_id, day in AgreementReview.objects.filter(
        agreement_id__in=[a["pk"] for a in agreements]
    ).values_list("agreement_id", "reviewed_on"):
        reviews[agreement_id].append(day)
    out: Counter = Counter()
    for a in agreements:
        for year in years:
            end = _year_end(year)
            if a["signed_on"] > end or (a["expires_on"] and a["expires_on"] < end):
                continue
            done = [d for d in reviews[a["pk"]] if d <= end]
            in_force = a["in_force_on"] if a["in_force_on"] and a["in_force_on"] <= end else None
            base = max(done) if done else (in_force or a["signed_on"])
            if one_year_after(base) < end:
                out[(a["country_id"], year)] += 1
    return dict(out)


# --- P&C5, CJ2 ----------------------------------------------------------------------------------
def assessments_issued(*, countries, years) -> Values:
    qs = SituationAssessment.objects.filter(country_id__in=countries, issued_on__year__in=years)
    return _grouped(qs, "country_id", ExtractYear("issued_on"), Count("pk"))


def assessments_shared(*, countries, years) -> Values:
    qs = SituationAssessment.objects.filter(
        country_id__in=countries, issued_on__year__in=years, shared_with__isnull=False
    )
    return _grouped(qs, "country_id", ExtractYear("issued_on"), Count("pk", distinct=True))


def unit_staff(*, countries, years) -> Values:
    qs = UnitYear.objects.filter(unit__country_id__in=countries, year__in=years)
    return _grouped(qs, "unit__country_id", F("year"), Sum("staff_total"))


def unit_staff_trained(*, countries, years) -> Values:
    qs = UnitYear.objects.filter(unit__country_id__in=countries, year__in=years)
    return _grouped(qs, "unit__country_id", F("year"), Sum("staff_trained"))


# --- prevention: PRE1-PRE6 ------------------------------------------------------------------------
def project_beneficiaries(*, countries, years) -> Values:
    qs = ProjectResult.objects.filter(project__country_id__in=countries, year__in=years)
    total = Sum("beneficiaries_female") + Sum("beneficiaries_male")
    return _grouped(qs, "project__country_id", F("year"), total)


def civil_documents(*, countries, years) -> Values:
    qs = ProjectResult.objects.filter(project__country_id__in=countries, year__in=years)
    total = Sum("birth_registrations") + Sum("other_documents")
    return _grouped(qs, "project__country_id", F("year"), total)


def networks_reporting(*, countries, years) -> Values:
    qs = NetworkReport.objects.filter(
        network__country_id__in=countries, reported_on__year__in=years
    )
    return _grouped(
        qs, "network__country_id", ExtractYear("reported_on"), Count("network_id", distinct=True)
    )


def persons_at_risk(*, countries, years) -> Values:
    qs = NetworkReport.objects.filter(
        network__country_id__in=countries, reported_on__year__in=years
    )
    return _grouped(qs, "network__country_id", ExtractYear("reported_on"), Sum("persons_at_risk"))


def campaigns_run(*, countries, years) -> Values:
    qs = AwarenessCampaign.objects.filter(country_id__in=countries, start_date__year__in=years)
    return _grouped(qs, "country_id", ExtractYear("start_date"), Count("pk"))


def campaigns_effective(*, countries, years) -> Values:
    """Campaigns whose pre/post measure shows an improvement (interval above zero)."""
    out: Counter = Counter()
    for campaign in AwarenessCampaign.objects.filter(
        country_id__in=countries, start_date__year__in=years
    ):
        effect = campaign.effect()
        if effect is not None and effect.verdict == "improved":
            out[(campaign.country_id, campaign.start_date.year)] += 1
    return dict(out)


def hotline_contacts(*, countries, years) -> Values:
    qs = HotlineRecord.objects.filter(country_id__in=countries, year__in=years)
    return _grouped(qs, "country_id", F("year"), Sum("count"))


def hotline_referrals(*, countries, years) -> Values:
    qs = HotlineRecord.objects.filter(
        country_id__in=countries,
        year__in=years,
        outcome__in=(HotlineRecord.Outcome.POLICE, HotlineRecord.Outcome.LABOUR),
    )
    return _grouped(qs, "country_id", F("year"), Sum("count"))


def inspections(*, countries, years) -> Values:
    qs = LabourInspection.objects.filter(country_id__in=countries, inspected_on__year__in=years)
    return _grouped(qs, "country_id", ExtractYear("inspected_on"), Count("pk"))


def inspections_with_findings(*, countries, years) -> Values:
    qs = LabourInspection.objects.filter(
        Q(violations_found=True) | Q(forced_labour_indicators=True) | Q(child_labour_found=True),
        country_id__in=countries,
        inspected_on__year__in=years,
    )
    return _grouped(qs, "country_id", ExtractYear("inspected_on"), Count("pk"))


def inspection_referrals(*, countries, years) -> Values:
    qs = LabourInspection.objects.filter(
        country_id__in=countries, inspected_on__year__in=years, referred_to_law_enforcement=True
    )
    return _grouped(qs, "country_id", ExtractYear("inspected_on"), Count("pk"))


def _partnerships(kind: str | None):
    def provide(*, countries, years) -> Values:
        if not years:
            return {}
        qs = PrivateSectorPartnership.objects.filter(
            Q(ends_on__isnull=True) | Q(ends_on__year__gte=min(years)),
            country_id__in=countries,
            signed_on__year__lte=max(years),
        )
        if kind:
            qs = qs.filter(kind=kind)
        out: Counter = Counter()
        for p in qs.only("country_id", "signed_on", "ends_on"):
            for year in years:
                if p.active_in(year):
                    out[(p.country_id, year)] += 1
        return dict(out)

    return provide


def actions_done(*, countries, years) -> Values:
    qs = FollowUpAction.objects.filter(
        country_id__in=countries, status=FollowUpAction.Status.DONE, done_on__year__in=years
    )
    return _grouped(qs, "country_id", ExtractYear("done_on"), Count("pk"))


def _indicator(code, activity, goal, label, func) -> RegisterIndicator:
    slug = "reg-" + code.removeprefix("registers.").replace(".", "-").replace("_", "-")
    return RegisterIndicator(code, slug[:40], activity, goal, label, func)


INDICATORS: tuple[RegisterIndicator, ...] = (
    _indicator(
        "registers.pc2.events",
        "P&C2",
        "1.2",
        _("Training events held (P&C2 curricula)"),
        _events("P&C2"),
    ),
    _indicator(
        "registers.pc2.participants",
        "P&C2",
        "1.2",
        _("People trained (P&C2 curricula)"),
        _participants("P&C2"),
    ),
    _indicator(
        "registers.pc2.accredited_trainers",
        "P&C2",
        "1.2",
        _("Trainers with a valid accreditation on 31 December"),
        accredited_trainers,
    ),
    _indicator(
        "registers.cj5.participants",
        "CJ5",
        "2.3",
        _("Criminal justice officials trained (CJ5 curricula)"),
        _participants("CJ5"),
    ),
    _indicator(
        "registers.pro7.participants",
        "PRO7",
        "3.5",
        _("Service providers trained (PRO7 curricula)"),
        _participants("PRO7"),
    ),
    _indicator(
        "registers.pc3.in_force",
        "P&C3",
        "1.3",
        _("Agreements within the region in force on 31 December"),
        _agreements_in_force(False),
    ),
    _indicator(
        "registers.pc3.reviews", "P&C3", "1.3", _("Yearly reviews of agreements held"), reviews_held
    ),
    _indicator(
        "registers.pc3.reviews_overdue",
        "P&C3",
        "1.3",
        _("Agreements whose yearly review was overdue on 31 December"),
        reviews_overdue,
    ),
    _indicator(
        "registers.pc4.in_force",
        "P&C4",
        "1.4",
        _("Agreements with states or bodies outside the region in force on 31 December"),
        _agreements_in_force(True),
    ),
    _indicator(
        "registers.pc5.assessments",
        "P&C5",
        "1.5",
        _("Situation assessments issued"),
        assessments_issued,
    ),
    _indicator(
        "registers.pc5.assessments_shared",
        "P&C5",
        "1.5",
        _("Situation assessments exchanged with other governments"),
        assessments_shared,
    ),
    _indicator(
        "registers.cj2.staff",
        "CJ2",
        "2.2",
        _("Staff of specialist anti-trafficking units"),
        unit_staff,
    ),
    _indicator(
        "registers.cj2.staff_trained",
        "CJ2",
        "2.2",
        _("Specialist unit staff trained in the year"),
        unit_staff_trained,
    ),
    _indicator(
        "registers.pre1.beneficiaries",
        "PRE1",
        "4.1",
        _("Beneficiaries of vulnerability-reduction projects"),
        project_beneficiaries,
    ),
    _indicator(
        "registers.pre1.civil_documents",
        "PRE1",
        "4.1",
        _("Civil documents (birth registrations and others) issued"),
        civil_documents,
    ),
    _indicator(
        "registers.pre2.networks",
        "PRE2",
        "4.2",
        _("Surveillance networks that reported in the year"),
        networks_reporting,
    ),
    _indicator(
        "registers.pre2.at_risk",
        "PRE2",
        "4.2",
        _("People at risk identified by surveillance networks"),
        persons_at_risk,
    ),
    _indicator(
        "registers.pre3.campaigns", "PRE3", "4.3", _("Awareness campaigns started"), campaigns_run
    ),
    _indicator(
        "registers.pre3.effective",
        "PRE3",
        "4.3",
        _("Campaigns with a measured improvement in behaviour"),
        campaigns_effective,
    ),
    _indicator(
        "registers.pre4.hotline",
        "PRE4",
        "4.4",
        _("Hotline and complaint contacts"),
        hotline_contacts,
    ),
    _indicator(
        "registers.pre4.hotline_referrals",
        "PRE4",
        "4.4",
        _("Hotline contacts referred to police or labour authorities"),
        hotline_referrals,
    ),
    _indicator(
        "registers.pre4.inspection_referrals",
        "PRE4",
        "4.4",
        _("Labour inspections referred to law enforcement"),
        inspection_referrals,
    ),
    _indicator(
        "registers.pre5.inspections",
        "PRE5",
        "4.4",
        _("Labour inspections carried out"),
        inspections,
    ),
    _indicator(
        "registers.pre5.findings",
        "PRE5",
        "4.4",
        _("Labour inspections that found violations, forced or child labour"),
        inspections_with_findings,
    ),
    _indicator(
        "registers.pre6.partnerships",
        "PRE6",
        "4.5",
        _("Private-sector partnerships, codes of conduct and CSR programmes active"),
        _partnerships(None),
    ),
    _indicator(
        "registers.pre6.codes",
        "PRE6",
        "4.5",
        _("Codes of conduct active"),
        _partnerships("code_of_conduct"),
    ),
)

# Counted for the annual report, but not tied to one plan activity or goal.
REPORT_ONLY: tuple[RegisterIndicator, ...] = (
    _indicator(
        "registers.meetings.actions_done",
        "",
        "",
        _("Meeting follow-up actions completed"),
        actions_done,
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
    from matis.monitoring.models import Indicator
    from matis.plans.models import Goal

    goals = {g.code: g for g in Goal.objects.filter(area__plan__code="SPA3")}
    changed = 0
    for order, item in enumerate(INDICATORS, start=100):
        goal = goals.get(item.goal)
        if goal is None:
            continue
        if (
            Indicator.objects.filter(provider_code=item.code)
            .exclude(code=item.indicator_code)
            .exists()
        ):
            continue  # monitoring's own indicator already uses this count
        wanted = {
            "goal": goal,
            "order": order,
            "name_en": item.name_en,
            "name_th": item.name("th"),
            "unit": Indicator.Unit.NUMBER,
            "direction": (
                Indicator.Direction.DECREASE
                if item.code.endswith("overdue")
                else Indicator.Direction.INCREASE
            ),
            "source": Indicator.Source.COMPUTED,
            "provider_code": item.code,
            "note_en": f"Counted from the MATIS programme registers ({item.activity}).",
        }
        current = Indicator.objects.filter(code=item.indicator_code).first()
        if current is None:
            Indicator.objects.create(code=item.indicator_code, **wanted)
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
