"""Training register: accreditation expiry is respected when a trainer is assigned."""

import datetime as dt

import pytest

from matis.access.models import AuditAction, AuditLog
from matis.registers import services
from matis.registers.models import (
    EventParticipants,
    EventTrainer,
    TrainerNotAccredited,
    TrainingEvent,
)

pytestmark = pytest.mark.django_db


def test_a_trainer_whose_accreditation_expired_cannot_be_assigned(accredited_trainer, event):
    trainer = accredited_trainer(valid_until=dt.date(2011, 12, 31), name="Lapsed (synthetic)")
    later = event(start=dt.date(2012, 3, 5))
    with pytest.raises(TrainerNotAccredited) as caught:
        services.trainer_assign(actor=None, event=later, trainer=trainer)
    assert "Lapsed (synthetic)" in caught.value.messages[0]
    assert not EventTrainer.objects.exists()

    earlier = event(start=dt.date(2011, 11, 7))
    assignment = services.trainer_assign(actor=None, event=earlier, trainer=trainer)
    assert assignment.accreditation.valid_until == dt.date(2011, 12, 31)


def test_the_accreditation_must_cover_every_day_of_the_event(accredited_trainer, event):
    trainer = accredited_trainer(valid_until=dt.date(2012, 3, 6))
    with pytest.raises(TrainerNotAccredited):  # expires on the second of three days
        services.trainer_assign(actor=None, event=event(start=dt.date(2012, 3, 5)), trainer=trainer)
    fits = event(start=dt.date(2012, 3, 4))  # 4-6 March: the last day is still valid
    services.trainer_assign(actor=None, event=fits, trainer=trainer)
    assert fits.trainers.get() == trainer


def test_an_accreditation_for_one_curriculum_does_not_cover_another(
    accredited_trainer, event, curriculum
):
    cj = curriculum(activity="CJ5")
    trainer = accredited_trainer(curriculum=cj)
    with pytest.raises(TrainerNotAccredited):
        services.trainer_assign(actor=None, event=event(activity="P&C2"), trainer=trainer)
    services.trainer_assign(actor=None, event=event(cur=cj), trainer=trainer)


def test_moving_an_event_past_the_expiry_is_refused_and_rolled_back(accredited_trainer, event):
    trainer = accredited_trainer(valid_until=dt.date(2012, 6, 30))
    training = event(start=dt.date(2012, 3, 5))
    services.event_trainers_set(actor=None, event=training, trainers=[trainer])
    training.start_date, training.end_date = dt.date(2012, 7, 2), dt.date(2012, 7, 3)
    training.save()
    with pytest.raises(TrainerNotAccredited):
        services.event_trainers_set(actor=None, event=training, trainers=[trainer])
    assert EventTrainer.objects.filter(event=training, trainer=trainer).exists()


def _event_form(curriculum, trainers, **extra):
    data = {
        "ref": "",
        "country": "THA",
        "title": "Border officials course (synthetic)",
        "curriculum": curriculum.pk,
        "start_date": "2012-05-14",
        "end_date": "2012-05-16",
        "place": "Mae Sot",
        "organiser": "",
        "notes": "",
        "trainers": [t.pk for t in trainers],
        "participants-TOTAL_FORMS": "2",
        "participants-INITIAL_FORMS": "0",
        "participants-MIN_NUM_FORMS": "0",
        "participants-MAX_NUM_FORMS": "1000",
        "participants-0-agency_type": "LawEnforcement",
        "participants-0-sex": "female",
        "participants-0-role": "practitioner",
        "participants-0-count": "12",
        "participants-0-pre_test_mean": "48.5",
        "participants-0-post_test_mean": "71",
        "participants-1-agency_type": "NGO",
        "participants-1-sex": "male",
        "participants-1-role": "manager",
        "participants-1-count": "8",
        "participants-1-pre_test_mean": "",
        "participants-1-post_test_mean": "",
    }
    data.update(extra)
    return data


def test_the_event_form_refuses_an_expired_trainer_and_writes_nothing(
    user_client, curriculum, accredited_trainer
):
    client = user_client("task_force_officer", "THA")
    expired = accredited_trainer(valid_until=dt.date(2012, 1, 31), name="Expired (synthetic)")
    response = client.post("/registers/training-events/new/", _event_form(curriculum(), [expired]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Expired (synthetic)" in body and "errorlist" in body
    assert not TrainingEvent.objects.exists()
    assert not EventParticipants.objects.exists()


def test_recording_an_event_with_participants_and_an_accredited_trainer(
    user_client, curriculum, accredited_trainer
):
    client = user_client("task_force_officer", "THA")
    trainer = accredited_trainer()
    response = client.post("/registers/training-events/new/", _event_form(curriculum(), [trainer]))
    assert response.status_code == 302
    saved = TrainingEvent.objects.get()
    assert saved.ref == f"TE-THA-{saved.pk}"
    assert saved.participant_summary()["total"] == 20
    assert saved.participant_summary()["female"] == 12
    assert list(saved.trainers.all()) == [trainer]
    detail = client.get(response["Location"]).content.decode()
    assert 'data-total="participants">20<' in detail
    audit = AuditLog.objects.filter(
        action=AuditAction.RECORD_CREATE,
        object_id=str(saved.pk),
        object_type="registers.trainingevent",
    )
    assert audit.get().detail["register"] == "training-events"
    assert AuditLog.objects.filter(object_type="registers.eventtrainer").count() == 1


def test_another_countrys_curriculum_or_trainer_cannot_be_used(
    user_client, curriculum, accredited_trainer
):
    client = user_client("task_force_officer", "THA")
    theirs = curriculum("KHM")
    response = client.post(
        "/registers/training-events/new/",
        _event_form(theirs, [accredited_trainer("KHM")]),
    )
    assert response.status_code == 200
    assert not TrainingEvent.objects.exists()


def test_weighted_test_score_means(event):
    training = event()
    EventParticipants.objects.create(
        event=training,
        agency_type="NGO",
        sex="female",
        role="practitioner",
        count=30,
        pre_test_mean=40,
        post_test_mean=70,
    )
    EventParticipants.objects.create(
        event=training,
        agency_type="NGO",
        sex="male",
        role="practitioner",
        count=10,
        pre_test_mean=60,
        post_test_mean=80,
    )
    summary = training.participant_summary()
    assert summary["pre_test_mean"] == 45  # (30*40 + 10*60) / 40
    assert summary["post_test_mean"] == 72.5  # (30*70 + 10*80) / 40
    assert summary["gain"] == 27.5
