"""Meetings and their follow-up actions."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from matis.common.calendars import display_date
from matis.registers import selectors
from matis.registers.kit.specs import Child, Computed, Flag, Register, define_register
from matis.registers.models import (
    FollowUpAction,
    Meeting,
    MeetingDecision,
)


def _action_badge(action, ctx):
    if action.is_overdue(ctx["today"]):
        return _("Overdue"), "warn"
    if action.status == FollowUpAction.Status.DONE:
        return _("Done on %(date)s") % {"date": display_date(action.done_on)}, "yes"
    return None


define_register(
    Register(
        key="meetings",
        model=Meeting,
        group="meetings",
        activities=(),
        fields=(
            "kind",
            "number",
            "title",
            "host_country",
            "city",
            "start_date",
            "end_date",
            "notes",
        ),
        list_columns=(
            "ref",
            "kind",
            "title",
            "host_country",
            "city",
            "start_date",
            Computed("n_open", _("Open actions"), lambda o, c: o.n_open, "int"),
        ),
        filters=("kind",),
        search=("title", "city"),
        date_field="start_date",
        children=(
            Child(
                model=MeetingDecision,
                fk="meeting",
                fields=("number", "text"),
                key=("number",),
                sheet="decisions",
                extra=2,
            ),
        ),
        chart_by="kind",
        chart_label=_("Meetings"),
        related=("host_country",),
        annotate=lambda qs: qs.annotate(
            n_open=Count("actions", filter=~Q(actions__status__in=FollowUpAction.CLOSED_STATUSES))
        ),
        extra_template="registers/extra/meeting.html",
    )
)

define_register(
    Register(
        key="actions",
        model=FollowUpAction,
        group="meetings",
        activities=(),
        fields=(
            "meeting",
            "decision_number",
            "description",
            "responsible",
            "due_on",
            "status",
            "done_on",
            "notes",
        ),
        list_columns=(
            "ref",
            "meeting",
            "description",
            "responsible",
            "due_on",
            "status",
            Computed("tracking", _("Tracking"), _action_badge, "badge"),
        ),
        filters=("status",),
        search=("description", "responsible"),
        date_field="due_on",
        chart_by="status",
        chart_label=_("Follow-up actions"),
        related=("meeting",),
        flags=(
            Flag("open", _("Not done yet"), selectors.actions_open),
            Flag("overdue", _("Overdue"), selectors.actions_overdue),
        ),
        extra_template="registers/extra/action.html",
    )
)
