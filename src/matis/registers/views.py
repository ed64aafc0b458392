"""Pages of the registers: the overview, the register counts, and the actions that are not
plain edits (download an assessment, record a review, move a follow-up action)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.common.dateinput import LocalDateField, local_date_formfield
from matis.common.files import file_response
from matis.common.views import add_service_error
from matis.common.workflow import TransitionNotAllowed
from matis.registers import selectors, services
from matis.registers.indicators import register_counts_for_report
from matis.registers.kit.forms import DATE_WIDGET
from matis.registers.kit.specs import get_register
from matis.registers.kit.views import get_row
from matis.registers.models import (
    Agreement,
    AgreementReview,
    FollowUpAction,
    SituationAssessment,
)
from matis.registers.registry import GROUPS


@scoped("global")
@login_required
@require_GET
def index(request):
    data = selectors.overview(request.user)
    groups = [
        (label, [c for c in data["cards"] if c.spec.group == key]) for key, label in GROUPS.items()
    ]
    return render(request, "registers/index.html", {**data, "groups": groups})


@scoped("global")
@login_required
@require_GET
def counts(request):
    """Register counts per country for a year: the values monitoring and the report receive."""
    this_year = timezone.localdate().year
    try:
        year = int(request.GET.get("year") or this_year)
    except ValueError:
        year = this_year
    year = min(max(year, 2000), this_year + 1)
    countries = list(selectors.countries_of(request.user))
    table = register_counts_for_report(year, [c.pk for c in countries])
    for row in table["rows"]:
        row["cells"] = [row["values"][c.pk] for c in countries]
    return render(
        request,
        "registers/counts.html",
        {
            "table": table,
            "countries": countries,
            "year": year,
            "years": list(range(this_year, 2004, -1)),
        },
    )


@scoped("country", model=SituationAssessment, lookup="pk")
@login_required
@require_GET
def assessment_document(request, pk: int):
    """The assessment's document, for users who may see the assessment; every download audited."""
    spec = get_register("assessments")
    assessment = get_row(spec, request.user, pk)
    if not assessment.document:
        messages.error(request, _("No document is attached."))
        return redirect(spec.url_name("detail"), pk=pk)
    audit_record(
        actor=request.user,
        action=AuditAction.FILE_DOWNLOAD,
        obj=assessment,
        sha256=assessment.document_sha256,
    )
    return file_response(
        assessment.document.open("rb"),
        filename=assessment.document_name or assessment.document.name.rsplit("/", 1)[-1],
        content_type=assessment.document_type,
    )


class ReviewForm(forms.ModelForm):
    class Meta:
        # in Meta (as NationalPlanForm): the review date is typed in the reader's calendar
        formfield_callback = local_date_formfield
        model = AgreementReview
        fields = ["reviewed_on", "reviewed_by", "outcome", "summary"]
        widgets = {"reviewed_on": DATE_WIDGET, "summary": forms.Textarea(attrs={"rows": 3})}


@scoped("country", model=Agreement, lookup="pk")
@login_required
@require_http_methods(["GET", "POST"])
def agreement_review(request, pk: int):
    spec = get_register("agreements")
    agreement = get_row(spec, request.user, pk)
    if request.method != "POST":
        return redirect(spec.url_name("detail"), pk=pk)
    if not has_perm(request.user, "registers.change_record", agreement.country_id):
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.agreement_review_record(
                actor=request.user, agreement=agreement, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_error(form, exc)
        else:
            messages.success(request, _("The review is recorded."))
            return redirect(spec.url_name("detail"), pk=pk)
    for error in form.errors.values():
        messages.error(request, " ".join(error))
    return redirect(spec.url_name("detail"), pk=pk)


class ActionStatusForm(forms.Form):
    status = forms.ChoiceField(label=gettext_lazy("status"), choices=FollowUpAction.Status.choices)
    done_on = LocalDateField(label=gettext_lazy("done on"), required=False)


@scoped("country", model=FollowUpAction, lookup="pk")
@login_required
@require_http_methods(["GET", "POST"])
def action_status(request, pk: int):
    spec = get_register("actions")
    action = get_row(spec, request.user, pk)
    if request.method != "POST":
        return redirect(spec.url_name("detail"), pk=pk)
    if not has_perm(request.user, "registers.change_record", action.country_id):
        raise PermissionDenied
    form = ActionStatusForm(request.POST)
    if form.is_valid():
        status = form.cleaned_data["status"]
        done_on = form.cleaned_data["done_on"]
        if status == FollowUpAction.Status.DONE and done_on is None:
            done_on = timezone.localdate()
        try:
            services.followup_action_set_status(
                actor=request.user, action=action, status=status, done_on=done_on
            )
        except (TransitionNotAllowed, ValidationError) as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                _("The action is now “%(status)s”.") % {"status": action.get_status_display()},
            )
    else:
        messages.error(request, _("Choose a valid status."))
    return redirect(spec.url_name("detail"), pk=pk)
