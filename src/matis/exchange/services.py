"""National side: queue items for the hub, send them with retries, pull and decide alerts."""

from __future__ import annotations

import datetime as dt
import logging
import random
import smtplib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm, roles_with
from matis.access.scoping import scope_queryset
from matis.cases.choices import ConsentPurpose
from matis.cases.models import Case
from matis.cases.selectors import cases_with_consent
from matis.exchange import conf, payloads
from matis.exchange.conf import Credential
from matis.exchange.hub import ENVELOPE_VERSION
from matis.exchange.models import (
    AlertStatus,
    CountryKey,
    DecisionBasis,
    ItemKind,
    LinkageSubject,
    OutboxItem,
    OutboxStatus,
    ReceivedAlert,
)
from matis.exchange.privacy import PersonalDataRefused, check_payload
from matis.exchange.signing import canonical_json
from matis.exchange.transport import (
    HttpTransport,
    HubServerError,
    HubUnreachable,
    LocalTransport,
)

logger = logging.getLogger(__name__)

# Answers that will not change by retrying the same bytes: the item is set aside.
PERMANENT_REFUSALS = frozenset({400, 409, 413, 422})


# --- queueing ------------------------------------------------------------------------------


def outbox_enqueue(
    *,
    country_id: str,
    kind: str,
    object_type: str,
    object_id,
    idempotency_key: str,
    payload: dict | None = None,
    case_ids: list[int] | None = None,
    chain: str = "",
) -> tuple[OutboxItem, bool]:
    """Queue one item (in the caller's transaction); a known idempotency key changes nothing.

    ``chain`` names the items this one depends on or must not overtake (default:
    the same object, ``"<object_type>:<object_id>"``): within a chain items reach
    the hub in queue order, and a parked item holds back the rest of its chain.
    """
    if payload is not None:
        check_payload(kind, payload)
    return OutboxItem.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "country_id": country_id,
            "kind": kind,
            "object_type": object_type,
            "object_id": str(object_id),
            "chain": (chain or f"{object_type}:{object_id}")[:160],
            "payload": payload,
            "case_ids": case_ids or [],
        },
    )


def enqueue_monitoring_report(report) -> tuple[OutboxItem, bool]:
    stamp = report.approved_at.isoformat() if report.approved_at else "approved"
    return outbox_enqueue(
        country_id=report.country_id,
        kind=ItemKind.MONITORING_REPORT,
        object_type="monitoring.activityreport",
        object_id=report.pk,
        idempotency_key=f"{report.country_id}:report:{report.pk}:{stamp}",
        # frozen now: a report reopened before the push must not send its draft
        payload=payloads.monitoring_report_data(report),
    )


def enqueue_statistics(submission) -> tuple[OutboxItem, bool]:
    stamp = submission.approved_at.isoformat() if submission.approved_at else "approved"
    return outbox_enqueue(
        country_id=submission.country_id,
        kind=ItemKind.STATISTICS,
        object_type="statistics.submission",
        object_id=submission.pk,
        idempotency_key=f"{submission.country_id}:statistics:{submission.pk}:{stamp}",
        # frozen now: a submission reopened before the push must not send its draft
        payload=payloads.statistics_data(submission),
    )


def enqueue_deidentified_release(
    country_id: str, *, k: int | None = None
) -> tuple[OutboxItem, bool]:
    """Queue the country's current k-anonymised case records (same content: same key)."""
    data, case_ids = payloads.deidentified_release(country_id, k=k)
    return outbox_enqueue(
        country_id=country_id,
        kind=ItemKind.DEIDENTIFIED_CASES,
        object_type="cases.release",
        object_id=country_id,
        idempotency_key=f"{country_id}:deidentified:{payloads.digest(data)[:32]}",
        payload=data,
        case_ids=case_ids,
    )


def enqueue_token_update(case: Case, *, cause: str) -> tuple[OutboxItem, bool]:
    """Queue the person's linkage token (or its withdrawal), made when it is first sent.

    The key names the encoding schema: after an upgrade to a new schema (whose
    tokens the hub alone accepts), ``matis exchange enqueue`` queues every
    consented person's token again, encoded under the new schema.
    """
    from tipstats.linkage import MATIS_SCHEMA

    return outbox_enqueue(
        country_id=case.country_id,
        kind=ItemKind.LINKAGE_TOKEN,
        object_type="cases.case",
        object_id=case.pk,
        idempotency_key=f"{case.country_id}:token:{case.pk}:{cause}:{MATIS_SCHEMA.fingerprint}",
        case_ids=[case.pk],
    )


# --- called by other apps' services, in their transactions ------------------------------------
# The event and its outbox item are committed together or not at all. Only a national
# instance queues anything; on the hub these calls do nothing.


def outbox_enqueue_report_approval(*, report) -> OutboxItem | None:
    """An approved monitoring report goes to the hub (called by the approval service)."""
    from matis.monitoring.models import Workflow

    if not conf.is_national() or report.workflow != Workflow.APPROVED or not report.approved_at:
        return None
    return enqueue_monitoring_report(report)[0]


def outbox_enqueue_statistics_approval(*, submission) -> OutboxItem | None:
    """An approved statistics submission goes to the hub (called by the approval service)."""
    if not conf.is_national() or not submission.is_approved or not submission.approved_at:
        return None
    return enqueue_statistics(submission)[0]


def outbox_enqueue_consent_change(*, event) -> OutboxItem | None:
    """A cross-border consent given or withdrawn remakes (or withdraws) the person's token."""
    if not conf.is_national() or event.purpose != ConsentPurpose.CROSS_BORDER:
        return None
    return enqueue_token_update(event.case, cause=f"consent-{event.pk}")[0]


def outbox_enqueue_case_deletion(*, case: Case) -> OutboxItem | None:
    """Secure deletion of a case withdraws its linkage token at the hub (before the case goes)."""
    if not conf.is_national():
        return None
    subject = LinkageSubject.objects.filter(case_id=case.pk).first()
    if subject is None:
        return None
    return outbox_enqueue(
        country_id=case.country_id,
        kind=ItemKind.TOKEN_REVOKE,
        object_type="exchange.linkagesubject",
        object_id=subject.ref,
        idempotency_key=f"{case.country_id}:revoke:{subject.ref}",
        payload={"subject_ref": str(subject.ref)},
        chain=f"cases.case:{case.pk}",  # after the person's token items, never before
    )[0]


def enqueue_pending(*, country_id: str) -> dict[str, int]:
    """``matis exchange enqueue``: queue everything approved or consented not queued yet."""
    from matis.monitoring.models import ActivityReport, Workflow
    from matis.official_statistics.models import Submission

    counts = dict.fromkeys(ItemKind.values, 0)
    with transaction.atomic():
        for report in ActivityReport.objects.filter(
            country_id=country_id, workflow=Workflow.APPROVED
        ):
            counts[ItemKind.MONITORING_REPORT] += enqueue_monitoring_report(report)[1]
        for submission in Submission.objects.filter(
            country_id=country_id, status=Submission.Status.APPROVED
        ):
            counts[ItemKind.STATISTICS] += enqueue_statistics(submission)[1]
        counts[ItemKind.DEIDENTIFIED_CASES] += enqueue_deidentified_release(country_id)[1]
        consented = (
            Case.objects.filter(
                country_id=country_id, consents__purpose=ConsentPurpose.CROSS_BORDER
            )
            .distinct()
            .order_by("pk")
        )
        for case in consented:
            latest = case.consents.filter(purpose=ConsentPurpose.CROSS_BORDER).order_by("-id")
            event_id = latest.values_list("pk", flat=True).first()
            counts[ItemKind.LINKAGE_TOKEN] += enqueue_token_update(
                case, cause=f"consent-{event_id}"
            )[1]
    return counts


# --- building and checking payloads ----------------------------------------------------------


class NotAllowed(Exception):
    """The item may not be sent (consent withdrawn); it is cancelled, never sent."""


def _token_payload(item: OutboxItem) -> tuple[str, dict]:
    case = Case.objects.select_related("person").filter(pk=int(item.object_id)).first()
    if case is None:
        raise NotAllowed("the case was deleted")
    countries = payloads.consent_countries(case)
    subject = LinkageSubject.objects.filter(case=case).first()
    if not countries:
        if (
            subject is None
            or not OutboxItem.objects.filter(
                kind=ItemKind.LINKAGE_TOKEN,
                object_id=item.object_id,
                status=OutboxStatus.SENT,
            ).exists()
        ):
            raise NotAllowed("no cross-border consent")
        return ItemKind.TOKEN_REVOKE, {"subject_ref": str(subject.ref)}
    subject = subject or LinkageSubject.objects.create(case=case)
    return ItemKind.LINKAGE_TOKEN, payloads.linkage_token_data(case, str(subject.ref), countries)


def _build(item: OutboxItem) -> None:
    """Make the payload once; afterwards every attempt sends the same bytes."""
    if item.kind == ItemKind.RELAY:
        return  # sealed for the recipient when first posted (matis.exchange.relay.relay_post)
    if item.payload is not None:
        check_payload(item.kind, item.payload)  # again before sending (k may have been raised)
        return
    if item.kind == ItemKind.MONITORING_REPORT:
        from matis.monitoring.models import ActivityReport

        item.payload = payloads.monitoring_report_data(
            ActivityReport.objects.get(pk=item.object_id)
        )
    elif item.kind == ItemKind.STATISTICS:
        from matis.official_statistics.models import Submission

        item.payload = payloads.statistics_data(Submission.objects.get(pk=item.object_id))
    elif item.kind == ItemKind.LINKAGE_TOKEN:
        item.kind, item.payload = _token_payload(item)
    else:
        raise ValueError(f"{item.kind} items are built when they are queued")
    check_payload(item.kind, item.payload)
    item.save(update_fields=["kind", "payload"])


def _check_still_allowed(item: OutboxItem) -> None:
    """Consent is checked again before every attempt: a withdrawal stops the item."""
    if item.kind == ItemKind.DEIDENTIFIED_CASES:
        still = cases_with_consent(
            ConsentPurpose.STATISTICS, cases=Case.objects.filter(pk__in=item.case_ids)
        ).values_list("pk", flat=True)
        if set(item.case_ids) - set(still):
            raise NotAllowed("consent to statistics withdrawn since the release was made")
    elif item.kind == ItemKind.RELAY:
        from matis.exchange.relay import relay_still_allowed

        relay_still_allowed(item)
    elif item.kind == ItemKind.LINKAGE_TOKEN:
        case = Case.objects.filter(pk=item.case_ids[0]).first()
        if case is None:
            raise NotAllowed("the case was deleted")
        wanted = payloads.consent_countries(case)
        if set(wanted) != set(item.payload.get("consent_countries", [])):
            raise NotAllowed("cross-border consent changed since the token was made")


def _envelope(item: OutboxItem) -> bytes:
    return canonical_json(
        {
            "v": ENVELOPE_VERSION,
            "country": item.country_id,
            "kind": item.kind,
            "idempotency_key": item.idempotency_key,
            "created_at": item.created_at.isoformat(),
            "data": item.payload,
        }
    )


# --- sending ---------------------------------------------------------------------------------


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> float:
    """Seconds before the next attempt: exponential in ``attempts``, capped, with jitter.

    The jitter (a factor between 0.5 and 1.5) keeps six countries that lost
    the hub at the same moment from all retrying at the same moment.
    """
    base, cap = conf.backoff_base_seconds(), conf.backoff_max_seconds()
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return delay * (rng or random).uniform(0.5, 1.5)


def transport_for(country_id: str):
    """The configured way to the hub for ``country_id``'s items."""
    url = conf.hub_url()
    if url == "local:":
        return LocalTransport(demo_credential(country_id))
    national = conf.national_country()
    if national and national != country_id:
        raise PermissionError(f"this instance is {national}; it does not send for {country_id}")
    return HttpTransport(url, conf.national_credential())


def demo_credential(country_id: str) -> Credential:
    """The demo keeps hub and countries in one database: use the country's newest hub key."""
    from matis.exchange.keys import secret_of

    key = (
        CountryKey.objects.filter(country_id=country_id, revoked_at__isnull=True)
        .order_by("-valid_from")
        .first()
    )
    if key is None:
        raise conf.ExchangeNotConfigured(f"the demo hub has no key for {country_id}")
    return Credential(key.key_id, secret_of(key))


@dataclass
class PushResult:
    sent: int = 0
    duplicates: int = 0
    failed: int = 0
    cancelled: int = 0
    deferred: int = 0
    parked: int = 0
    unreachable: bool = False
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sent": self.sent,
            "duplicates": self.duplicates,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "deferred": self.deferred,
            "parked": self.parked,
            "unreachable": self.unreachable,
        }


# What an attempt's outcome does to the item (docs/exchange.md, "Sending"):
# - 2xx: stored at the hub (or stored before): sent.
# - 400, 409, 413, 422: refused for good, the same bytes would be refused again: failed.
# - another 5xx, or the item cannot be prepared: a failure of this item. It waits
#   (backoff) and holds back the queue; after MATIS_EXCHANGE_MAX_FAILURES in a row it
#   is parked, its administrators are emailed, and the queue goes on.
# - no answer, 502/503/504 (the hub or its proxy is down or busy), 403 (key, clock),
#   anything else: the hub takes nothing now. The item waits and is never parked.


def _queue(country_id: str | None) -> QuerySet[OutboxItem]:
    """Waiting items not held back by an earlier unfinished item of their chain."""
    earlier = OutboxItem.objects.filter(
        country_id=OuterRef("country_id"),
        chain=OuterRef("chain"),
        pk__lt=OuterRef("pk"),
        status__in=(OutboxStatus.PENDING, OutboxStatus.PARKED),
    )
    queue = OutboxItem.objects.filter(status=OutboxStatus.PENDING).filter(~Exists(earlier))
    return queue.filter(country_id=country_id) if country_id else queue


def _unclaimed(now: dt.datetime) -> Q:
    return Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)


def _claim_next(*, country_id: str | None, pusher: str, ignore_schedule: bool):
    """Lease the first due item in queue order, in a short transaction of its own.

    The row lock (``SKIP LOCKED``: a concurrent pusher's candidate is passed
    over, never waited for) lasts only this transaction; the lease
    (``claimed_by`` / ``claimed_until``) is what keeps another pusher off the
    item while it is sent. The conditional update is the guard on databases
    without row locks (SQLite, where the transaction holds the write lock).
    """
    for _attempt in range(5):
        now = timezone.now()
        with transaction.atomic():
            head = (
                _queue(country_id)
                .filter(_unclaimed(now))
                .order_by("pk")
                .select_for_update(skip_locked=True, of=("self",))
                .first()
            )
            if head is None:
                return None
            if not ignore_schedule and head.next_attempt_at > now:
                return None  # queue order: nothing overtakes an item waiting for its retry
            taken = (
                OutboxItem.objects.filter(pk=head.pk, status=OutboxStatus.PENDING)
                .filter(_unclaimed(now))
                .update(
                    claimed_by=pusher,
                    claimed_until=now + dt.timedelta(seconds=conf.lease_seconds()),
                )
            )
        if taken:
            return OutboxItem.objects.get(pk=head.pk)
    return None


def _record(item: OutboxItem, pusher: str, apply, *, even_if_taken: bool = False):
    """Write an attempt's outcome in a short transaction of its own and end the lease.

    ``apply(current)`` changes the locked, current row and returns the changed
    field names. Nothing is written when the item is no longer waiting, or
    when another pusher took it over after this one's lease ran out (its
    outcome counts), except a hub acknowledgement (``even_if_taken``): the hub
    has the item, whoever sent it.
    """
    with transaction.atomic():
        current = OutboxItem.objects.select_for_update().filter(pk=item.pk).first()
        if current is None or current.status != OutboxStatus.PENDING:
            return None
        if current.claimed_by != pusher and not even_if_taken:
            logger.warning("outbox item %s: lease lost to another pusher", item.pk)
            return None
        changed = apply(current)
        current.claimed_by, current.claimed_until = "", None
        current.save(update_fields=[*changed, "claimed_by", "claimed_until"])
        return current


def _release(item: OutboxItem, pusher: str) -> None:
    OutboxItem.objects.filter(pk=item.pk, claimed_by=pusher).update(
        claimed_by="", claimed_until=None
    )


def _record_failure(
    item: OutboxItem, pusher: str, error: str, result: PushResult, *, counts: bool
) -> bool:
    """An attempt that did not reach a verdict: wait and retry, or park (``counts``).

    Returns True when the item was parked: the push goes on with the next item.
    """

    def apply(current: OutboxItem) -> list[str]:
        now = timezone.now()
        current.attempts += 1
        current.last_error = error[:500]
        current.failures += int(counts)
        if counts and current.failures >= conf.max_failures():
            current.status, current.parked_at = OutboxStatus.PARKED, now
            audit_record(
                actor=None,
                action=AuditAction.STATUS_CHANGE,
                obj=current,
                status=OutboxStatus.PARKED,
                failures=current.failures,
                error=current.last_error,
            )
            return ["attempts", "last_error", "failures", "status", "parked_at"]
        current.next_attempt_at = now + dt.timedelta(seconds=backoff_delay(current.attempts))
        return ["attempts", "last_error", "failures", "next_attempt_at"]

    current = _record(item, pusher, apply)
    result.errors.append(error)
    if current is not None and current.status == OutboxStatus.PARKED:
        result.parked += 1
        notified = outbox_parked_notify(item=current)
        logger.error(
            "outbox item %s (%s) parked after %d failures in a row: %s; %d administrators emailed",
            current.pk,
            current.idempotency_key,
            current.failures,
            current.last_error,
            notified,
        )
        return True
    result.deferred += 1
    return False


def _refusal(status: int, body: dict, size: int) -> str:
    error, detail = body.get("error", ""), str(body.get("detail", ""))[:400]
    if status == 413:
        return (
            f"413 too large: the hub refused the item of {size / 2**20:.1f} MiB "
            f"({size} bytes): {error}: {detail}"
        )[:500]
    return f"{status} {error}: {detail}"


def _settle(status: str, error: str):
    """An outcome that ends the item without an attempt at the hub (cancelled, refused here)."""

    def apply(current: OutboxItem) -> list[str]:
        current.status, current.last_error = status, error[:500]
        return ["status", "last_error"]

    return apply


def _send_one(item: OutboxItem, *, pusher: str, transport_for_country, result: PushResult) -> bool:
    """Prepare, send and record one leased item; False when the push should stop."""
    try:
        with transaction.atomic():
            try:
                _build(item)
                _check_still_allowed(item)
                not_allowed = None
            except NotAllowed as exc:  # what the check wrote (a relay void) is kept
                not_allowed = exc
        if not_allowed is not None:
            _record(item, pusher, _settle(OutboxStatus.CANCELLED, str(not_allowed)))
            result.cancelled += 1
            return True
    except PersonalDataRefused as exc:
        _record(item, pusher, _settle(OutboxStatus.FAILED, str(exc)))
        result.failed += 1
        return True
    except Exception as exc:  # a broken item must not stop the queue for ever: it is parked
        logger.exception("outbox item %s could not be prepared", item.pk)
        return _record_failure(item, pusher, f"could not be prepared: {exc}", result, counts=True)
    try:
        # no transaction is open here: the row is held by the lease, not by a lock
        transport = transport_for_country(item.country_id)
        if item.kind == ItemKind.RELAY:  # to another country, sealed for it
            from matis.exchange.relay import relay_post

            body = b""
            response = relay_post(transport, item)
        else:
            body = _envelope(item)
            response = transport.post_item(body, item.idempotency_key)
    except HubServerError as exc:
        counts = not exc.says_unavailable
        result.unreachable = result.unreachable or not counts
        return _record_failure(item, pusher, str(exc), result, counts=counts)
    except HubUnreachable as exc:
        result.unreachable = True
        _record_failure(item, pusher, str(exc), result, counts=False)
        return False
    except BaseException:
        _release(item, pusher)
        raise
    if response.ok:

        def sent(current: OutboxItem) -> list[str]:
            current.status, current.ack = OutboxStatus.SENT, response.body
            current.sent_at, current.last_error = timezone.now(), ""
            current.attempts += 1
            current.failures = 0
            return ["status", "ack", "sent_at", "last_error", "attempts", "failures"]

        _record(item, pusher, sent, even_if_taken=True)
        result.sent += 1
        result.duplicates += bool(response.body.get("duplicate"))
        return True
    if response.status in PERMANENT_REFUSALS:
        size = len(body) if body else len(canonical_json(item.payload or {}))
        error = _refusal(response.status, response.body, size)

        def refused(current: OutboxItem) -> list[str]:
            current.status, current.last_error = OutboxStatus.FAILED, error
            current.attempts += 1
            return ["status", "attempts", "last_error"]

        _record(item, pusher, refused)
        result.failed += 1
        result.errors.append(error)
        return True
    # 403 (key expired, clock) or anything else: retry after the cause is fixed
    _record_failure(item, pusher, f"{response.status} {response.body}", result, counts=False)
    return False


def outbox_push(
    *,
    country_id: str | None = None,
    transport_factory: Callable[[str], object] = transport_for,
    limit: int | None = None,
    pause: float = 0.0,
    ignore_schedule: bool = False,
) -> PushResult:
    """Send due items in queue order; stop at the first sign the hub is down.

    Order: the queue is first in, first out per sender. An item waiting for
    its retry holds back the items behind it, until it is sent or parked; a
    parked item holds back only the later items of its own ``chain`` (the
    items that depend on it: a token's withdrawal never reaches the hub
    before the token). Concurrent pushers may send items of different
    chains at the same time; never two items of one chain, never one item
    twice at once.

    Each item is claimed under a lease in a short transaction, sent with no
    transaction open (no row lock is held while the hub is called), and its
    outcome recorded in a second short transaction. It is marked sent only
    on the hub's acknowledgement, so a crash at any point leaves it waiting:
    when the lease has run out the next push sends it again, and the hub's
    idempotency key turns a second arrival into the first acknowledgement.
    Nothing is lost or doubled.
    """
    result = PushResult()
    pusher = uuid.uuid4().hex
    transports: dict[str, object] = {}

    def transport_for_country(country: str):
        if country not in transports:
            transports[country] = transport_factory(country)
        return transports[country]

    done = 0
    while limit is None or done < limit:
        item = _claim_next(country_id=country_id, pusher=pusher, ignore_schedule=ignore_schedule)
        if item is None:
            break
        done += 1
        if not _send_one(
            item, pusher=pusher, transport_for_country=transport_for_country, result=result
        ):
            break
        if pause:
            time.sleep(pause)
    return result


# --- parked items ------------------------------------------------------------------------------


def outbox_administrators(item: OutboxItem) -> list[User]:
    """The active users with an email address who may retry ``item`` (its country's)."""
    candidates = (
        User.objects.filter(
            Q(role__in=roles_with("exchange.requeue_outbox")) | Q(is_superuser=True),
            is_active=True,
        )
        .exclude(email="")
        .order_by("pk")
    )
    return [
        user
        for user in candidates
        if has_perm(user, "exchange.requeue_outbox", item)
        and scope_queryset(user, OutboxItem.objects.filter(pk=item.pk)).exists()
    ]


def outbox_parked_notify(*, item: OutboxItem) -> int:
    """Email the item's administrators that it is parked; returns how many were emailed.

    Called after the parking is committed (no transaction held while the mail
    server answers); a mail server that fails is logged, never stops the push.
    """
    messages = []
    for user in outbox_administrators(item):
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            subject = _("MATIS: an item for the regional hub is parked")
            body = _(
                "The regional hub answered item %(key)s (%(kind)s, %(country)s) with a "
                "server error %(failures)s times in a row, so it is parked: it will not be "
                "sent again until an administrator retries it. Items that depend on it wait "
                "with it; the rest of the queue goes on.\n\nLast error: %(error)s\n\n"
                "Find the cause with the hub's operators, then press Retry on the item in "
                "Exchange (the outbox page)."
            ) % {
                "key": item.idempotency_key,
                "kind": item.get_kind_display(),
                "country": item.country_id,
                "failures": item.failures,
                "error": item.last_error,
            }
        messages.append(EmailMessage(subject, body, to=[user.email]))
    if not messages:
        logger.error("outbox item %s parked and no administrator has an email address", item.pk)
        return 0
    try:
        return get_connection().send_messages(messages) or 0
    except (OSError, smtplib.SMTPException):
        logger.exception("outbox item %s parked: the administrators could not be emailed", item.pk)
        return 0


@transaction.atomic
def outbox_retry_now(*, actor: User, item: OutboxItem) -> OutboxItem:
    """Put a refused, parked or waiting item back in the queue, due now (audited)."""
    item = OutboxItem.objects.select_for_update().get(pk=item.pk)
    retryable = (OutboxStatus.PENDING, OutboxStatus.FAILED, OutboxStatus.PARKED)
    if item.status not in retryable:
        raise ValueError(_("Only waiting, refused or parked items can be retried."))
    before = item.status
    item.status, item.next_attempt_at = OutboxStatus.PENDING, timezone.now()
    item.failures, item.parked_at = 0, None
    item.save(update_fields=["status", "next_attempt_at", "failures", "parked_at"])
    audit_record(
        actor=actor, action=AuditAction.STATUS_CHANGE, obj=item, retry=True, previous=before
    )
    return item


# --- alerts ------------------------------------------------------------------------------------


@transaction.atomic
def alerts_pull(*, country_id: str, transport=None) -> int:
    """Fetch this country's re-trafficking alerts from the hub; returns how many are new."""
    transport = transport or transport_for(country_id)
    response = transport.get_alerts()
    if not response.ok:
        raise HubUnreachable(f"hub answered {response.status}: {response.body.get('error', '')}")
    created = 0
    subjects = {str(s.ref): s for s in LinkageSubject.objects.filter(case__country_id=country_id)}
    for row in response.body.get("alerts", []):
        subject = subjects.get(row.get("subject_ref"))
        if subject is None:
            continue  # a token this instance no longer holds (case deleted)
        alert, was_created = ReceivedAlert.objects.get_or_create(
            country_id=country_id,
            hub_alert_id=int(row["alert"]),
            defaults={
                "subject": subject,
                "other_country_id": row["other_country"],
                "similarity": float(row["similarity"]),
                "this_case_is_newer": bool(row["this_is_newer"]),
                "raised_at": dt.datetime.fromisoformat(row["raised_at"]),
            },
        )
        alert.other_status = row.get("other_decision") or AlertStatus.OPEN
        alert.fetched_at = timezone.now()
        alert.save(update_fields=["other_status", "fetched_at"])
        if was_created:
            created += 1
            audit_record(
                actor=None,
                action=AuditAction.ALERT_RAISE,
                obj=subject.case,
                alert=alert.pk,
                other_country=alert.other_country_id,
            )
    return created


@transaction.atomic
def alert_decide(*, actor: User, alert: ReceivedAlert, decision: str, basis: str) -> ReceivedAlert:
    """A case worker confirms or dismisses an alert, saying how it was checked.

    The decision is queued for the hub; the coded basis stays here (the hub needs
    only the decision) and is audited.
    """
    if decision not in (AlertStatus.CONFIRMED, AlertStatus.DISMISSED):
        raise ValueError(f"unknown decision {decision!r}")
    if basis not in DecisionBasis.for_decision(decision):
        raise ValidationError(
            {"basis": _("Say how the alert was checked, with a reason that fits the decision.")}
        )
    if not has_perm(actor, "exchange.decide_alert"):
        raise PermissionDenied(_("Only case workers and supervisors decide alerts."))
    alert = ReceivedAlert.objects.select_for_update().get(pk=alert.pk)
    alert.status, alert.decided_by, alert.decided_at = decision, actor, timezone.now()
    alert.decision_basis = basis
    alert.save(update_fields=["status", "decided_by", "decided_at", "decision_basis"])
    outbox_enqueue(
        country_id=alert.country_id,
        kind=ItemKind.ALERT_DECISION,
        object_type="exchange.receivedalert",
        object_id=alert.pk,
        idempotency_key=(
            f"{alert.country_id}:decision:{alert.hub_alert_id}:{decision}:"
            f"{int(alert.decided_at.timestamp() * 1000)}"
        ),
        payload={"alert": alert.hub_alert_id, "decision": decision},
    )
    audit_record(
        actor=actor,
        action=AuditAction.ALERT_RESOLVE,
        obj=alert.subject.case,
        alert=alert.pk,
        decision=decision,
        basis=basis,
    )
    return alert
