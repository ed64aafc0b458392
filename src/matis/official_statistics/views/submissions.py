"""Submissions, their rule findings and observations: the reader's own country."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import get_scoped_or_404, scoped
from matis.common.models import COMMIT_COUNTRIES, Country
from matis.common.workflow import TransitionNotAllowed
from matis.official_statistics import selectors
from matis.official_statistics.forms import CommentForm, ObservationForm, ReasonForm
from matis.official_statistics.models import Observation, Submission
from matis.official_statistics.services import (
    SubmissionBlocked,
    observation_update,
    submission_approve,
    submission_reopen,
    submission_return,
    submission_submit,
    submission_validate,
    violation_comment,
)
from matis.official_statistics.services.submissions import violation_summary
from matis.official_statistics.views.common import (
    country_param,
    int_param,
    observations_file_response,
)


@scoped("country", model=Submission)
@login_required
@require_GET
def submission_list(request):
    status = request.GET.get("status") or None
    qs = selectors.submission_list(
        request.user,
        country=country_param(request),
        status=status,
        year=int_param(request.GET.get("year")),
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "statistics/submission_list.html",
        {
            "page": page,
            "statuses": Submission.Status.choices,
            "countries": Country.objects.filter(iso3__in=COMMIT_COUNTRIES),
            "can_import": has_perm(
                request.user, "statistics.edit_submission", request.user.country_id
            ),
        },
    )


def _submission(request, pk: int) -> Submission:
    return get_scoped_or_404(
        request.user,
        Submission.objects.select_related("country", "submitted_by", "approved_by"),
        pk=pk,
    )


@scoped("country", model=Submission, lookup="pk")
@login_required
@require_GET
def submission_detail(request, pk: int):
    submission = _submission(request, pk)
    observations = selectors.submission_observations(request.user, submission)
    page = Paginator(observations, 100).get_page(request.GET.get("page"))
    violations = list(selectors.submission_violations(submission))
    labels = selectors.series_labels()
    for item in [*page, *violations]:
        item.series_label = selectors.label_series(item.series_key, labels)
    user = request.user
    return render(
        request,
        "statistics/submission_detail.html",
        {
            "submission": submission,
            "page": page,
            "violations": violations,
            "summary": violation_summary(submission),
            "can_edit": has_perm(user, "statistics.edit_submission", submission.country_id),
            "can_approve": has_perm(user, "statistics.approve_submission", submission),
            "can_unlock": has_perm(user, "statistics.unlock_submission", submission),
            "reason_form": ReasonForm(),
        },
    )


@scoped("country", model=Submission, lookup="pk")
@login_required
def submission_action(request, pk: int):
    submission = _submission(request, pk)
    if request.method != "POST":
        return redirect("statistics:submission_detail", pk=submission.pk)
    action = request.POST.get("action")
    reason = request.POST.get("reason", "")
    user = request.user
    try:
        if action == "validate":
            if not has_perm(user, "statistics.edit_submission", submission.country_id):
                raise PermissionDenied
            summary = submission_validate(actor=user, submission=submission)
            messages.info(
                request,
                _("Checked: %(e)s error(s), %(w)s warning(s).")
                % {"e": summary.n_errors, "w": summary.n_warnings},
            )
        elif action == "submit":
            submission_submit(actor=user, submission=submission)
            messages.success(request, _("Submitted for approval."))
        elif action == "return":
            submission_return(actor=user, submission=submission, reason=reason)
            messages.info(request, _("Returned to draft."))
        elif action == "approve":
            submission_approve(actor=user, submission=submission)
            messages.success(request, _("Approved and locked."))
        elif action == "reopen":
            submission_reopen(actor=user, submission=submission, reason=reason)
            messages.info(request, _("Reopened as a draft."))
        else:
            messages.error(request, _("Unknown action."))
    except SubmissionBlocked as exc:
        messages.error(request, str(exc))
    except TransitionNotAllowed:
        messages.error(
            request,
            _("This step is not possible while the submission is %(status)s.")
            % {"status": submission.get_status_display()},
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    return redirect("statistics:submission_detail", pk=submission.pk)


@scoped("country", model=Submission, lookup="pk")
@login_required
def submission_comment(request, pk: int):
    submission = _submission(request, pk)
    if request.method != "POST":
        return redirect("statistics:submission_detail", pk=submission.pk)
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment."))
        return redirect("statistics:submission_detail", pk=submission.pk)
    violation = get_object_or_404(submission.violations, pk=form.cleaned_data["violation"])
    try:
        violation_comment(
            actor=request.user, violation=violation, comment=form.cleaned_data["comment"]
        )
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Comment saved."))
    return redirect(f"{reverse('statistics:submission_detail', args=[submission.pk])}#violations")


@scoped("country", model=Submission, lookup="pk")
@login_required
@require_GET
def submission_download(request, pk: int):
    submission = _submission(request, pk)
    qs = selectors.observations_visible(request.user).filter(submission=submission)
    fmt = request.GET.get("fmt", "csv")
    if fmt == "adx":
        # ADX goes to another system (DHIS2): approved figures only, and audited.
        if not submission.is_approved:
            return HttpResponseBadRequest(
                _("Only an approved submission is exported as ADX."),
                content_type="text/plain; charset=utf-8",
            )
        audit_record(
            actor=request.user,
            action=AuditAction.EXPORT,
            obj=submission,
            object_type="statistics.observation",
            format=fmt,
        )
        qs = qs.filter(approved=True)
    return observations_file_response(qs, fmt, f"matis-{submission.country_id}-{submission.period}")


@scoped("country", model=Observation, lookup="pk")
@login_required
def observation_detail(request, pk: int):
    # Approved figures of every country are public; drafts only for their own country.
    observation = get_object_or_404(
        selectors.observations_visible(request.user).select_related(
            "indicator", "submission", "country"
        ),
        pk=pk,
    )
    editable = observation.submission.is_editable and has_perm(
        request.user, "statistics.edit_submission", observation.country_id
    )
    form = None
    if editable:
        initial = {
            "value": observation.display.replace(",", ""),
            "is_estimated": observation.is_estimated,
            "is_provisional": observation.is_provisional,
        }
        form = ObservationForm(request.POST or None, initial=initial)
        if request.method == "POST" and form.is_valid():
            try:
                changed = observation_update(
                    actor=request.user,
                    observation=observation,
                    value_text=form.cleaned_data["value"],
                    is_estimated=form.cleaned_data["is_estimated"],
                    is_provisional=form.cleaned_data["is_provisional"],
                    reason=form.cleaned_data["reason"],
                )
            except ValueError as exc:
                form.add_error("value", str(exc))
            else:
                messages.success(request, _("Saved.") if changed else _("Nothing changed."))
                return redirect("statistics:observation_detail", pk=observation.pk)
    elif request.method == "POST":
        raise PermissionDenied
    observation.series_label = selectors.label_series(
        observation.series_key, selectors.series_labels()
    )
    return render(
        request,
        "statistics/observation_detail.html",
        {
            "observation": observation,
            "form": form,
            "revisions": selectors.observation_revisions(observation),
        },
    )
