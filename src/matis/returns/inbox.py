"""The returns app's share of the work inbox: returns whose handover date has passed.

Three kinds of rows, each read through the returns gates the return pages use:
the sending side's returns of cases the user may change, the receiving side's
returns (same database) covered by consent, and returns received from another
national instance.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matis.common.inbox import InboxItem, register_source


def overdue_returns(user, *, today):
    from matis.returns import gates
    from matis.returns.choices import OPEN_STATUSES

    def overdue(queryset):
        return queryset.filter(status__in=OPEN_STATUSES, handover_expected_on__lt=today)

    sending = list(overdue(gates.sending_editable(user)))
    seen = {r.pk for r in sending}
    receiving = [
        r
        for r in overdue(gates.receiving_candidates(user)).exclude(pk__in=seen)
        if gates.consent_covers(r)
    ]
    incoming = list(overdue(gates.incoming_queryset(user)))
    rows = sending + receiving + incoming
    return sorted(rows, key=lambda r: (r.handover_expected_on, r.reference))


def describe_return(repatriation) -> InboxItem:
    from matis.returns.models import IncomingRepatriation

    incoming = isinstance(repatriation, IncomingRepatriation)
    url_name = "returns:incoming_detail" if incoming else "returns:detail"
    return InboxItem(
        key=f"returns.{'incoming' if incoming else 'repatriation'}:{repatriation.pk}",
        title=_("Return %(reference)s (%(from)s → %(to)s): handover date passed")
        % {
            "reference": repatriation.reference,
            "from": repatriation.sending_country_id,
            "to": repatriation.receiving_country_id,
        },
        url=reverse(url_name, args=[repatriation.pk]),
        on=repatriation.handover_expected_on,
        overdue=True,
    )


def register_inbox_sources() -> None:
    register_source(
        "returns.overdue",
        label=gettext_lazy("Overdue returns"),
        permission="returns.view_returns",
        rows=overdue_returns,
        describe=describe_return,
        url_name="returns:list",
        order=50,
    )
