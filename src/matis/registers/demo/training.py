"""Synthetic curricula, trainers with accreditations, events with participants."""

from __future__ import annotations

import datetime as dt

from matis.access.models import OrganisationType
from matis.registers import services
from matis.registers.demo.base import (
    BORDER,
    CAPITAL,
    LANGUAGE,
    SYN,
    YEARS,
    day_in,
    make,
    synthetic_name,
)
from matis.registers.models import (
    Accreditation,
    Curriculum,
    EventParticipants,
    Trainer,
    TrainingEvent,
)


def load(rng, iso3: str) -> int:
    created = 0
    curricula = []
    for code, activity, kind, title in (
        ("GEN", "P&C2", "generalist", "Anti-trafficking basics for practitioners"),
        ("CJS", "CJ5", "specialist", "Investigating cross-border trafficking cases"),
        ("SVC", "PRO7", "specialist", "Rights-based victim services"),
    ):
        curriculum, made = make(
            Curriculum,
            f"DEMO-CU-{iso3}-{code}",
            iso3,
            title=f"{title} {SYN}",
            activity=activity,
            level="national",
            kind=kind,
            version="2.0",
            language=LANGUAGE[iso3],
            adopted_on=dt.date(2010, 9, 1),
        )
        curricula.append(curriculum)
        created += made
    trainers = []
    for n in range(1, 7):
        trainer, made = make(
            Trainer,
            f"DEMO-TR-{iso3}-{n}",
            iso3,
            name=synthetic_name(rng),
            organisation=f"National training team {SYN}",
            sector="civil_society" if n % 3 == 0 else "government",
        )
        trainers.append(trainer)
        created += made
        if made:
            # Trainer 6's accreditation lapsed at the end of 2011: later events cannot use them.
            until = dt.date(2011, 12, 31) if n == 6 else dt.date(2014, 6, 30)
            Accreditation.objects.create(
                trainer=trainer,
                accredited_by="civil_society" if n % 3 == 0 else "government",
                body=f"National accreditation board {SYN}",
                valid_from=dt.date(2010, 7, 1),
                valid_until=until,
            )
    agency_types = [
        OrganisationType.LAW_ENFORCEMENT,
        OrganisationType.CENTRAL_GOVERNMENT,
        OrganisationType.LOCAL_GOVERNMENT,
        OrganisationType.NGO,
    ]
    for year in YEARS:
        for index, curriculum in enumerate(curricula):
            start = day_in(rng, year)
            event, made = make(
                TrainingEvent,
                f"DEMO-TE-{iso3}-{year}-{index + 1}",
                iso3,
                title=f"{curriculum.title.removesuffix(SYN).strip()} · {year} {SYN}",
                curriculum=curriculum,
                start_date=start,
                end_date=start + dt.timedelta(days=2),
                place=CAPITAL[iso3] if index == 0 else BORDER[iso3],
                organiser=f"National task force {SYN}",
            )
            if not made:
                continue
            created += 1
            for agency_type in rng.sample(agency_types, 2):
                for sex in ("female", "male"):
                    pre = rng.randint(40, 60)
                    EventParticipants.objects.create(
                        event=event,
                        agency_type=agency_type,
                        sex=sex,
                        role="practitioner",
                        count=rng.randint(5, 18),
                        pre_test_mean=pre,
                        post_test_mean=pre + rng.randint(5, 25),
                    )
            for trainer in rng.sample(trainers, 2):
                if trainer.accreditation_for(event) is not None:
                    services.trainer_assign(actor=None, event=event, trainer=trainer)
    return created
