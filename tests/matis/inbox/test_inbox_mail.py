"""Inbox mails: counts and a link only, in the user's language, each daily digest sent once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from matis.access.models import AuditAction, AuditLog
from matis.inbox.models import DigestRecord, Frequency, NotificationPreference
from matis.inbox.services import inbox_mails_send, notification_preference_set

pytestmark = pytest.mark.django_db


def mails_to(outbox, user):
    return [m for m in outbox if m.to == [user.email]]


def test_the_daily_digest_goes_to_whom_work_awaits_once_a_day(people, refer, mailoutbox):
    refer("THA")
    runs = inbox_mails_send(immediate=False)
    assert runs["daily"].sent == 1
    [mail] = mailoutbox
    assert mail.to == [people.THA_ngo_worker.email]
    assert "Referrals to answer: 1" in mail.body
    assert "/inbox/" in mail.body
    assert "1 item awaits you" in mail.subject

    again = inbox_mails_send(immediate=False)
    call_command("send_digests", "--only", "daily")
    assert again["daily"].sent == 0
    assert len(mailoutbox) == 1
    assert DigestRecord.objects.filter(user=people.THA_ngo_worker).count() == 1

    tomorrow = dt.date.today() + dt.timedelta(days=1)
    assert inbox_mails_send(immediate=False, day=tomorrow)["daily"].sent == 1
    assert len(mailoutbox) == 2
    assert AuditLog.objects.filter(action=AuditAction.JOB_RUN, object_type="inbox.mail").exists()


def test_a_failed_send_records_nothing_and_the_next_run_sends(
    people, refer, mailoutbox, monkeypatch
):
    from matis.inbox import services

    refer("THA")

    def broken(user, mail):
        raise OSError("mail relay down")

    monkeypatch.setattr(services, "_send", broken)
    assert inbox_mails_send(immediate=False)["daily"].failed == 1
    assert not DigestRecord.objects.exists()
    monkeypatch.undo()
    assert inbox_mails_send(immediate=False)["daily"].sent == 1
    assert len(mailoutbox) == 1


def test_the_digest_is_in_the_users_language(people, refer, mailoutbox):
    people.THA_ngo_worker.preferred_language = "th"
    people.THA_ngo_worker.save()
    refer("THA")
    inbox_mails_send(immediate=False)
    [mail] = mailoutbox
    assert "ส่งต่อ" in mail.body  # "referral" in the Thai label of the source
    assert "Referrals to answer" not in mail.body
    assert "MATIS" in mail.subject and "awaits" not in mail.subject
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in mail.subject)  # Thai script


def test_a_user_who_chose_no_mail_gets_none(people, refer, mailoutbox):
    notification_preference_set(actor=people.THA_ngo_worker, frequency=Frequency.NONE)
    refer("THA")
    assert inbox_mails_send()["daily"].sent == 0
    assert mailoutbox == []


def test_immediate_mail_tells_only_what_is_new(people, refer, mailoutbox):
    notification_preference_set(actor=people.THA_ngo_worker, frequency=Frequency.IMMEDIATE)
    refer("THA")
    assert inbox_mails_send()["immediate"].sent == 1
    assert inbox_mails_send()["immediate"].sent == 0  # nothing new
    refer("THA")
    assert inbox_mails_send()["immediate"].sent == 1
    assert len(mailoutbox) == 2
    assert "1 new item" in mailoutbox[1].subject
    assert "Referrals to answer: 1" in mailoutbox[1].body
    # an immediate user gets no daily digest on top
    assert not DigestRecord.objects.filter(user=people.THA_ngo_worker).exists()


def test_no_mail_carries_personal_data(people, refer, mailoutbox, planted_name):
    """Plant a synthetic victim's name in the cases that create work; no mail names it."""
    from matis.cases.models import Case

    notification_preference_set(actor=people.KHM_ngo_worker, frequency=Frequency.IMMEDIATE)
    people.KHM_ngo_worker.preferred_language = "km"
    people.KHM_ngo_worker.save()
    refer("THA")
    refer("KHM")
    inbox_mails_send()
    assert {tuple(m.to) for m in mailoutbox} == {
        (people.THA_ngo_worker.email,),
        (people.KHM_ngo_worker.email,),
    }
    references = list(Case.objects.values_list("reference", flat=True))
    forbidden = [*planted_name, *references]
    for agency in (people.THA_shelter, people.KHM_shelter):
        forbidden.append(agency.name)  # even the referring agency stays on the page
    for mail in mailoutbox:
        for text in (mail.subject, mail.body, *(a[1] for a in mail.attachments)):
            for word in forbidden:
                assert word.lower() not in str(text).lower()
    # the planted name is in the data the work comes from, so the check above could fail
    assert {c.person.given_name for c in Case.objects.select_related("person")} == {planted_name[0]}


def test_the_preference_change_is_audited(people):
    notification_preference_set(actor=people.THA_tfo, frequency=Frequency.IMMEDIATE)
    notification_preference_set(actor=people.THA_tfo, frequency=Frequency.NONE)
    assert NotificationPreference.objects.get(user=people.THA_tfo).frequency == Frequency.NONE
    row = AuditLog.objects.filter(
        actor=people.THA_tfo,
        action=AuditAction.RECORD_UPDATE,
        object_type="inbox.notificationpreference",
    ).get()
    assert row.changes == {"frequency": ["immediate", "none"]}


def test_send_digests_refuses_a_bad_day():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--day"):
        call_command("send_digests", "--day", "2026-13-01")


@pytest.mark.parametrize(
    ("preferred", "used"),
    [("th", "th"), ("zh_Hans", "zh-hans"), ("zh-hans", "zh-hans"), ("", "en"), ("fr", "en")],
)
def test_the_mail_language_is_the_users_if_matis_offers_it(make_user, preferred, used):
    from matis.inbox.services import user_language

    assert user_language(make_user(preferred_language=preferred)) == used


def test_a_mail_reads_as_a_short_list_of_counts(people, refer, mailoutbox, settings):
    settings.MATIS_SITE_URL = "https://matis.example.org/"
    refer("THA")
    inbox_mails_send()
    [mail] = mailoutbox
    lines = [line for line in mail.body.splitlines() if line.strip()]
    assert lines[:4] == [
        "This is what awaits you in MATIS today:",
        "- Referrals to answer: 1",
        "Open your inbox (sign-in required):",
        "https://matis.example.org/inbox/",
    ]
    assert mail.subject == "MATIS daily digest: 1 item awaits you"


def test_the_background_job_sends_the_same_mails(people, refer, mailoutbox):
    from matis.inbox.tasks import send_inbox_mails

    refer("THA")
    result = send_inbox_mails.enqueue()
    daily = result.return_value["daily"]
    assert (daily["sent"], daily["failed"]) == (1, 0)
    assert [m.to for m in mailoutbox] == [[people.THA_ngo_worker.email]]
