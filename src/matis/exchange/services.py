"""National side: queue items for the hub, send them with retries, pull and decide alerts."""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.cases.choices import ConsentPurpose
from matis.cases.models import Case
from matis.cases.selectors import cases_with_consent
from matis.exchange import conf, payloads
from matis.exchange.conf import Credential
from matis.exchange.hub import ENVELOPE_VERSION
from matis.exchange.models import (
    AlertStatus,
    CountryKey,
    ItemKind,
    LinkageSubject,
    OutboxItem,
    OutboxStatus,
    ReceivedAlert,
)
from matis.exchange.privacy import PersonalDataRefused, check_payload
from matis.exchange.signing import canonical_json
from matis.exchange.transport import HttpTransport, HubUnreachable, LocalTransport

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
) -> tuple[OutboxItem, bool]:
    """Queue one item (in the caller's transaction); a known idempotency key changes nothing."""
    if payload is not None:
        check_payload(kind, payload)
    return OutboxItem.objects.get_or_create(
        idempotency_key=idempotency_key,
        defaults={
            "country_id": country_id,
            "kind": kind,
            "object_type": object_type,
            "object_id": str(object_id),
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
    )


def enqueue_statistics(submission) -> tuple[OutboxItem, bool]:
    stamp = submission.approved_at.isoformat() if submission.approved_at else "approved"
    return outbox_enqueue(
        country_id=submission.country_id,
        kind=ItemKind.STATISTICS,
        object_type="statistics.submission",
        object_id=submission.pk,
        idempotency_key=f"{submission.country_id}:statistics:{submission.pk}:{stamp}",
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
    """Queue the person's linkage token (or its withdrawal), made when it is first sent."""
    return outbox_enqueue(
        country_id=case.country_id,
        kind=ItemKind.LINKAGE_TOKEN,
        object_type="cases.case",
        object_id=case.pk,
        idempotency_key=f"{case.country_id}:token:{case.pk}:{cause}",
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
    unreachable: bool = False
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "sent": self.sent,
            "duplicates": self.duplicates,
            "failed": self.failed,
            "cancelled": self.cancelled,
            "deferred": self.deferred,
            "unreachable": self.unreachable,
        }


def _defer(item: OutboxItem, error: str, now: dt.datetime) -> None:
    item.attempts += 1
    item.last_error = error[:500]
    item.next_attempt_at = now + dt.timedelta(seconds=backoff_delay(item.attempts))
    item.save(update_fields=["attempts", "last_error", "next_attempt_at"])


def outbox_push(
    *,
    country_id: str | None = None,
    transport_factory: Callable[[str], object] = transport_for,
    limit: int | None = None,
    pause: float = 0.0,
    ignore_schedule: bool = False,
) -> PushResult:
    """Send pending items in queue order; stop at the first sign the hub is down.

    The queue is strictly first in, first out: an item waiting for its retry
    holds back the items behind it, so a token's withdrawal can never reach
    the hub before the token itself.

    Each item is sent in its own transaction and marked sent only on the
    hub's acknowledgement, so a crash or outage at any point leaves it
    pending: the next push sends it again, and the hub's idempotency key
    turns a second arrival into the first acknowledgement. Nothing is lost
    or doubled.
    """
    result = PushResult()
    now = timezone.now()
    pending = OutboxItem.objects.filter(status=OutboxStatus.PENDING)
    if country_id:
        pending = pending.filter(country_id=country_id)
    ids = list(pending.order_by("id").values_list("pk", flat=True)[:limit])
    transports: dict[str, object] = {}
    for pk in ids:
        with transaction.atomic():
            item = OutboxItem.objects.select_for_update().filter(pk=pk).first()
            if item is None or item.status != OutboxStatus.PENDING:
                continue
            if not ignore_schedule and item.next_attempt_at > now:
                break  # strict queue order: nothing overtakes an item waiting for its retry
            try:
                _build(item)
                _check_still_allowed(item)
            except NotAllowed as exc:
                item.status, item.last_error = OutboxStatus.CANCELLED, str(exc)
                item.save(update_fields=["status", "last_error"])
                result.cancelled += 1
                continue
            except PersonalDataRefused as exc:
                item.status, item.last_error = OutboxStatus.FAILED, str(exc)[:500]
                item.save(update_fields=["status", "last_error"])
                result.failed += 1
                continue
            transport = transports.get(item.country_id) or transport_factory(item.country_id)
            transports[item.country_id] = transport
            try:
                if item.kind == ItemKind.RELAY:  # to another country, sealed for it
                    from matis.exchange.relay import relay_post

                    response = relay_post(transport, item)
                else:
                    response = transport.post_item(_envelope(item), item.idempotency_key)
            except HubUnreachable as exc:
                _defer(item, str(exc), timezone.now())
                result.unreachable = True
                result.errors.append(str(exc))
                result.deferred += 1
                break  # the hub is down: keep the order, try again later
            if response.ok:
                item.status, item.ack = OutboxStatus.SENT, response.body
                item.sent_at, item.last_error = timezone.now(), ""
                item.attempts += 1
                item.save(update_fields=["status", "ack", "sent_at", "last_error", "attempts"])
                result.sent += 1
                result.duplicates += bool(response.body.get("duplicate"))
            elif response.status in PERMANENT_REFUSALS:
                item.status = OutboxStatus.FAILED
                item.attempts += 1
                item.last_error = (
                    f"{response.status} {response.body.get('error', '')}: "
                    + str(response.body.get("detail", ""))[:400]
                )
                item.save(update_fields=["status", "attempts", "last_error"])
                result.failed += 1
                result.errors.append(item.last_error)
            else:  # 403 (key expired, clock) or anything else: retry after fixing the cause
                _defer(item, f"{response.status} {response.body}", timezone.now())
                result.deferred += 1
                result.errors.append(item.last_error)
                break
        if pause:
            time.sleep(pause)
    return result


@transaction.atomic
def outbox_retry_now(*, actor: User, item: OutboxItem) -> OutboxItem:
    """Put a failed or waiting item back at the head of the queue."""
    if item.status not in (OutboxStatus.PENDING, OutboxStatus.FAILED):
        raise ValueError(_("Only waiting or refused items can be retried."))
    item.status, item.next_attempt_at = OutboxStatus.PENDING, timezone.now()
    item.save(update_fields=["status", "next_attempt_at"])
    audit_record(actor=actor, action=AuditAction.STATUS_CHANGE, obj=item, retry=True)
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
def alert_decide(*, actor: User, alert: ReceivedAlert, decision: str) -> ReceivedAlert:
    """A case worker confirms or dismisses an alert; the decision is queued for the hub."""
    if decision not in (AlertStatus.CONFIRMED, AlertStatus.DISMISSED):
        raise ValueError(f"unknown decision {decision!r}")
    if not has_perm(actor, "exchange.decide_alert"):
        raise PermissionDenied(_("Only case workers and supervisors decide alerts."))
    alert = ReceivedAlert.objects.select_for_update().get(pk=alert.pk)
    alert.status, alert.decided_by, alert.decided_at = decision, actor, timezone.now()
    alert.save(update_fields=["status", "decided_by", "decided_at"])
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
    )
    return alert
