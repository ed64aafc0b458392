"""Pages for returns, reintegration, feedback, re-trafficking and the measures."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from matis.access.audit import audit_list_read
from matis.access.gates import get_scoped_or_deny
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases import gates as case_gates
from matis.cases.models import Case
from matis.cases.pages import run_form
from matis.common.models import Country
from matis.common.views import measures_page as common_measures_page
from matis.common.views import require
from matis.common.workflow import TransitionNotAllowed
from matis.returns import forms, gates, measures, services, tables
from matis.returns import instruments as tools
from matis.returns.choices import RESPONSIBLE_SIDE, Side, Step
from matis.returns.models import (
    PlannedService,
    ReintegrationPlan,
    Repatriation,
    WrongCountry,
)

FORM = "returns/form.html"


def workflow_message(exc: Exception) -> str:
    """The page text for a refused step (out of order, or the other government's step)."""
    if isinstance(exc, WrongCountry):
        country = Country.objects.filter(pk=exc.needed_country).first()
        return _("This step is for an agency of %(country)s to record.") % {
            "country": country.display_name if country else exc.needed_country
        }
    return " ".join(exc.messages)  # a TransitionNotAllowed, e.g. StepOutOfOrder


def _workflow(call):
    """Run a service call; turn workflow refusals into a form error."""
    try:
        return call()
    except (TransitionNotAllowed, WrongCountry) as exc:
        raise ValidationError(workflow_message(exc)) from exc


def _detail_url(rep) -> str:
    return reverse("returns:detail", args=[rep.pk])


def _case_page(case) -> str:
    return reverse("returns:reintegration", args=[case.pk])


# --- returns ---------------------------------------------------------------------------------


@scoped("country", model=Repatriation)
@require_safe
@login_required
def repatriation_list(request):
    user = request.user
    require(has_perm(user, "cases.view_cases"))
    outgoing = list(
        gates.sending_queryset(user)
        .select_related("case__person", "receiving_country", "receiving_agency")
        .order_by("-requested_on", "-id")[:200]
    )
    incoming = gates.receiving_visible(user)
    today = dt.date.today()
    for rep in [*outgoing, *incoming]:
        rep.overdue = measures.is_overdue(rep, today=today)
    # The list shows each person's name: one audit row naming the cases, as the case list.
    audit_list_read(
        actor=user,
        object_type="returns.repatriation",
        case_ids=[rep.case_id for rep in [*outgoing, *incoming]],
        purpose="returns_list",
    )
    return render(
        request,
        "returns/list.html",
        {
            "outgoing": outgoing,
            "incoming": incoming,
            "limit": measures.pending_days_limit(),
        },
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def repatriation_start(request, pk: int):
    user = request.user
    case = case_gates.access_case_for_update(user, pk, purpose="return_request")
    form = forms.RequestForm(request.POST or None, sending_country=case.country_id)
    created = {}

    def action(f):
        created["rep"] = _workflow(
            lambda: services.repatriation_request(
                actor=user,
                case=case,
                receiving_agency=f.cleaned_data["receiving_agency"],
                requested_on=f.cleaned_data["requested_on"],
                notes=f.cleaned_data["notes"],
            )
        )

    response = run_form(
        request,
        form,
        action,
        success=_("Return requested."),
        redirect_to=_case_page(case),
        template=FORM,
        context={"case": case, "title": _("Request a return home")},
    )
    if "rep" in created:
        response["Location"] = _detail_url(created["rep"])
    return response


def _steps_for(access) -> list[str]:
    rep = access.repatriation
    if not access.may_act:
        return []
    order = {s: n for n, s in enumerate(Step.values)}
    return sorted(
        (s for s in rep.allowed_steps() if RESPONSIBLE_SIDE[Step(s)] == access.side),
        key=order.get,
    )


@scoped("country", model=Repatriation, lookup="pk")
@require_safe
@login_required
def repatriation_detail(request, pk: int):
    user = request.user
    access = gates.access_repatriation(user, pk, purpose="view")
    rep = access.repatriation
    steps = list(rep.steps.select_related("agency", "agency__country"))
    for s in steps:
        s.notes_visible = s.side == access.side
    return render(
        request,
        "returns/detail.html",
        {
            "rep": rep,
            "access": access,
            "steps": steps,
            "person": gates.receiving_view(rep) if not access.is_sending else None,
            "next_steps": _steps_for(access),
            "overdue": measures.is_overdue(rep),
            "limit": measures.pending_days_limit(),
            "days_to_return": (rep.returned_on - rep.identified_on).days
            if rep.returned_on
            else None,
        },
    )


@scoped("country", model=Repatriation, lookup="pk")
@login_required
def repatriation_step(request, pk: int):
    user = request.user
    access = gates.access_repatriation(user, pk, purpose="return_step")
    steps = _steps_for(access)
    require(bool(steps))
    rep = access.repatriation
    form = forms.StepForm(request.POST or None, steps=steps)
    if access.side == Side.RECEIVING and "open_case" in form.fields:
        form.fields["open_case"].initial = has_perm(user, "cases.register_case")

    def action(f):
        _workflow(
            lambda: services.repatriation_step_record(
                actor=user,
                repatriation=rep,
                step=f.cleaned_data["step"],
                started_on=f.cleaned_data["started_on"],
                completed_on=f.cleaned_data["completed_on"],
                outcome=f.cleaned_data["outcome"],
                notes=f.cleaned_data["notes"],
                open_case=f.cleaned_data.get("open_case", False),
            )
        )

    return run_form(
        request,
        form,
        action,
        success=_("Step recorded."),
        redirect_to=_detail_url(rep),
        template=FORM,
        context={"rep": rep, "title": _("Record a step of the return")},
    )


@scoped("country", model=Repatriation, lookup="pk")
@login_required
def repatriation_cancel(request, pk: int):
    user = request.user
    access = gates.access_repatriation(user, pk, purpose="return_cancel")
    require(access.is_sending and access.may_act)
    rep = access.repatriation
    form = forms.CancelForm(request.POST or None)
    return run_form(
        request,
        form,
        lambda f: services.repatriation_cancel(
            actor=user, repatriation=rep, reason=f.cleaned_data["reason"]
        ),
        success=_("Return cancelled."),
        redirect_to=_detail_url(rep),
        template=FORM,
        context={"rep": rep, "title": _("Cancel the return"), "danger": True},
    )


# --- reintegration ---------------------------------------------------------------------------


@scoped("country", model=Case, lookup="pk")
@require_safe
@login_required
def reintegration(request, pk: int):
    user = request.user
    case = case_gates.access_case_by_id(user, pk, purpose="reintegration")
    plan = ReintegrationPlan.objects.filter(case=case).first()
    editable = case_gates.cases_editable_by(user).filter(pk=case.pk).exists()
    return render(
        request,
        "returns/reintegration.html",
        {
            "case": case,
            "plan": plan,
            "services": plan.services.select_related("provider") if plan else [],
            "visits": plan.visits.all() if plan else [],
            "surveys": case.feedback_surveys.all(),
            "events": case.retrafficking_events.select_related("where"),
            "returns": case.repatriations.select_related("receiving_country"),
            "received": case.received_returns.select_related("sending_country"),
            "editable": editable,
            "open_return": case.repatriations.filter(status__in=services.OPEN_STATUSES).exists(),
        },
    )


def _editable_case(request, pk, purpose):
    return case_gates.access_case_for_update(request.user, pk, purpose=purpose)


def _plan_of(case) -> ReintegrationPlan:
    plan = ReintegrationPlan.objects.filter(case=case).first()
    require(plan is not None)
    return plan


@scoped("country", model=Case, lookup="pk")
@login_required
def plan_open(request, pk: int):
    case = _editable_case(request, pk, "reintegration_plan")
    form = forms.PlanForm(request.POST or None)
    return run_form(
        request,
        form,
        lambda f: services.plan_open(actor=request.user, case=case, **f.cleaned_data),
        success=_("Reintegration plan made."),
        redirect_to=_case_page(case),
        template=FORM,
        context={"case": case, "title": _("Reintegration plan")},
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def service_add(request, pk: int):
    case = _editable_case(request, pk, "reintegration_service")
    plan = _plan_of(case)
    form = forms.PlannedServiceForm(request.POST or None, country_id=case.country_id)
    return run_form(
        request,
        form,
        lambda f: services.plan_service_add(actor=request.user, plan=plan, **f.cleaned_data),
        success=_("Service added to the plan."),
        redirect_to=_case_page(case),
        template=FORM,
        context={"case": case, "title": _("Add a service to the plan")},
    )


@scoped("country", model=PlannedService, lookup="pk", field="plan__country")
@login_required
def service_update(request, pk: int):
    user = request.user
    allowed = PlannedService.objects.select_related("plan__case").filter(
        plan__case__in=case_gates.cases_editable_by(user)
    )
    service = get_scoped_or_deny(
        user, allowed, pk, purpose="reintegration_service", error=case_gates.CaseNotAvailable
    )
    case = service.plan.case
    form = forms.ServiceUpdateForm(
        request.POST or None,
        initial={"status": service.status, "delivered_on": service.delivered_on},
    )
    return run_form(
        request,
        form,
        lambda f: services.plan_service_update(actor=user, service=service, **f.cleaned_data),
        success=_("Service updated."),
        redirect_to=_case_page(case),
        template=FORM,
        context={"case": case, "title": service.get_kind_display()},
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def visit_add(request, pk: int):
    case = _editable_case(request, pk, "reintegration_visit")
    plan = _plan_of(case)
    tool = tools.assessment("resilience")
    form = forms.VisitForm(request.POST or None, instrument=tool)
    return run_form(
        request,
        form,
        lambda f: services.visit_record(
            actor=request.user,
            plan=plan,
            visited_on=f.cleaned_data["visited_on"],
            answers=f.answers(),
            instrument=tool.slug,
            notes=f.cleaned_data["notes"],
        ),
        success=_("Follow-up visit recorded."),
        redirect_to=_case_page(case),
        template=FORM,
        context={"case": case, "title": tool.title},
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def plan_close(request, pk: int):
    case = _editable_case(request, pk, "reintegration_close")
    plan = _plan_of(case)
    form = forms.CloseForm(request.POST or None)
    return run_form(
        request,
        form,
        lambda f: services.plan_close(actor=request.user, plan=plan, **f.cleaned_data),
        success=_("Reintegration plan closed."),
        redirect_to=_case_page(case),
        template=FORM,
        context={"case": case, "title": _("Close the reintegration plan")},
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def feedback_add(request, pk: int):
    case = _editable_case(request, pk, "feedback")
    tool = tools.survey("feedback")
    form = forms.FeedbackForm(request.POST or None, survey=tool)
    return run_form(
        request,
        form,
        lambda f: services.feedback_record(
            actor=request.user,
            case=case,
            stage=f.cleaned_data["stage"],
            answered_on=f.cleaned_data["answered_on"],
            ratings=f.ratings(),
            comments=f.cleaned_data["comments"],
            instrument=tool.slug,
        ),
        success=_("Feedback recorded."),
        redirect_to=_case_page(case),
        template=FORM,
        context={"case": case, "title": tool.title},
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def event_add(request, pk: int):
    case = _editable_case(request, pk, "retrafficking")
    form = forms.RetraffickingForm(request.POST or None)
    return run_form(
        request,
        form,
        lambda f: services.retrafficking_record(actor=request.user, case=case, **f.cleaned_data),
        success=_("Recorded."),
        redirect_to=_case_page(case),
        template=FORM,
        context={"case": case, "title": _("Trafficked again, or acting as broker or trafficker")},
    )


# --- measures --------------------------------------------------------------------------------


@scoped("country", model=Repatriation)
@require_safe
@login_required
def measures_page(request):
    return common_measures_page(
        request,
        name="returns",
        template="returns/measures.html",
        data_of=measures.returns_measures,
        tables_of=tables.measure_tables,
        charts_of=tables.measure_charts,
    )
