"""The Excel round trip: download the prefilled workbook, upload it filled."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _

from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.common.files import upload_limit
from matis.common.importing import UPDATED, ImportRejected
from matis.common.tables import download_response
from matis.monitoring import selectors
from matis.monitoring.forms import (
    WorkbookUploadForm,
)
from matis.monitoring.models import (
    ActivityReport,
)
from matis.monitoring.workbook import ACTIVITIES, INDICATORS, build_workbook, workbook_import
from matis.monitoring.workbook.layout import MAX_UPLOAD_BYTES


@scoped("country", model=ActivityReport)
@login_required
def workbook_download(request):
    """The prefilled workbook of the user's own country (drafts included, so own country only)."""
    if request.user.is_region_wide:
        raise PermissionDenied
    period = selectors.period_for_year(request.GET.get("year"))
    if period is None:
        raise Http404
    data = build_workbook(country_id=request.user.country_id, period=period)
    return download_response(
        data, f"matis-activity-reports-{request.user.country_id}-{period.year}.xlsx"
    )


@scoped("country", model=ActivityReport)
@upload_limit(MAX_UPLOAD_BYTES)
@login_required
def workbook_upload(request):
    if not has_perm(request.user, "monitoring.edit_report", request.user.country_id):
        raise PermissionDenied
    errors, result = [], None
    form = WorkbookUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = workbook_import(actor=request.user, data=form.cleaned_data["file"].read())
        except ImportRejected as exc:
            errors = [str(e) for e in exc.errors]
        except PermissionDenied:
            errors = [_("You may not change these reports.")]
    return render(
        request,
        "monitoring/workbook_upload.html",
        {
            "form": form,
            "errors": errors,
            "result": result,
            "reports_changed": result.count(ACTIVITIES, UPDATED) if result else 0,
            "values_changed": result.count(INDICATORS, UPDATED) if result else 0,
            "periods": selectors.periods(),
            "period": selectors.default_period(),
        },
    )
