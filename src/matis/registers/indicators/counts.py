"""The counts behind the register indicators: ``(*, countries, years) -> {(iso3, year): n}``.

Each answers with a fixed number of queries, whatever the data size.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import ExtractYear

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


def _grouped(qs, country: str, year, value) -> Values:
    rows = qs.values(_c=F(country), _y=year).annotate(_v=value).order_by()
    return {(r["_c"], r["_y"]): int(r["_v"] or 0) for r in rows if r["_v"]}


def _year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


# --- training: P&C2, CJ5, PRO7 -----------------------------------------------------------
def participants(activity: str):
    def provide(*, countries, years) -> Values:
        qs = EventParticipants.objects.filter(
            event__curriculum__activity=activity,
            event__country_id__in=countries,
            event__start_date__year__in=years,
        )
        return _grouped(qs, "event__country_id", ExtractYear("event__start_date"), Sum("count"))

    return provide


def events(activity: str):
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
def agreements_in_force(beyond_region: bool):
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


def partnerships_active(kind: str | None):
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
