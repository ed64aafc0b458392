"""Reads for the exchange pages, always through the reader's scope."""

from __future__ import annotations

from django.db.models import Count, Min, Q, QuerySet
from django.http import Http404

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scope_queryset
from matis.exchange.models import (
    DeidentifiedCase,
    HubAlert,
    InboxItem,
    ItemKind,
    LinkageToken,
    LinkDecision,
    OutboxItem,
    OutboxStatus,
    ReceivedAlert,
)


def outbox_visible(user) -> QuerySet[OutboxItem]:
    if not has_perm(user, "exchange.view_outbox"):
        return OutboxItem.objects.none()
    return scope_queryset(user, OutboxItem.objects.all())


def outbox_item_for(user, pk) -> OutboxItem:
    item = outbox_visible(user).filter(pk=pk).first()
    if item is None:
        raise Http404
    return item


def outbox_counts(user) -> dict[str, int]:
    rows = outbox_visible(user).values("status").annotate(n=Count("id"))
    counts = dict.fromkeys(OutboxStatus.values, 0)
    counts.update({r["status"]: r["n"] for r in rows})
    return counts


def outbox_parked_chains(user) -> dict[tuple[str, str], int]:
    """(country, chain) -> the first parked item of that chain, among the items the user sees."""
    rows = (
        outbox_visible(user)
        .filter(status=OutboxStatus.PARKED)
        .values("country_id", "chain")
        .annotate(first=Min("id"))
    )
    return {(r["country_id"], r["chain"]): r["first"] for r in rows}


def alerts_visible(user) -> QuerySet[ReceivedAlert]:
    """Alerts on cases the user may read now (the case gates decide)."""
    from matis.cases.gates import cases_visible_to

    return (
        ReceivedAlert.objects.filter(subject__case__in=cases_visible_to(user))
        .select_related("subject__case", "other_country")
        .order_by("status", "-raised_at", "-id")
    )


def alert_for(user, pk) -> ReceivedAlert:
    """One alert on a case the user may read; the read of the case is audited.

    Like the case gates, the answer is the same 403 whether the alert does
    not exist or is on a case the user may not read (and the refusal is audited).
    """
    from matis.cases.gates import CaseNotAvailable, access_case_by_id

    alert = alerts_visible(user).filter(pk=pk).first() if str(pk).isdigit() else None
    if alert is None:
        audit_record(
            actor=user if user.is_authenticated else None,
            action=AuditAction.ACCESS_DENIED,
            country_id=getattr(user, "country_id", None),
            object_type="exchange.receivedalert",
            object_id=str(pk)[:64],
            purpose="retrafficking_alert",
        )
        raise CaseNotAvailable
    access_case_by_id(user, alert.subject.case_id, purpose="retrafficking_alert")
    return alert


# --- hub ------------------------------------------------------------------------------------------


def inbox_summary() -> list[dict]:
    """Items received per country and kind, with the last arrival."""
    from django.db.models import Max

    labels = dict(ItemKind.choices)
    rows = list(
        InboxItem.objects.values("country_id", "kind")
        .annotate(n=Count("id"), last=Max("received_at"))
        .order_by("country_id", "kind")
    )
    for row in rows:
        row["label"] = labels.get(row["kind"], row["kind"])
    return rows


def deidentified_summary() -> list[dict]:
    return list(
        DeidentifiedCase.objects.values("country_id").annotate(n=Count("id")).order_by("country_id")
    )


def hub_alert_counts() -> dict[str, int]:
    confirmed = Q(newer_decision=LinkDecision.CONFIRMED) & Q(
        earlier_decision=LinkDecision.CONFIRMED
    )
    dismissed = Q(newer_decision=LinkDecision.DISMISSED) | Q(
        earlier_decision=LinkDecision.DISMISSED
    )
    return {
        "total": HubAlert.objects.count(),
        "confirmed": HubAlert.objects.filter(confirmed).count(),
        "dismissed": HubAlert.objects.filter(dismissed).count(),
        "open": HubAlert.objects.exclude(confirmed).exclude(dismissed).count(),
        "tokens": LinkageToken.objects.count(),
    }


def retrafficking_measure() -> list[dict]:
    """Confirmed cross-border re-trafficking links, by year and by the two countries.

    ``earlier_country`` is where the person was first assisted, ``newer_country``
    where she or he was identified again. A link counts once both countries
    confirmed it (PRO6); ``share_of_tokens`` relates the links to the persons
    with a linkage token from the newer country (those who consented).
    """
    confirmed = HubAlert.objects.filter(
        newer_decision=LinkDecision.CONFIRMED, earlier_decision=LinkDecision.CONFIRMED
    )
    tokens = dict(
        LinkageToken.objects.values("country_id")
        .annotate(n=Count("id"))
        .values_list("country_id", "n")
    )
    rows = []
    for row in (
        confirmed.values("raised_at__year", "earlier_country_id", "newer_country_id")
        .annotate(n=Count("id"))
        .order_by("raised_at__year", "earlier_country_id", "newer_country_id")
    ):
        base = tokens.get(row["newer_country_id"], 0)
        rows.append(
            {
                "year": row["raised_at__year"],
                "earlier_country": row["earlier_country_id"],
                "newer_country": row["newer_country_id"],
                "links": row["n"],
                "share_of_tokens": row["n"] / base if base else None,
            }
        )
    return rows
