"""The statistics app's share of the work inbox: submissions awaiting approval (four eyes)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matis.common.calendars import display_year
from matis.common.inbox import InboxItem, register_source


def submissions_to_approve(user, *, today):
    """Submitted submissions ``user`` may approve: own country, and not her or his own."""
    from matis.access.permissions import has_perm
    from matis.official_statistics.models import Submission
    from matis.official_statistics.selectors import submissions_visible

    submitted = submissions_visible(user).filter(status=Submission.Status.SUBMITTED)
    return [
        s
        for s in submitted.order_by("submitted_at", "id")
        if has_perm(user, "statistics.approve_submission", s)
    ]


def describe_submission(submission) -> InboxItem:
    return InboxItem(
        key=f"statistics.submissions:{submission.pk}",
        title=_("%(country)s · official statistics %(year)s")
        % {"country": submission.country.display_name, "year": display_year(submission.period)},
        url=reverse("statistics:submission_detail", args=[submission.pk]),
        on=submission.submitted_at.date() if submission.submitted_at else None,
    )


def register_inbox_sources() -> None:
    register_source(
        "statistics.submissions",
        label=gettext_lazy("Statistics submissions to approve"),
        permission="statistics.view_submissions",
        rows=submissions_to_approve,
        describe=describe_submission,
        url_name="statistics:submission_list",
        order=20,
    )
