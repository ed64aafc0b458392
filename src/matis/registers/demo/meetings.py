"""Synthetic SOM/IMM and national meetings, decisions and follow-up actions."""

from __future__ import annotations

import datetime as dt

from matis.common.models import COMMIT_COUNTRIES
from matis.registers.demo.base import CAPITAL, SYN, YEARS, day_in, make
from matis.registers.models import FollowUpAction, Meeting, MeetingDecision


def load_regional(rng) -> int:
    created = 0
    regional = [
        ("som", 8, "THA", "Bangkok", dt.date(2011, 1, 25)),
        ("imm", 3, "THA", "Bangkok", dt.date(2011, 1, 27)),
        ("som", 9, "VNM", "Ha Noi", dt.date(2012, 3, 14)),
        ("som", 10, "CHN", "Beijing", dt.date(2013, 4, 10)),
    ]
    for kind, number, host, city, start in regional:
        meeting, made = make(
            Meeting,
            f"DEMO-MT-{kind.upper()}{number}",
            None,
            kind=kind,
            number=number,
            title=f"{kind.upper()} {number} {SYN}",
            host_country_id=host,
            city=city,
            start_date=start,
            end_date=start + dt.timedelta(days=1),
        )
        if not made:
            continue
        created += 1
        MeetingDecision.objects.create(
            meeting=meeting,
            number=1,
            text=f"Countries report progress on the priority activities before the next SOM {SYN}.",
        )
        for iso3 in COMMIT_COUNTRIES:
            due = start + dt.timedelta(days=180)
            done = due < dt.date(2013, 1, 1) and rng.random() < 0.7
            action = FollowUpAction(
                ref=f"DEMO-FA-{kind.upper()}{number}-{iso3}",
                country_id=iso3,
                meeting=meeting,
                decision_number=1,
                description=f"Submit the progress report to the secretariat {SYN}",
                responsible=f"National task force {SYN}",
                due_on=due,
                status="done" if done else "open",
                done_on=due - dt.timedelta(days=rng.randint(0, 30)) if done else None,
                synthetic=True,
            )
            action.full_clean()
            action.save()
            created += 1
    return created


def load_national(rng, iso3: str) -> int:
    created = 0
    for year in YEARS:
        start = day_in(rng, year)
        _m, made = make(
            Meeting,
            f"DEMO-MT-{iso3}-{year}",
            iso3,
            kind="task_force",
            title=f"National task force meeting {year} {SYN}",
            host_country_id=iso3,
            city=CAPITAL[iso3],
            start_date=start,
            end_date=start,
        )
        created += made
    return created
