"""The publisher's pages (signed in, ``publication.release``): the release calendar and
the forms that release statistics and annual reports through :mod:`.services`.

Kept apart from :mod:`.views`, which serves the public without a login.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.publication import selectors, services
from matis.publication.forms import ReportReleaseForm, StatisticsReleaseForm


def _require_publisher(user) -> None:
    if not has_perm(user, "publication.release"):
        raise PermissionDenied


def _apply_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


@scoped("global")
@login_required
def release_list(request):
    """The release calendar: every release with its date and embargo state."""
    _require_publisher(request.user)
    dataset = services.STATISTICS_DATASET
    next_version = selectors.next_statistics_version(dataset)
    reports = selectors.releasable_reports()
    stats_form = StatisticsReleaseForm(next_version=next_version, prefix="stats")
    report_form = ReportReleaseForm(reports=reports, prefix="report")
    if request.method == "POST":
        which = request.POST.get("release")
        if which == "statistics":
            stats_form = StatisticsReleaseForm(
                request.POST, next_version=next_version, prefix="stats"
            )
            form = stats_form
        elif which == "report":
            report_form = ReportReleaseForm(request.POST, reports=reports, prefix="report")
            form = report_form
        else:
            form = None
        if form is not None and form.is_valid():
            data = form.cleaned_data
            try:
                if which == "statistics":
                    release = services.release_statistics(
                        actor=request.user,
                        publish_at=form.publish_at(),
                        revision_note=data["revision_note"],
                        dataset=dataset,
                    )
                else:
                    release = services.release_report(
                        actor=request.user,
                        report=data["report"],
                        publish_at=form.publish_at(),
                        revision_note=data["revision_note"],
                    )
            except ValidationError as exc:
                _apply_errors(form, exc)
            else:
                if release.is_published:
                    messages.success(request, _("Released and published: %s.") % release)
                else:
                    messages.success(
                        request,
                        _("Released under embargo until the publication date: %s.") % release,
                    )
                return redirect("publishing:releases")
    return render(
        request,
        "publication/releases.html",
        {
            "releases": selectors.release_calendar(),
            "stats_form": stats_form,
            "report_form": report_form,
            "next_version": next_version,
            "has_reports": reports.exists(),
        },
    )
