"""The monitoring app's share of the work inbox: progress reports awaiting the secretariat."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from matis.common.calendars import display_year
from matis.common.inbox import InboxItem, register_source


def reports_to_review(user, *, today):
    """Reports submitted or reviewed, as the progress-report page's review queue lists them."""
    from matis.monitoring.selectors import review_queue

    return review_queue(user)


def describe_report(report) -> InboxItem:
    return InboxItem(
        key=f"monitoring.reports:{report.pk}",
        title=_("%(country)s · activity %(activity)s · %(year)s")
        % {
            "country": report.country.display_name,
            "activity": report.activity.code,
            "year": display_year(report.period.year),
        },
        url=reverse("monitoring:report_detail", args=[report.pk]),
        on=report.submitted_at.date() if report.submitted_at else None,
    )


def register_inbox_sources() -> None:
    register_source(
        "monitoring.reports",
        label=gettext_lazy("Progress reports to review"),
        permission="monitoring.review_report",
        rows=reports_to_review,
        describe=describe_report,
        url_name="monitoring:report_list",
        order=10,
    )
