"""Pages for returns, reintegration, feedback, re-trafficking and the measures."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from matis.access.audit import audit_list_read, audit_record
from matis.access.gates import get_scoped_or_deny
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases import gates as case_gates
from matis.cases.models import Case
from matis.cases.pages import run_form
from matis.cases.services import ConsentRequired
from matis.common.models import Country
from matis.common.views import measures_page as common_measures_page
from matis.common.views import require
from matis.common.workflow import TransitionNotAllowed
from matis.returns import forms, gates, measures, relay, services, tables
from matis.returns import instruments as tools
from matis.returns.choices import RESPONSIBLE_SIDE, Side, Step
from matis.returns.models import (
    IncomingRepatriation,
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
    except (ConsentRequired, *relay.NO_CONSENT_ERRORS) as exc:
        raise ValidationError(
            _("The person's consent to sharing with the home country does not stand.")
        ) from exc


def _side_country(holder, side: str) -> str:
    country = holder.sending_country if side == Side.SENDING else holder.receiving_country
    return country.display_name


def _turn(holder, my_side: str) -> dict:
    """Whose turn it is: the side, its country and the next step (None once it is over)."""
    side = holder.whose_turn()
    if side is None:
        return {}
    step = holder.next_step()
    return {
        "side": side,
        "ours": side == my_side,
        "country": _side_country(holder, side),
        "step": dict(Step.choices)[step] if step else "",
    }


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
    require(has_perm(user, "returns.view_returns"))  # the menu's permission
    outgoing = list(
        gates.sending_queryset(user)
        .select_related("case__person", "receiving_country", "receiving_agency")
        .order_by("-requested_on", "-id")[:200]
    )
    incoming = gates.receiving_visible(user)
    received = list(
        gates.incoming_queryset(user)
        .select_related("sending_country", "receiving_agency")
        .order_by("-requested_on", "-id")[:200]
    )
    today = dt.date.today()
    for rep in [*outgoing, *incoming, *received]:
        rep.overdue = measures.is_overdue(rep, today=today)
    # The list shows each person's name: one audit row naming the cases, as the case list.
    audit_list_read(
        actor=user,
        object_type="returns.repatriation",
        case_ids=[rep.case_id for rep in [*outgoing, *incoming]],
        purpose="returns_list",
    )
    if received:  # names received from another instance: no case here to name
        audit_record(
            actor=user,
            action=AuditAction.RECORD_READ,
            country_id=user.country_id,
            object_type=gates.INCOMING,
            object_id="",
            purpose="returns_list",
            ids=[r.pk for r in received],
        )
    return render(
        request,
        "returns/list.html",
        {
            "outgoing": outgoing,
            "incoming": incoming,
            "received": received,
            "limit": measures.pending_days_limit(),
        },
    )


@scoped("country", model=Case, lookup="pk")
@login_required
def repatriation_start(request, pk: int):
    user = request.user
    case = case_gates.access_case_for_update(user, pk, purpose="return_request")
    relayed = relay.is_national_instance()  # then every other country is remote
    form = forms.RequestForm(request.POST or None, sending_country=case.country_id, relayed=relayed)
    created = {}

    def action(f):
        created["rep"] = _workflow(
            lambda: services.repatriation_request(
                actor=user,
                case=case,
                receiving_agency=f.cleaned_data.get("receiving_agency"),
                receiving_country=f.cleaned_data.get("receiving_country"),
                requested_on=f.cleaned_data["requested_on"],
                handover_expected_on=f.cleaned_data["handover_expected_on"],
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
        s.country_label = _side_country(rep, s.side)
    return render(
        request,
        "returns/detail.html",
        {
            "rep": rep,
            "access": access,
            "steps": steps,
            "person": gates.receiving_view(rep) if not access.is_sending else None,
            "next_steps": _steps_for(access),
            "turn": _turn(rep, access.side),
            "may_withdraw": access.is_sending and access.may_act and rep.relayed,
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


@scoped("country", model=Repatriation, lookup="pk", field="sending_country")
@login_required
def repatriation_withdraw(request, pk: int):
    """The person withdraws consent to sharing with a home country on another instance."""
    user = request.user
    access = gates.access_repatriation(user, pk, purpose="return_withdraw")
    rep = access.repatriation
    require(access.is_sending and access.may_act and rep.relayed)
    form = forms.WithdrawForm(request.POST or None)
    return run_form(
        request,
        form,
        lambda f: services.repatriation_consent_withdraw(
            actor=user,
            repatriation=rep,
            on=f.cleaned_data["on"],
            language=f.cleaned_data["language"],
        ),
        success=_("Consent withdrawn: the return is stopped and the home country told to erase."),
        redirect_to=_detail_url(rep),
        template=FORM,
        context={"rep": rep, "title": _("The person withdraws consent"), "danger": True},
    )


# --- returns received from another national instance -----------------------------------------


def _incoming_url(incoming) -> str:
    return reverse("returns:incoming_detail", args=[incoming.pk])


def _incoming_steps(access) -> list[str]:
    incoming = access.repatriation
    if not access.may_act:
        return []
    return sorted(
        (s for s in incoming.allowed_steps() if RESPONSIBLE_SIDE[Step(s)] == Side.RECEIVING),
        key=list(Step.values).index,
    )


@scoped("country", model=IncomingRepatriation, lookup="pk", field="receiving_country")
@require_safe
@login_required
def incoming_detail(request, pk: int):
    user = request.user
    access = gates.access_incoming(user, pk, purpose="view")
    incoming = access.repatriation
    steps = list(incoming.steps.select_related("agency"))
    for s in steps:
        s.notes_visible = s.side == Side.RECEIVING
        s.country_label = _side_country(incoming, s.side)
    return render(
        request,
        "returns/incoming.html",
        {
            "rep": incoming,
            "access": access,
            "steps": steps,
            "next_steps": _incoming_steps(access),
            "turn": _turn(incoming, Side.RECEIVING),
            "may_assign": user.role == "case_supervisor" and access.may_act,
            "overdue": measures.is_overdue(incoming),
            "limit": measures.pending_days_limit(),
            "days_to_reception": (incoming.completed_on - incoming.requested_on).days
            if incoming.completed_on
            else None,
        },
    )


@scoped("country", model=IncomingRepatriation, lookup="pk", field="receiving_country")
@login_required
def incoming_step(request, pk: int):
    user = request.user
    access = gates.access_incoming(user, pk, purpose="return_step")
    steps = _incoming_steps(access)
    require(bool(steps))
    incoming = access.repatriation
    form = forms.StepForm(request.POST or None, steps=steps)
    if "open_case" in form.fields:
        form.fields["open_case"].initial = has_perm(user, "cases.register_case")

    def action(f):
        _workflow(
            lambda: services.incoming_step_record(
                actor=user,
                incoming=incoming,
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
        redirect_to=_incoming_url(incoming),
        template=FORM,
        context={"rep": incoming, "title": _("Record a step of the return")},
    )


@scoped("country", model=IncomingRepatriation, lookup="pk", field="receiving_country")
@login_required
def incoming_assign(request, pk: int):
    user = request.user
    access = gates.access_incoming(user, pk, purpose="return_assign")
    require(user.role == "case_supervisor" and access.may_act)
    incoming = access.repatriation
    form = forms.AssignForm(request.POST or None, country_id=incoming.receiving_country_id)
    return run_form(
        request,
        form,
        lambda f: services.incoming_assign(
            actor=user, incoming=incoming, agency=f.cleaned_data["agency"]
        ),
        success=_("Return given to the agency."),
        redirect_to=_incoming_url(incoming),
        template=FORM,
        context={"rep": incoming, "title": _("Give the return to an agency")},
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
