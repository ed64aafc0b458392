"""Demo data: provinces for the synthetic demo records, and official statistics by province.

Runs after the cases, tips and returns demo (its place in the demo order: see ``extra_demo_loaders`` in this app's AppConfig):

* every synthetic demo case (reference ``…-D…``) without a province of
  identification gets one of its country's provinces, drawn with a fixed seed,
  more often from border and city provinces, and most of them a district of it
  where MATIS has the province's districts (Thailand);
* every synthetic demo tip without a province gets one likewise;
* for each year of demo records that has no statistics submission yet (the
  UNODC GLOTIP years stay as published), the country's figures are computed
  from those records (:mod:`matis.official_statistics.services.records`, which
  counts victims by province of identification), submitted and approved, so
  the statistics pages and a province map have provincial figures. They are
  figures of synthetic records, stored with the source "MATIS records".

Idempotent: a second run finds every demo case and tip placed and every such
year submitted, and changes nothing.
"""

from __future__ import annotations

import random

from django.db import transaction

from matis.common.demo import demo_countries, demo_today

SEED = 2026_18
# Provinces where the demo puts more records: capitals, border crossings, ports.
HUBS = {
    "THA": ("TH-10", "TH-50", "TH-57", "TH-63", "TH-20", "TH-74", "TH-90", "TH-27", "TH-85"),
    "KHM": ("KH-12", "KH-1", "KH-2", "KH-17", "KH-18", "KH-22", "KH-9"),
    "LAO": ("LA-VT", "LA-BK", "LA-SV", "LA-CH", "LA-LP", "LA-LM"),
    "MMR": ("MM-06", "MM-13", "MM-17", "MM-11", "MM-05", "MM-15"),
    "VNM": ("VN-HN", "VN-SG", "VN-02", "VN-09", "VN-22", "VN-13", "VN-44"),
    "CHN": ("CN-YN", "CN-GX", "CN-GD", "CN-FJ", "CN-ZJ"),
}
HUB_WEIGHT = 8
# Not drawn for demo records.
NOT_DRAWN = frozenset({"CN-TW", "CN-HK", "CN-MO"})
SYNTHETIC_MARK = "(synthetic"
# The share of demo cases given a district too (where the province has a district list).
DISTRICT_SHARE = 0.6


def province_weights(country: str) -> tuple[list[str], list[int]]:
    """The provinces of ``country`` MATIS knows and the weight the demo draws each with."""
    from matis.common.models import Subdivision

    codes = [
        c
        for c in Subdivision.objects.filter(country_id=country)
        .order_by("code")
        .values_list("code", flat=True)
        if c not in NOT_DRAWN
    ]
    hubs = set(HUBS.get(country, ()))
    return codes, [HUB_WEIGHT if c in hubs else 1 for c in codes]


def place_demo_cases(rng: random.Random, country: str) -> int:
    """Give the country's synthetic demo cases without a province one; returns how many."""
    from matis.cases.models import Case

    codes, weights = province_weights(country)
    if not codes:
        return 0
    cases = list(
        Case.objects.filter(
            country_id=country, reference__contains="-D", place_of_identification__isnull=True
        ).order_by("pk")
    )
    districts = districts_by_province(country)
    for case in cases:
        case.place_of_identification_id = rng.choices(codes, weights)[0]
        within = districts.get(case.place_of_identification_id)
        if within and rng.random() < DISTRICT_SHARE:
            case.district_of_identification_id = rng.choice(within)
    Case.objects.bulk_update(
        cases, ["place_of_identification", "district_of_identification"], batch_size=500
    )
    return len(cases)


def districts_by_province(country: str) -> dict[str, list[str]]:
    """The district codes MATIS knows in each province of ``country``."""
    from matis.common.models import District

    out: dict[str, list[str]] = {}
    for code, province in (
        District.objects.filter(subdivision__country_id=country)
        .order_by("code")
        .values_list("code", "subdivision_id")
    ):
        out.setdefault(province, []).append(code)
    return out


def place_demo_tips(rng: random.Random, country: str) -> int:
    """Give the country's synthetic demo tips without a province one; returns how many."""
    from matis.intake.models import Tip

    codes, weights = province_weights(country)
    if not codes:
        return 0
    tips = [
        t
        for t in Tip.objects.filter(country_id=country, province__isnull=True).order_by("pk")
        if SYNTHETIC_MARK in (t.place or "")
    ]
    for tip in tips:
        tip.province_id = rng.choices(codes, weights)[0]
        tip.place_country_id = country
    Tip.objects.bulk_update(tips, ["province", "place_country"], batch_size=500)
    return len(tips)


def demo_record_years(country: str) -> list[int]:
    """Complete years with identified demo cases of ``country`` and no statistics submission."""
    from matis.cases.models import IDENTIFIED, Case
    from matis.official_statistics.models import Submission

    years = set(
        Case.objects.filter(
            country_id=country, reference__contains="-D", trafficking_status__in=sorted(IDENTIFIED)
        ).values_list("opened_on__year", flat=True)
    )
    taken = set(Submission.objects.filter(country_id=country).values_list("period", flat=True))
    this_year = demo_today().year  # the demo's, not the clock's: the same years every day
    return sorted(y for y in years if y < this_year and y not in taken)


@transaction.atomic
def demo_statistics_from_records(country: str, year: int) -> bool:
    """Figures of ``country`` for ``year`` from its demo records: stored, submitted, approved."""
    from matis.official_statistics.models import Submission
    from matis.official_statistics.services import (
        submission_approve,
        submission_submit,
        violation_comment,
    )
    from matis.official_statistics.services.records import records_proposal_apply

    records_proposal_apply(actor=None, country_id=country, year=year)
    submission = Submission.objects.get(country_id=country, period=year)
    submission.note = "Figures computed from the synthetic demo records (demo loader)."
    submission.save(update_fields=["note"])
    summary = submission_submit(actor=None, submission=submission)
    if summary.n_errors:
        return False  # left submitted: a reviewer sees why on its page
    for violation in submission.violations.filter(severity="warning", comment=""):
        violation_comment(
            actor=None,
            violation=violation,
            comment="Synthetic demo figures; comment written by the demo loader.",
        )
    submission_approve(actor=None, submission=submission)
    return True


def load_places_demo(*, countries: tuple[str, ...] | None = None) -> str:
    rng = random.Random(SEED)  # noqa: S311 - synthetic data, not security
    n_cases = n_tips = n_years = 0
    for country in demo_countries(countries):
        n_cases += place_demo_cases(rng, country)
        n_tips += place_demo_tips(rng, country)
    for country in demo_countries(countries):
        for year in demo_record_years(country):
            n_years += demo_statistics_from_records(country, year)
    return (
        f"provinces given to {n_cases} demo cases and {n_tips} demo tips; "
        f"{n_years} country-years of statistics by province from demo records"
    )
