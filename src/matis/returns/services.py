"""Writes for returns, reintegration, feedback and re-trafficking: keyword-only, atomic, audited."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from matis.access.audit import audit_record
from matis.access.models import Agency, AuditAction, User
from matis.cases import gates as case_gates
from matis.cases.choices import ConsentPurpose
from matis.cases.models import IDENTIFIED, Case, IdentificationDecision, ServiceProvider
from matis.cases.services import case_register, require_consent
from matis.returns import gates
from matis.returns import instruments as tools
from matis.returns.choices import (
    RESPONSIBLE_SIDE,
    RETURN_STEP,
    ClosureReason,
    Outcome,
    PlanStatus,
    RepatriationStatus,
    ServiceStatus,
    Side,
    Step,
)
from matis.returns.models import (
    FeedbackSurvey,
    FollowUpVisit,
    PlannedService,
    ReintegrationPlan,
    Repatriation,
    RepatriationStep,
    RetraffickingEvent,
    WrongCountry,
)

OPEN_STATUSES = (RepatriationStatus.IN_PROGRESS, RepatriationStatus.STOPPED)


def _not_future(day: dt.date, field: str) -> None:
    if day > dt.date.today():
        raise ValidationError({field: _("The date is in the future.")})


def _require_case_editor(actor: User, case: Case) -> None:
    if not case_gates.cases_editable_by(actor).filter(pk=case.pk).exists():
        raise PermissionDenied


def identification_date(case: Case) -> dt.date | None:
    """The day the person was first identified (possible or actual victim)."""
    return (
        IdentificationDecision.objects.filter(case=case, decision__in=sorted(IDENTIFIED))
        .order_by("decided_on", "id")
        .values_list("decided_on", flat=True)
        .first()
    )


def next_return_reference(sending: str, receiving: str, year: int) -> str:
    prefix = f"RT-{sending}-{receiving}-{year}-"
    last = (
        Repatriation.objects.filter(reference__startswith=prefix)
        .order_by("-reference")
        .values_list("reference", flat=True)
        .first()
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:05d}"


@transaction.atomic
def repatriation_request(
    *,
    actor: User,
    case: Case,
    receiving_agency: Agency,
    requested_on: dt.date,
    notes: str = "",
) -> Repatriation:
    """Start a return: the sending side asks the home country's agency to take the person back.

    The receiving side sees the request only once the person consents to
    sharing with that country (see :mod:`matis.returns.gates`).
    """
    _require_case_editor(actor, case)
    if actor.agency is None or actor.agency.country_id != case.country_id:
        raise WrongCountry(Step.REQUEST, case.country_id, actor.country_id)
    receiving = receiving_agency.country_id
    if receiving is None or receiving == case.country_id:
        raise ValidationError(
            {"receiving_agency": _("Choose an agency of the person's home country.")}
        )
    identified_on = identification_date(case)
    if identified_on is None:
        raise ValidationError(
            _("The person has not been identified as a victim (possible or actual) yet.")
        )
    _not_future(requested_on, "requested_on")
    if requested_on < identified_on:
        raise ValidationError({"requested_on": _("The request is before the identification.")})
    if Repatriation.objects.filter(case=case, status__in=OPEN_STATUSES).exists():
        raise ValidationError(_("A return of this person is already under way."))
    rep = Repatriation.objects.create(
        reference=next_return_reference(case.country_id, receiving, requested_on.year),
        case=case,
        sending_country_id=case.country_id,
        receiving_country_id=receiving,
        sending_agency=actor.agency,
        receiving_agency=receiving_agency,
        identified_on=identified_on,
        requested_on=requested_on,
    )
    RepatriationStep.objects.create(
        repatriation=rep,
        step=Step.REQUEST,
        side=Side.SENDING,
        agency=actor.agency,
        started_on=requested_on,
        completed_on=requested_on,
        outcome=Outcome.POSITIVE,
        notes=notes.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE,
        obj=rep,
        country_id=actor.country_id,
        case=case.pk,
        corridor=rep.corridor,
    )
    return rep


def _check_actor(actor: User, rep: Repatriation, step: str) -> str:
    """The side the actor acts for; WrongCountry or PermissionDenied otherwise."""
    side = RESPONSIBLE_SIDE[Step(step)]
    needed = rep.country_of(side)
    agency_country = actor.agency.country_id if actor.agency_id else None
    if actor.country_id != needed or agency_country != needed:
        raise WrongCountry(step, needed, agency_country or actor.country_id)
    if side == Side.SENDING:
        if not gates.may_act_sending(actor, rep):
            raise PermissionDenied
    else:
        if not gates.receiving_candidates(actor).filter(pk=rep.pk).exists():
            raise PermissionDenied
        require_consent(rep.case, ConsentPurpose.CROSS_BORDER, country=rep.receiving_country_id)
    return side


def _open_receiving_case(actor: User, rep: Repatriation, opened_on: dt.date) -> Case:
    """Register the returnee at the receiving agency with the minimum the return carried."""
    person = rep.case.person
    return case_register(
        actor=actor,
        person={
            "given_name": person.given_name,
            "family_name": person.family_name,
            "romanised_given": person.romanised_given,
            "romanised_family": person.romanised_family,
            "gender": person.gender,
            "age_at_registration": person.current_age(opened_on),
            "primary_citizenship": person.primary_citizenship,
            "stateless": person.stateless,
            "languages": person.languages,
        },
        case={"opened_on": opened_on},
    )


@transaction.atomic
def repatriation_step_record(
    *,
    actor: User,
    repatriation: Repatriation,
    step: str,
    started_on: dt.date,
    completed_on: dt.date | None = None,
    outcome: str = "",
    notes: str = "",
    open_case: bool = False,
) -> RepatriationStep:
    """Record (start, or start and complete) the next step of a return.

    Raises :class:`~matis.returns.models.StepOutOfOrder` for a step the
    transition table does not allow now, :class:`~matis.returns.models.WrongCountry`
    when the actor's agency is not of the government responsible for the step,
    and ``ConsentRequired`` when the receiving side acts without the person's
    consent to sharing with its country.
    """
    rep = Repatriation.objects.select_for_update().get(pk=repatriation.pk)
    rep.check_step(step)
    side = _check_actor(actor, rep, step)
    _not_future(started_on, "started_on")
    if completed_on is not None:
        _not_future(completed_on, "completed_on")
        if completed_on < started_on:
            raise ValidationError({"completed_on": _("Completed before it started.")})
        if outcome not in Outcome.values:
            raise ValidationError({"outcome": _("Give the outcome of the step.")})
    elif outcome:
        raise ValidationError({"completed_on": _("An outcome needs the date the step ended.")})
    previous = rep.latest_step()
    if previous is not None and previous.completed_on and started_on < previous.completed_on:
        raise ValidationError({"started_on": _("This step starts before the previous one ended.")})
    if previous is not None and previous.step == step and previous.completed_on is None:
        record = previous
        record.started_on = started_on
        record.completed_on = completed_on
        record.outcome = outcome
        record.notes = notes.strip() or record.notes
        record.agency = actor.agency
        record.recorded_by = actor
        record.save()
    else:
        record = RepatriationStep.objects.create(
            repatriation=rep,
            step=step,
            side=side,
            agency=actor.agency,
            started_on=started_on,
            completed_on=completed_on,
            outcome=outcome,
            notes=notes.strip(),
            recorded_by=actor,
        )
    new_status = rep.status
    if rep.status == RepatriationStatus.STOPPED:
        new_status = RepatriationStatus.IN_PROGRESS  # a new attempt resumes the return
    if outcome == Outcome.NEGATIVE:
        new_status = RepatriationStatus.STOPPED
        rep.status_reason = notes.strip()
    elif outcome == Outcome.POSITIVE:
        if step == RETURN_STEP:
            rep.returned_on = completed_on
        if step == Step.RECEPTION:
            new_status = RepatriationStatus.COMPLETED
            rep.completed_on = completed_on
    if new_status != rep.status:
        rep.check_transition(new_status)
        rep.status = new_status
    if step == Step.RECEPTION and open_case and rep.receiving_case_id is None:
        rep.receiving_case = _open_receiving_case(actor, rep, completed_on or started_on)
    rep.save()
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=rep,
        country_id=actor.country_id,
        step=step,
        side=str(side),
        outcome=outcome,
        status=rep.status,
    )
    return record


@transaction.atomic
def repatriation_cancel(*, actor: User, repatriation: Repatriation, reason: str) -> Repatriation:
    """The sending side cancels a return that will not happen (e.g. the person stays)."""
    rep = Repatriation.objects.select_for_update().get(pk=repatriation.pk)
    if not gates.may_act_sending(actor, rep):
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    rep.check_transition(RepatriationStatus.CANCELLED)
    rep.status = RepatriationStatus.CANCELLED
    rep.status_reason = reason.strip()
    rep.save(update_fields=["status", "status_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=rep,
        country_id=actor.country_id,
        status=rep.status,
    )
    return rep


# --- reintegration -------------------------------------------------------------------------


@transaction.atomic
def plan_open(
    *,
    actor: User,
    case: Case,
    opened_on: dt.date,
    goals: str = "",
) -> ReintegrationPlan:
    """Make the individual reintegration plan of a case (one per case)."""
    _require_case_editor(actor, case)
    _not_future(opened_on, "opened_on")
    if ReintegrationPlan.objects.filter(case=case).exists():
        raise ValidationError(_("This case already has a reintegration plan."))
    plan = ReintegrationPlan.objects.create(
        case=case,
        country_id=case.country_id,
        agency=actor.agency or case.agency,
        opened_on=opened_on,
        goals=goals.strip(),
        created_by=actor,
    )
    audit_record(actor=actor, action=AuditAction.RECORD_CREATE, obj=plan, case=case.pk)
    return plan


def _require_open(plan: ReintegrationPlan) -> None:
    if plan.status != PlanStatus.OPEN:
        raise ValidationError(_("The plan is closed."))


@transaction.atomic
def plan_service_add(
    *,
    actor: User,
    plan: ReintegrationPlan,
    kind: str,
    provider: ServiceProvider | None,
    planned_on: dt.date,
    status: str = ServiceStatus.PLANNED,
    delivered_on: dt.date | None = None,
    notes: str = "",
) -> PlannedService:
    _require_case_editor(actor, plan.case)
    _require_open(plan)
    if provider is not None and provider.country_id != plan.country_id:
        raise ValidationError({"provider": _("The provider is in another country.")})
    service = PlannedService(
        plan=plan,
        kind=kind,
        provider=provider,
        planned_on=planned_on,
        status=status,
        delivered_on=delivered_on,
        notes=notes.strip(),
    )
    service.full_clean()
    service.save()
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE,
        obj=service,
        country_id=plan.country_id,
        case=plan.case_id,
    )
    return service


@transaction.atomic
def plan_service_update(
    *,
    actor: User,
    service: PlannedService,
    status: str,
    delivered_on: dt.date | None,
    notes: str = "",
) -> PlannedService:
    _require_case_editor(actor, service.plan.case)
    _require_open(service.plan)
    if delivered_on:
        _not_future(delivered_on, "delivered_on")
    service.status = status
    service.delivered_on = delivered_on
    if notes.strip():
        service.notes = notes.strip()
    service.full_clean()
    service.save()
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_UPDATE,
        obj=service,
        country_id=service.plan.country_id,
        status=status,
    )
    return service


@transaction.atomic
def visit_record(
    *,
    actor: User,
    plan: ReintegrationPlan,
    visited_on: dt.date,
    answers: dict[str, int],
    instrument: str = "resilience",
    notes: str = "",
) -> FollowUpVisit:
    """A follow-up visit, scored with the configured resilience-and-empowerment instrument."""
    _require_case_editor(actor, plan.case)
    _require_open(plan)
    _not_future(visited_on, "visited_on")
    if visited_on < plan.opened_on:
        raise ValidationError({"visited_on": _("The visit is before the plan was made.")})
    tool = tools.assessment(instrument)
    try:
        scores = tool.score(answers)
    except tools.InstrumentError as exc:
        raise ValidationError(str(exc)) from exc
    visit = FollowUpVisit.objects.create(
        plan=plan,
        visited_on=visited_on,
        visited_by=actor,
        instrument=tool.slug,
        instrument_version=tool.version,
        answers=answers,
        psychosocial_score=scores["psychosocial"],
        economic_score=scores["economic"],
        notes=notes.strip(),
    )
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE,
        obj=visit,
        country_id=plan.country_id,
        case=plan.case_id,
    )
    return visit


@transaction.atomic
def plan_close(
    *,
    actor: User,
    plan: ReintegrationPlan,
    closed_on: dt.date,
    reason: str,
    note: str = "",
) -> ReintegrationPlan:
    _require_case_editor(actor, plan.case)
    _require_open(plan)
    _not_future(closed_on, "closed_on")
    if closed_on < plan.opened_on:
        raise ValidationError({"closed_on": _("Closed before the plan was made.")})
    if reason not in ClosureReason.values:
        raise ValidationError({"reason": _("Choose a reason.")})
    plan.check_transition(PlanStatus.CLOSED)
    plan.status = PlanStatus.CLOSED
    plan.closed_on = closed_on
    plan.closure_reason = reason
    plan.closure_note = note.strip()
    plan.save()
    audit_record(
        actor=actor, action=AuditAction.STATUS_CHANGE, obj=plan, status=plan.status, reason=reason
    )
    return plan


@transaction.atomic
def feedback_record(
    *,
    actor: User,
    case: Case,
    stage: str,
    answered_on: dt.date,
    ratings: dict[str, int],
    comments: str = "",
    instrument: str = "feedback",
) -> FeedbackSurvey:
    """The person's feedback on the help received (ratings 1-5 per question)."""
    _require_case_editor(actor, case)
    _not_future(answered_on, "answered_on")
    tool = tools.survey(instrument)
    try:
        ratings = tool.check(ratings)
    except tools.InstrumentError as exc:
        raise ValidationError(str(exc)) from exc
    if not ratings:
        raise ValidationError(_("Record at least one answer."))
    survey = FeedbackSurvey.objects.create(
        case=case,
        country_id=case.country_id,
        stage=stage,
        answered_on=answered_on,
        instrument=tool.slug,
        instrument_version=tool.version,
        ratings=ratings,
        comments=comments.strip(),
        recorded_by=actor,
    )
    audit_record(actor=actor, action=AuditAction.RECORD_CREATE, obj=survey, case=case.pk)
    return survey


@transaction.atomic
def retrafficking_record(
    *,
    actor: User,
    case: Case,
    kind: str,
    on: dt.date,
    where=None,
    notes: str = "",
) -> RetraffickingEvent:
    """Record that the person was trafficked again, or acted as broker or trafficker."""
    _require_case_editor(actor, case)
    _not_future(on, "on")
    if on < case.opened_on:
        raise ValidationError({"on": _("The date is before the case was opened.")})
    event = RetraffickingEvent(
        case=case, kind=kind, on=on, where=where, notes=notes.strip(), recorded_by=actor
    )
    event.full_clean()
    event.save()
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE,
        obj=event,
        country_id=case.country_id,
        case=case.pk,
        kind=kind,
    )
    return event
