"""The cases app's share of the work inbox: referrals to answer, supervisor alerts.

Items name no person: a referral is shown by its date and the referring
agency, an alert by its kind and date (the referral page itself shows the
incoming referrals the same way until they are accepted).
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matis.common.inbox import InboxItem, register_source


def referrals_to_answer(user, *, today):
    """Pending referrals ``user`` may answer (the gate of the referral answer page)."""
    from matis.cases.choices import ReferralStatus
    from matis.cases.gates import referral_answer_filter
    from matis.cases.models import Referral

    condition = referral_answer_filter(user)
    if condition is None:
        return Referral.objects.none()
    return (
        Referral.objects.filter(condition, status=ReferralStatus.PENDING)
        .select_related("referring_agency")
        .order_by("referred_on", "id")
    )


def describe_referral(referral) -> InboxItem:
    return InboxItem(
        key=f"cases.referrals:{referral.pk}",
        title=_("Referral from %(agency)s") % {"agency": referral.referring_agency.name},
        url=reverse("cases:referral_list"),
        on=referral.referred_on,
    )


def open_alerts(user, *, today):
    """Unresolved alerts of the supervisor's country, as the alert page lists them."""
    from matis.cases.choices import AlertKind
    from matis.cases.gates import alerts_for

    return (
        alerts_for(user)
        .filter(resolved_at__isnull=True)
        .exclude(kind=AlertKind.BREAK_GLASS, grant__expires_at__lt=dt.datetime.now(dt.UTC))
        .order_by("raised_at", "id")
    )


def describe_alert(alert) -> InboxItem:
    return InboxItem(
        key=f"cases.alerts:{alert.pk}",
        title=alert.get_kind_display(),
        url=reverse("cases:alert_list"),
        on=alert.raised_at.date() if alert.raised_at else None,
    )


def register_inbox_sources() -> None:
    register_source(
        "cases.referrals",
        label=gettext_lazy("Referrals to answer"),
        permission="cases.view_referrals",
        rows=referrals_to_answer,
        describe=describe_referral,
        url_name="cases:referral_list",
        order=30,
    )
    register_source(
        "cases.alerts",
        label=gettext_lazy("Alerts to resolve (detention, involuntary shelter, emergency access)"),
        permission="cases.supervise_cases",
        rows=open_alerts,
        describe=describe_alert,
        url_name="cases:alert_list",
        order=31,
    )
