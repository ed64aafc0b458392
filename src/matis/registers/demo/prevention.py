"""Synthetic prevention rows: projects, networks, campaigns, hotline, inspections, partnerships."""

from __future__ import annotations

import datetime as dt

from matis.registers.demo.base import BORDER, SYN, YEARS, day_in, make
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


def load(rng, iso3: str) -> int:
    created = 0
    for n, (focus, group) in enumerate(
        (("civil_documents", "stateless"), ("livelihoods", "youth")), 1
    ):
        project, made = make(
            VulnerabilityProject,
            f"DEMO-VP-{iso3}-{n}",
            iso3,
            name=f"Vulnerability reduction project {n} {SYN}",
            implementer=f"Partner NGO {SYN}",
            focus=focus,
            target_group=group,
            places=f"Border districts near {BORDER[iso3]}",
            start_date=dt.date(2011, 3, 1),
            end_date=dt.date(2013, 12, 31),
        )
        if made:
            created += 1
            for year in YEARS:
                ProjectResult.objects.create(
                    project=project,
                    year=year,
                    beneficiaries_female=rng.randint(100, 600),
                    beneficiaries_male=rng.randint(80, 500),
                    birth_registrations=rng.randint(50, 400) if focus == "civil_documents" else 0,
                    other_documents=rng.randint(0, 80),
                )
    for n, kind in enumerate(("community", "border"), 1):
        network, made = make(
            SurveillanceNetwork,
            f"DEMO-SN-{iso3}-{n}",
            iso3,
            name=f"{kind.capitalize()} watch network {n} {SYN}",
            kind=kind,
            location=BORDER[iso3],
            established_on=dt.date(2010, 6, 1),
            members=rng.randint(20, 120),
            linked_agency=f"District office {SYN}",
        )
        if made:
            created += 1
            for year in YEARS:
                for quarter_end in (3, 6, 9, 12):
                    NetworkReport.objects.create(
                        network=network,
                        reported_on=dt.date(year, quarter_end, 28),
                        persons_at_risk=rng.randint(0, 30),
                        suspected_cases=rng.randint(0, 4),
                        referrals=rng.randint(0, 6),
                        information_sessions=rng.randint(1, 8),
                    )
    measures = (
        ("radio", "prospective_migrants", 400, 120, 400, 180),
        ("street_show", "youth", 150, 60, 150, 66),
        ("social_media", "general_public", None, None, None, None),
    )
    for n, (channel, audience, n1, k1, n2, k2) in enumerate(measures, 1):
        start = day_in(rng, 2012)
        _obj, made = make(
            AwarenessCampaign,
            f"DEMO-AC-{iso3}-{n}",
            iso3,
            name=f"Safe migration campaign {n} {SYN}",
            channel=channel,
            audience=audience,
            start_date=start,
            end_date=start + dt.timedelta(days=60),
            places=BORDER[iso3],
            people_reached=rng.randint(2000, 40000),
            measure="Would check a recruitment agency's licence" if n1 else "",
            pre_surveyed=n1,
            pre_positive=k1,
            post_surveyed=n2,
            post_positive=k2,
        )
        created += made
    service = f"National labour and trafficking hotline {SYN}"
    if not HotlineRecord.objects.filter(country_id=iso3, service=service).exists():
        rows = []
        for year in YEARS:
            for month in range(1, 13):
                for issue, outcome in (
                    ("trafficking", "referred_police"),
                    ("labour_exploitation", "referred_labour"),
                    ("migration_information", "information"),
                ):
                    rows.append(
                        HotlineRecord(
                            country_id=iso3,
                            service=service,
                            year=year,
                            month=month,
                            issue=issue,
                            outcome=outcome,
                            count=rng.randint(1, 40),
                            synthetic=True,
                            ref=f"DEMO-HL-{iso3}-{year}{month:02d}-{issue[:4]}",
                        )
                    )
        HotlineRecord.objects.bulk_create(rows)
        created += len(rows)
    sectors = ["A03", "C10", "F", "A01", "T97"]
    for year in YEARS:
        for n in range(1, 7):
            day = day_in(rng, year)
            found = rng.random() < 0.5
            referred = found and rng.random() < 0.5
            _obj, made = make(
                LabourInspection,
                f"DEMO-LI-{iso3}-{year}-{n}",
                iso3,
                inspected_on=day,
                place=f"Province {n} {SYN}",
                sector=rng.choice(sectors),
                inspected_by="labour",
                workers_covered=(w := rng.randint(20, 300)),
                migrant_workers=w // 2,
                violations_found=found,
                forced_labour_indicators=referred,
                referred_to_law_enforcement=referred,
                referred_on=day + dt.timedelta(days=3) if referred else None,
            )
            created += made
    for n, (sector, kind) in enumerate(
        (("tourism", "code_of_conduct"), ("fishing", "partnership")), 1
    ):
        _obj, made = make(
            PrivateSectorPartnership,
            f"DEMO-PS-{iso3}-{n}",
            iso3,
            partner=f"{sector.capitalize()} business association {SYN}",
            sector=sector,
            kind=kind,
            signed_on=dt.date(2011, 4, 1) if n == 1 else dt.date(2012, 9, 1),
            companies_covered=rng.randint(5, 60),
            workers_covered=rng.randint(500, 8000),
        )
        created += made
    return created
