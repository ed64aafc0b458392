"""The returns app's share of the work inbox: overdue returns.

Overdue as the returns measures define it (:func:`matis.returns.measures.is_overdue`):
in progress or stopped, not handed over, requested more than
``MATIS_RETURNS_PENDING_DAYS`` days ago.

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
    from matis.returns.measures import is_overdue

    def overdue(queryset):
        candidates = queryset.filter(status__in=OPEN_STATUSES, returned_on__isnull=True)
        return [r for r in candidates if is_overdue(r, today=today)]

    sending = overdue(gates.sending_editable(user))
    seen = {r.pk for r in sending}
    receiving = [
        r
        for r in overdue(gates.receiving_candidates(user).exclude(pk__in=seen))
        if gates.consent_covers(r)
    ]
    incoming = overdue(gates.incoming_queryset(user))
    rows = sending + receiving + incoming
    return sorted(rows, key=lambda r: (r.requested_on, r.reference))


def describe_return(repatriation) -> InboxItem:
    from matis.returns.models import IncomingRepatriation

    incoming = isinstance(repatriation, IncomingRepatriation)
    url_name = "returns:incoming_detail" if incoming else "returns:detail"
    return InboxItem(
        key=f"returns.{'incoming' if incoming else 'repatriation'}:{repatriation.pk}",
        title=_("Return %(reference)s (%(from)s → %(to)s): not yet handed over")
        % {
            "reference": repatriation.reference,
            "from": repatriation.sending_country_id,
            "to": repatriation.receiving_country_id,
        },
        url=reverse(url_name, args=[repatriation.pk]),
        on=repatriation.requested_on,
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
