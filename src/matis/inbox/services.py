"""Writes of the inbox: a user's mail preference, and the mails themselves.

Mails carry **no personal data**: the subject and body say how many items of
each kind await the user and link to the inbox; the items themselves are only
on the (signed-in) inbox page. Each mail is written in the user's preferred
language.

A daily digest is recorded (:class:`~matis.inbox.models.DigestRecord`, one per
user and day) in the same transaction that sends it: a second run on the same
day sends nothing, and a failed send leaves no record so the next run tries
again. Immediate mails tell only of items not told before
(:class:`~matis.inbox.models.NotifiedItem`).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import AuditAction, User
from matis.common.inbox import get_source, inbox_counts, inbox_keys
from matis.inbox.models import DigestRecord, Frequency, NotificationPreference, NotifiedItem

logger = logging.getLogger(__name__)


# --- preference ---------------------------------------------------------------------------------


@transaction.atomic
def notification_preference_set(*, actor: User, frequency: str) -> NotificationPreference:
    """Set how ``actor`` hears of her or his inbox by e-mail; audited."""
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": _("Choose one of the offered options.")})
    preference, created = NotificationPreference.objects.select_for_update().get_or_create(
        user=actor, defaults={"frequency": frequency}
    )
    before = snapshot(preference, ["frequency"])
    if not created:
        if preference.frequency == frequency:
            return preference
        preference.frequency = frequency
        preference.save(update_fields=["frequency", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE if created else AuditAction.RECORD_UPDATE,
        obj=preference,
        changes=None if created else changes_since(before, preference),
    )
    return preference


# --- mails --------------------------------------------------------------------------------------


def inbox_url() -> str:
    """The inbox's address as a mail links it: MATIS_SITE_URL plus the page's path."""
    return settings.MATIS_SITE_URL.rstrip("/") + reverse("inbox:index")


def user_language(user: User) -> str:
    """The user's preferred language if MATIS offers it, else the default."""
    offered = {code for code, _name in settings.LANGUAGES}
    wanted = (user.preferred_language or "").lower().replace("_", "-")
    return wanted if wanted in offered else settings.LANGUAGE_CODE


@dataclass(frozen=True)
class Mail:
    subject: str
    body: str


def render_inbox_mail(user: User, counts: dict[str, int], *, kind: str) -> Mail:
    """The subject and body of an inbox mail: counts per kind of work and a link, nothing else."""
    with translation.override(user_language(user)):
        rows = [(str(get_source(code).label), n) for code, n in counts.items()]
        context = {
            "rows": rows,
            "total": sum(counts.values()),
            "url": inbox_url(),
            "kind": kind,
        }
        subject = render_to_string("inbox/mail_subject.txt", context)
        body = render_to_string("inbox/mail_body.txt", context)
    return Mail(subject=" ".join(subject.split()), body=body)


def _send(user: User, mail: Mail) -> None:
    EmailMessage(subject=mail.subject, body=mail.body, to=[user.email]).send()


def _recipients(frequency: str):
    """Active users with an e-mail address whose choice is ``frequency``."""
    users = User.objects.filter(is_active=True).exclude(email="").order_by("pk")
    if frequency == Frequency.DAILY:
        # no preference row: the daily digest
        return users.exclude(inbox_preference__frequency__in=[Frequency.IMMEDIATE, Frequency.NONE])
    return users.filter(inbox_preference__frequency=frequency)


@dataclass
class MailRun:
    """What one run sent: mails sent, users skipped (nothing new, already sent), failures."""

    sent: int = 0
    skipped: int = 0
    failed: int = 0


def daily_digest_send(*, user: User, day: dt.date) -> bool:
    """Mail ``user`` the digest of ``day`` unless it was sent already or the inbox is empty."""
    if DigestRecord.objects.filter(user=user, day=day).exists():
        return False
    counts = inbox_counts(user, today=day)
    if not counts:
        return False
    mail = render_inbox_mail(user, counts, kind=Frequency.DAILY)
    try:
        with transaction.atomic():
            # The record first: a concurrent run on the same day fails on the unique
            # constraint here and sends nothing; a failed send rolls the record back.
            DigestRecord.objects.create(user=user, day=day, item_count=sum(counts.values()))
            _send(user, mail)
    except IntegrityError:
        return False
    return True


def immediate_send(*, user: User, today: dt.date) -> bool:
    """Mail ``user`` the items that arrived since the last mail; forget items that left."""
    current = inbox_keys(user, today=today)
    all_keys = set().union(*current.values()) if current else set()
    with transaction.atomic():
        known = set(
            NotifiedItem.objects.select_for_update().filter(user=user).values_list("key", flat=True)
        )
        NotifiedItem.objects.filter(user=user).exclude(key__in=all_keys).delete()
        new = {code: len(keys - known) for code, keys in current.items() if keys - known}
        if not new:
            return False
        NotifiedItem.objects.bulk_create(
            [NotifiedItem(user=user, key=k) for k in sorted(all_keys - known)],
            ignore_conflicts=True,
        )
        _send(user, render_inbox_mail(user, new, kind=Frequency.IMMEDIATE))
    return True


def inbox_mails_send(
    *, daily: bool = True, immediate: bool = True, day: dt.date | None = None
) -> dict[str, MailRun]:
    """Send the daily digests of ``day`` (default today) and the immediate mails; audited.

    Safe to run as often as wanted: a digest goes once per user and day, an
    immediate mail only for items not told before. One user's failed mail is
    logged (without the address) and the others go on.
    """
    day = day or timezone.localdate()
    runs: dict[str, MailRun] = {}
    plan = []
    if daily:
        plan.append((Frequency.DAILY, lambda u: daily_digest_send(user=u, day=day)))
    if immediate:
        plan.append((Frequency.IMMEDIATE, lambda u: immediate_send(user=u, today=day)))
    for frequency, send in plan:
        run = runs.setdefault(str(frequency), MailRun())
        for user in _recipients(frequency):
            try:
                if send(user):
                    run.sent += 1
                else:
                    run.skipped += 1
            except Exception:
                run.failed += 1
                logger.exception("inbox mail to user %s failed", user.pk)
    audit_record(
        actor=None,
        action=AuditAction.JOB_RUN,
        object_type="inbox.mail",
        job="inbox_mails_send",
        day=day.isoformat(),
        **{
            f"{k}_{f}": getattr(r, f)
            for k, r in runs.items()
            for f in ("sent", "skipped", "failed")
        },
    )
    return runs
