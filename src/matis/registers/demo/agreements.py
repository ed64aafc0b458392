"""Synthetic agreements with plans and reviews, specialist units, situation assessments."""

from __future__ import annotations

import datetime as dt

from matis.registers.demo.base import BORDER, LANGUAGE, NEIGHBOUR, SYN, YEARS, day_in, make
from matis.registers.models import (
    Agreement,
    AgreementInstrument,
    AgreementReview,
    SituationAssessment,
    SpecialistUnit,
    UnitYear,
)


def load(rng, iso3: str) -> int:
    created = 0
    neighbour = NEIGHBOUR[iso3]
    bilateral, made = make(
        Agreement,
        f"DEMO-AG-{iso3}-1",
        iso3,
        title=f"MOU on cooperation against trafficking with {neighbour} {SYN}",
        kind="bilateral",
        form="mou",
        subject="comprehensive",
        status="in_force",
        signed_on=dt.date(2008, 5, 20),
        in_force_on=dt.date(2008, 5, 20),
    )
    if made:
        created += 1
        bilateral.party_countries.set([iso3, neighbour])
        AgreementInstrument.objects.create(
            agreement=bilateral,
            kind="sop",
            title=f"Joint SOP on return {SYN}",
            version="1.1",
            adopted_on=dt.date(2009, 3, 1),
        )
        AgreementInstrument.objects.create(
            agreement=bilateral,
            kind="action_plan",
            title=f"Action plan 2011-2013 {SYN}",
            adopted_on=dt.date(2011, 2, 1),
        )
        for year in YEARS:
            AgreementReview.objects.create(
                agreement=bilateral,
                reviewed_on=dt.date(year, 11, rng.randint(1, 28)),
                reviewed_by=f"Joint working group {SYN}",
                outcome="on_track",
            )
    outside, made = make(
        Agreement,
        f"DEMO-AG-{iso3}-2",
        iso3,
        title=f"Agreement on labour migration with a partner state {SYN}",
        kind="bilateral",
        form="agreement",
        subject="labour_migration",
        status="in_force",
        signed_on=dt.date(2010, 3, 15),
        in_force_on=dt.date(2010, 7, 1),
        other_parties="",
    )
    if made:
        created += 1
        outside.party_countries.set([iso3, "KOR" if iso3 != "CHN" else "AUS"])
        # Reviewed once in 2011, then not again: its yearly review is overdue.
        AgreementReview.objects.create(
            agreement=outside,
            reviewed_on=dt.date(2011, 6, 30),
            reviewed_by=f"Ministry of labour {SYN}",
            outcome="action_needed",
        )
    draft, made = make(
        Agreement,
        f"DEMO-AG-{iso3}-3",
        iso3,
        title=f"Draft protocol on evidence exchange {SYN}",
        kind="bilateral",
        form="protocol",
        subject="evidence",
        status="draft",
    )
    if made:
        created += 1
        draft.party_countries.set([iso3, neighbour])
    return created


def load_units_and_assessments(rng, iso3: str) -> int:
    created = 0
    unit, made = make(
        SpecialistUnit,
        f"DEMO-SU-{iso3}-1",
        iso3,
        name=f"Anti-trafficking police division {SYN}",
        level="national",
        parent_agency=f"National police {SYN}",
        established_on=dt.date(2005, 1, 1),
    )
    if made:
        created += 1
        staff = rng.randint(60, 140)
        for year in YEARS:
            staff += rng.randint(0, 15)
            UnitYear.objects.create(
                unit=unit,
                year=year,
                staff_total=staff,
                staff_female=staff // 4,
                investigators=staff // 2,
                staff_trained=rng.randint(10, staff // 2),
                vehicles=rng.randint(5, 20),
                budget_usd=rng.randint(200, 900) * 1000,
            )
    for n, (kind, year) in enumerate((("border", 2011), ("central", 2012), ("border", 2013)), 1):
        issued = day_in(rng, year)
        assessment, made = make(
            SituationAssessment,
            f"DEMO-SA-{iso3}-{n}",
            iso3,
            title=f"{kind.capitalize()} situation assessment {year} {SYN}",
            kind=kind,
            border_point=BORDER[iso3] if kind == "border" else "",
            period_start=dt.date(year, 1, 1),
            period_end=issued,
            issued_on=issued,
            language=LANGUAGE[iso3],
            classification="restricted",
            findings=f"Synthetic findings: recruitment routes and brokers' fees {SYN}.",
        )
        if made:
            created += 1
            assessment.shared_with.set([NEIGHBOUR[iso3]])
    return created
