"""The cooperation app's share of the work inbox: detention notices to send and to acknowledge."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matis.common.inbox import InboxItem, register_source


def notices_to_acknowledge(user, *, today):
    """Notices received about our nationals, not yet acknowledged (the detention page's rule)."""
    from matis.access.permissions import has_perm
    from matis.cooperation.models import DetentionNotice, Direction
    from matis.cooperation.selectors import notices_visible

    if not has_perm(user, "cooperation.follow_up_detention", user.country_id):
        return DetentionNotice.objects.none()
    return (
        notices_visible(user)
        .filter(direction=Direction.IN, acknowledged_at__isnull=True)
        .order_by("created_at", "id")
    )


def describe_notice(notice) -> InboxItem:
    return InboxItem(
        key=f"cooperation.notices:{notice.pk}",
        title=_("Detention notice from %(country)s")
        % {"country": notice.other_country.display_name},
        url=reverse("cooperation:detention_detail", args=[notice.pk]),
        on=notice.start_date,
    )


def detentions_to_notify(user, *, today):
    """Foreign nationals held in detention or a closed shelter whose country is not yet told."""
    from matis.cooperation.selectors import placements_to_notify

    return placements_to_notify(user).order_by("start_date", "id")


def describe_placement(placement) -> InboxItem:
    return InboxItem(
        key=f"cooperation.to_notify:{placement.pk}",
        title=_("%(place)s: the country of nationality is not yet notified")
        % {"place": placement.get_kind_display()},
        url=reverse("cooperation:detention_list"),
        on=placement.start_date,
    )


def register_inbox_sources() -> None:
    register_source(
        "cooperation.to_notify",
        label=gettext_lazy("Detentions to notify"),
        permission="cooperation.view_detention_notices",
        rows=detentions_to_notify,
        describe=describe_placement,
        url_name="cooperation:detention_list",
        order=40,
    )
    register_source(
        "cooperation.notices",
        label=gettext_lazy("Detention notices to acknowledge"),
        permission="cooperation.view_detention_notices",
        rows=notices_to_acknowledge,
        describe=describe_notice,
        url_name="cooperation:detention_list",
        order=41,
    )
