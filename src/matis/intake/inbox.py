"""The intake share of the work inbox: tips to triage, rescued people awaiting screening.

Items name no person: a tip by its channel, urgency and date; a person of a
group by the group number.
"""

from __future__ import annotations

from django.db.models import Case as Ranked
from django.db.models import IntegerField, Value, When
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matis.common.inbox import InboxItem, register_source


def tips_to_triage(user, *, today):
    """New tips, and urgent ones not yet acted on, of the tip list the user sees."""
    from matis.intake.choices import TipStatus, Urgency
    from matis.intake.gates import tips_visible_to

    qs = tips_visible_to(user).filter(status=TipStatus.NEW) | tips_visible_to(user).filter(
        status=TipStatus.TRIAGED, urgency__in=(Urgency.URGENT, Urgency.IMMEDIATE)
    )
    rank = Ranked(
        When(urgency=Urgency.IMMEDIATE, then=Value(0)),
        When(urgency=Urgency.URGENT, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(_rank=rank).order_by("_rank", "received_at", "id")


def describe_tip(tip) -> InboxItem:
    return InboxItem(
        key=f"intake.tips:{tip.pk}",
        title=_("%(channel)s, %(urgency)s (%(reference)s)")
        % {
            "channel": tip.get_channel_display(),
            "urgency": tip.get_urgency_display(),
            "reference": tip.reference,
        },
        url=reverse("intake:tip_detail", args=[tip.pk]),
        on=tip.received_at.date(),
        overdue=tip.urgency != "routine",
    )


def screenings_queued(user, *, today):
    """People registered with a rescued group whose case the user sees and who are not screened."""
    from matis.cases.gates import cases_editable_by
    from matis.intake.models import GroupMember

    return (
        GroupMember.objects.filter(case__in=cases_editable_by(user), case__screenings__isnull=True)
        .select_related("group", "case")
        .order_by("group__rescued_on", "row")
    )


def describe_member(member) -> InboxItem:
    return InboxItem(
        key=f"intake.screenings:{member.pk}",
        title=_("Screening: %(case)s (group %(group)s)")
        % {"case": member.case.reference, "group": member.group.reference},
        url=reverse("cases:screen", args=[member.case_id]),
        on=member.group.rescued_on,
    )


def register_inbox_sources() -> None:
    register_source(
        "intake.tips",
        label=gettext_lazy("Tips to triage"),
        permission="intake.triage_tips",
        rows=tips_to_triage,
        describe=describe_tip,
        url_name="intake:tip_list",
        order=25,
    )
    register_source(
        "intake.screenings",
        label=gettext_lazy("Rescued people awaiting screening"),
        permission="cases.register_case",
        rows=screenings_queued,
        describe=describe_member,
        url_name="cases:case_list",
        order=26,
    )
