"""Fixtures for the register tests: small worlds of curricula, trainers and events."""

from __future__ import annotations

import datetime as dt

import pytest


@pytest.fixture
def curriculum(db):
    from matis.registers.models import Curriculum

    def make(country="THA", activity="P&C2", **extra):
        return Curriculum.objects.create(
            country_id=country,
            title=extra.pop("title", f"Basics {activity}"),
            activity=activity,
            level="national",
            kind="generalist",
            version="1",
            language="th",
            **extra,
        )

    return make


@pytest.fixture
def accredited_trainer(db):
    from matis.registers.models import Accreditation, Trainer

    def make(
        country="THA",
        valid_from=dt.date(2010, 1, 1),
        valid_until=dt.date(2013, 12, 31),
        curriculum=None,
        name="Trainer (synthetic)",
    ):
        trainer = Trainer.objects.create(country_id=country, name=name, sector="government")
        Accreditation.objects.create(
            trainer=trainer,
            accredited_by="government",
            body="Board (synthetic)",
            valid_from=valid_from,
            valid_until=valid_until,
            curriculum=curriculum,
        )
        return trainer

    return make


@pytest.fixture
def event(db, curriculum):
    from matis.registers.models import TrainingEvent

    def make(country="THA", start=dt.date(2012, 3, 5), days=3, activity="P&C2", cur=None):
        return TrainingEvent.objects.create(
            country_id=country,
            title="Event (synthetic)",
            curriculum=cur or curriculum(country, activity),
            start_date=start,
            end_date=start + dt.timedelta(days=days - 1),
            place="Bangkok",
        )

    return make
