"""Reads: tip lists, and the hotline monthly counts computed from the tips."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone

from matis.intake.choices import HOTLINE_CHANNELS, Channel, TipStatus
from matis.intake.gates import tips_visible_to
from matis.intake.models import Tip
from matis.registers.models import HotlineRecord

# The service name computed hotline rows carry, per channel (stored text, not translated).
HOTLINE_SERVICE = {
    Channel.HOTLINE: "MATIS tips: hotline calls",
    Channel.WEB: "MATIS tips: web form",
    Channel.MESSAGING: "MATIS tips: messaging",
}

OUTCOME = {
    TipStatus.NEW: HotlineRecord.Outcome.OPEN,
    TipStatus.TRIAGED: HotlineRecord.Outcome.OPEN,
    TipStatus.REFERRED: HotlineRecord.Outcome.POLICE,
    TipStatus.CONVERTED: HotlineRecord.Outcome.SOCIAL,
    TipStatus.CLOSED: HotlineRecord.Outcome.RESOLVED,
}


@dataclass(frozen=True)
class TipFilters:
    status: str = ""
    channel: str = ""
    urgency: str = ""


def tip_list(*, user, filters: TipFilters) -> QuerySet[Tip]:
    qs = tips_visible_to(user).select_related("agency")
    if filters.status in TipStatus.values:
        qs = qs.filter(status=filters.status)
    if filters.channel in Channel.values:
        qs = qs.filter(channel=filters.channel)
    if filters.urgency:
        qs = qs.filter(urgency=filters.urgency)
    return qs


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The month as an aware [start, end) interval in the instance's time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def hotline_monthly_counts(*, country: str, year: int, month: int) -> Counter:
    """Tips of ``country`` received in the month, by (channel, issue, outcome).

    Only hotline, web and messaging contacts count (PRE4); police reports do not.
    """
    start, end = month_bounds(year, month)
    rows = Tip.objects.filter(
        country_id=country,
        received_at__gte=start,
        received_at__lt=end,
        channel__in=HOTLINE_CHANNELS,
    ).values_list("channel", "issue", "status")
    return Counter((channel, issue, OUTCOME[status]) for channel, issue, status in rows)
