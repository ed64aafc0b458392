"""The exchange app's share of the work inbox: re-trafficking alerts awaiting a decision."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matis.common.inbox import InboxItem, register_source


def alerts_to_decide(user, *, today):
    """Open alerts on cases the user may read (the alert page's rule)."""
    from matis.exchange.models import AlertStatus
    from matis.exchange.selectors import alerts_visible

    return alerts_visible(user).filter(status=AlertStatus.OPEN).order_by("raised_at", "id")


def describe_alert(alert) -> InboxItem:
    return InboxItem(
        key=f"exchange.alerts:{alert.pk}",
        title=_("Possible re-trafficking: a match with a record of %(country)s")
        % {"country": alert.other_country.display_name},
        url=reverse("exchange:alert_detail", args=[alert.pk]),
        on=alert.raised_at.date() if alert.raised_at else None,
    )


def register_inbox_sources() -> None:
    register_source(
        "exchange.alerts",
        label=gettext_lazy("Re-trafficking alerts to decide"),
        permission="exchange.view_alerts",
        rows=alerts_to_decide,
        describe=describe_alert,
        url_name="exchange:alert_list",
        order=70,
    )
