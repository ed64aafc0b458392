"""Writes for returns, reintegration, feedback and re-trafficking: keyword-only, atomic, audited.

A return whose home country runs its own national instance (``relay.is_remote``)
is carried over the hub relay: each government's steps are written here by
:func:`step_write` (the one place a step and the status it implies are stored)
and queued to the other instance by :mod:`matis.returns.relay`.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from matis.access.audit import audit_record
from matis.access.models import Agency, AuditAction, Role, User
from matis.access.permissions import has_perm
from matis.cases import gates as case_gates
from matis.cases.choices import ConsentPurpose
from matis.cases.models import IDENTIFIED, Case, IdentificationDecision, ServiceProvider
from matis.cases.selectors import cases_with_consent
from matis.cases.services import case_register, consent_allows, consent_record, require_consent
from matis.common.models import Country
from matis.returns import gates, relay
from matis.returns import instruments as tools
from matis.returns.choices import (
    OPEN_STATUSES,
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
    IncomingRepatriation,
    IncomingRepatriationStep,
    PlannedService,
    ReintegrationPlan,
    Repatriation,
    RepatriationStep,
    RetraffickingEvent,
    WrongCountry,
)

__all__ = ["OPEN_STATUSES"]


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


def _country_name(code: str) -> str:
    country = Country.objects.filter(pk=code).first()
    return str(country.display_name) if country else code


@transaction.atomic
def repatriation_request(
    *,
    actor: User,
    case: Case,
    requested_on: dt.date,
    receiving_agency: Agency | None = None,
    receiving_country: Country | str | None = None,
    handover_expected_on: dt.date | None = None,
    notes: str = "",
) -> Repatriation:
    """Start a return: the sending side asks the home country to take the person back.

    Name the home country's agency (one database) or only the home country
    (required when that country runs its own instance: its government then
    chooses the agency). In one database the receiving side sees the request
    only once the person consents to sharing with that country (see
    :mod:`matis.returns.gates`); across instances the request leaves only with
    that consent, so it is required here.
    """
    _require_case_editor(actor, case)
    if actor.agency is None or actor.agency.country_id != case.country_id:
        raise WrongCountry(Step.REQUEST, case.country_id, actor.country_id)
    if receiving_agency is not None:
        receiving = receiving_agency.country_id
    else:
        receiving = getattr(receiving_country, "pk", receiving_country)
    if receiving is None or receiving == case.country_id:
        field = "receiving_agency" if receiving_country is None else "receiving_country"
        raise ValidationError({field: _("Choose an agency of the person's home country.")})
    relayed = relay.is_remote(receiving)
    if not relayed and receiving_agency is None:
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
    if handover_expected_on is not None and handover_expected_on < requested_on:
        raise ValidationError({"handover_expected_on": _("The handover is before the request.")})
    if Repatriation.objects.filter(case=case, status__in=OPEN_STATUSES).exists():
        raise ValidationError(_("A return of this person is already under way."))
    if relayed and not consent_allows(case, ConsentPurpose.CROSS_BORDER, country=receiving):
        raise ValidationError(
            _(
                "%(country)s runs its own system: the request can go there only with the "
                "person's consent to sharing with %(country)s. Record the consent first."
            )
            % {"country": _country_name(receiving)}
        )
    rep = Repatriation.objects.create(
        reference=next_return_reference(case.country_id, receiving, requested_on.year),
        case=case,
        sending_country_id=case.country_id,
        receiving_country_id=receiving,
        sending_agency=actor.agency,
        receiving_agency=receiving_agency,
        identified_on=identified_on,
        requested_on=requested_on,
        handover_expected_on=handover_expected_on,
        relayed=relayed,
    )
    step_write(
        rep,
        step=Step.REQUEST,
        side=Side.SENDING,
        started_on=requested_on,
        completed_on=requested_on,
        outcome=Outcome.POSITIVE,
        notes=notes,
        agency=actor.agency,
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE,
        obj=rep,
        country_id=actor.country_id,
        case=case.pk,
        corridor=rep.corridor,
        relayed=relayed,
    )
    if relayed:
        relay.send_request(rep)
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
        if rep.relayed:  # the home government records its steps on its own instance
            raise WrongCountry(step, needed, agency_country or actor.country_id)
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


def _check_step_dates(
    started_on: dt.date, completed_on: dt.date | None, outcome: str, *, local: bool
) -> None:
    if local:
        _not_future(started_on, "started_on")
    if completed_on is not None:
        if local:
            _not_future(completed_on, "completed_on")
        if completed_on < started_on:
            raise ValidationError({"completed_on": _("Completed before it started.")})
        if outcome not in Outcome.values:
            raise ValidationError({"outcome": _("Give the outcome of the step.")})
    elif outcome:
        raise ValidationError({"completed_on": _("An outcome needs the date the step ended.")})


def step_write(
    holder: Repatriation | IncomingRepatriation,
    *,
    step: str,
    side: str,
    started_on: dt.date,
    completed_on: dt.date | None = None,
    outcome: str = "",
    notes: str = "",
    agency: Agency | None = None,
    agency_name: str = "",
    recorded_by: User | None = None,
    remote_id: int | None = None,
):
    """Store a step of ``holder`` (a return we send or receive) and the status it implies.

    The caller has checked who acts (:func:`repatriation_step_record`,
    :func:`incoming_step_record`) or received the step over the relay
    (``remote_id``: the step's id at the other instance; its agency by name).
    Checks the order (``StepOutOfOrder``) and the dates; audit is the caller's.
    """
    holder.check_step(step)
    _check_step_dates(started_on, completed_on, outcome, local=remote_id is None)
    previous = holder.latest_step()
    if previous is not None and previous.completed_on and started_on < previous.completed_on:
        raise ValidationError({"started_on": _("This step starts before the previous one ended.")})
    record = None
    if remote_id is not None:
        record = holder.steps.filter(remote_id=remote_id, side=side).first()
    elif previous is not None and previous.step == step and previous.completed_on is None:
        record = previous
    if record is not None:
        record.started_on = started_on
        record.completed_on = completed_on
        record.outcome = outcome
        record.notes = notes.strip() or record.notes
        if remote_id is None:
            record.agency = agency
            record.recorded_by = recorded_by
        else:
            record.agency_name = agency_name
        record.save()
    else:
        record = holder.steps.create(
            step=step,
            side=side,
            agency=agency,
            agency_name=agency_name,
            remote_id=remote_id,
            started_on=started_on,
            completed_on=completed_on,
            outcome=outcome,
            notes=notes.strip(),
            recorded_by=recorded_by,
        )
    new_status = holder.status
    if holder.status == RepatriationStatus.STOPPED:
        new_status = RepatriationStatus.IN_PROGRESS  # a new attempt resumes the return
    if outcome == Outcome.NEGATIVE:
        new_status = RepatriationStatus.STOPPED
        if isinstance(holder, Repatriation):
            holder.status_reason = notes.strip()
    elif outcome == Outcome.POSITIVE:
        if step == RETURN_STEP:
            holder.returned_on = completed_on
        if step == Step.RECEPTION:
            new_status = RepatriationStatus.COMPLETED
            holder.completed_on = completed_on
    if new_status != holder.status:
        holder.check_transition(new_status)
        holder.status = new_status
    holder.save()
    return record


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
    when the actor's agency is not of the government responsible for the step
    (or, for a relayed return, for any of the home government's steps: they
    are recorded on its instance), and ``ConsentRequired`` when the receiving
    side acts without the person's consent to sharing with its country, or the
    sending side tells a home country on another instance without it.
    """
    rep = Repatriation.objects.select_for_update().get(pk=repatriation.pk)
    rep.check_step(step)
    side = _check_actor(actor, rep, step)
    if rep.relayed:
        require_consent(rep.case, ConsentPurpose.CROSS_BORDER, country=rep.receiving_country_id)
    record = step_write(
        rep,
        step=step,
        side=side,
        started_on=started_on,
        completed_on=completed_on,
        outcome=outcome,
        notes=notes,
        agency=actor.agency,
        recorded_by=actor,
    )
    if step == Step.RECEPTION and open_case and rep.receiving_case_id is None:
        rep.receiving_case = _open_receiving_case(actor, rep, completed_on or started_on)
        rep.save(update_fields=["receiving_case", "updated_at"])
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
    if rep.relayed:
        relay.send_step(rep, record)
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
    if rep.relayed:
        relay.send_end(rep, relay.KIND_CANCELLED, dt.date.today())
    return rep


# --- withdrawal of consent -----------------------------------------------------------------


def _withdraw(*, actor: User | None, rep: Repatriation, on: dt.date) -> bool:
    """A relayed return whose consent is gone: stop it here and tell the home country.

    Queued personal items are cancelled by the relay itself (it checks the
    consent again before each attempt); the withdrawal notice carries no
    personal field. A completed return keeps its status (the home country
    erases its copy of the personal fields all the same). Returns False when
    there was nothing to do.
    """
    if not rep.relayed or rep.status in (
        RepatriationStatus.WITHDRAWN,
        RepatriationStatus.CANCELLED,
    ):
        return False
    if rep.status in OPEN_STATUSES:
        rep.check_transition(RepatriationStatus.WITHDRAWN)
        rep.status = RepatriationStatus.WITHDRAWN
        rep.status_reason = str(_("Consent to sharing with the home country withdrawn."))
        rep.save(update_fields=["status", "status_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_CHANGE,
        obj=rep,
        country_id=rep.sending_country_id,
        status=rep.status,
        propagated=rep.receiving_country_id,
    )
    relay.send_end(rep, relay.KIND_WITHDRAWN, on)
    return True


@transaction.atomic
def repatriation_consent_changed(*, event) -> int:
    """After a cross-border consent event: propagate a withdrawal to the returns it covered.

    Call with the :class:`~matis.cases.models.ConsentEvent` just recorded (the
    cases app's ``consent_record`` is the natural caller). Returns the number
    of returns stopped and notified.
    """
    if event.given or event.purpose != ConsentPurpose.CROSS_BORDER:
        return 0
    reps = Repatriation.objects.select_for_update().filter(
        case_id=event.case_id, receiving_country_id=event.recipient_country_id, relayed=True
    )
    return sum(_withdraw(actor=event.recorded_by, rep=rep, on=event.on) for rep in reps)


@transaction.atomic
def repatriation_consent_withdraw(
    *, actor: User, repatriation: Repatriation, on: dt.date, language: str
) -> Repatriation:
    """The person withdraws consent to sharing with the home country (from the return's page).

    Recorded on the case like any consent (``consent_record``, audited), then
    propagated: the return stops and the home country is told to erase.
    """
    rep = Repatriation.objects.select_for_update().get(pk=repatriation.pk)
    if not gates.may_act_sending(actor, rep):
        raise PermissionDenied
    consent_record(
        actor=actor,
        case=rep.case,
        purpose=ConsentPurpose.CROSS_BORDER,
        given=False,
        on=on,
        language=language,
        recipient_country=rep.receiving_country,
    )  # consent_record propagates it (repatriation_consent_changed)
    rep.refresh_from_db()
    return rep


@transaction.atomic
def repatriation_withdrawals_propagate(*, country_id: str | None = None) -> int:
    """Catch up: relayed returns still open or completed whose consent no longer stands.

    ``consent_record`` propagates each withdrawal as it is recorded
    (:func:`repatriation_consent_changed`); this catches up on withdrawals
    recorded before it did (``matis returns propagate-withdrawals``).
    Returns the number of returns notified.
    """
    reps = (
        Repatriation.objects.select_for_update()
        .filter(relayed=True)
        .exclude(status__in=[RepatriationStatus.WITHDRAWN, RepatriationStatus.CANCELLED])
    )
    if country_id:
        reps = reps.filter(sending_country_id=country_id)
    done = 0
    for rep in reps:
        covered = cases_with_consent(
            ConsentPurpose.CROSS_BORDER,
            country=rep.receiving_country_id,
            cases=Case.objects.filter(pk=rep.case_id),
        ).exists()
        if not covered:
            done += _withdraw(actor=None, rep=rep, on=dt.date.today())
    return done


# --- a return we receive from another instance -----------------------------------------------


def _check_incoming_actor(actor: User, incoming: IncomingRepatriation, step: str) -> None:
    side = RESPONSIBLE_SIDE[Step(step)]
    needed = incoming.receiving_country_id
    agency_country = actor.agency.country_id if actor.agency_id else None
    if side != Side.RECEIVING or actor.country_id != needed or agency_country != needed:
        raise WrongCountry(step, incoming.country_of(side), agency_country or actor.country_id)
    if not gates.may_act_incoming(actor, incoming):
        raise PermissionDenied


def _open_home_case(actor: User, incoming: IncomingRepatriation, opened_on: dt.date) -> Case:
    """Register the returnee at home from the fields the request carried (nothing else)."""
    person = {
        "given_name": incoming.given_name,
        "family_name": incoming.family_name,
        "gender": incoming.sex or None,
        "primary_citizenship": incoming.receiving_country,
    }
    if incoming.date_of_birth:
        person["date_of_birth"] = incoming.date_of_birth
    elif incoming.age is not None:
        person["age_at_registration"] = incoming.age
    return case_register(
        actor=actor,
        person={k: v for k, v in person.items() if v is not None},
        case={"opened_on": opened_on},
    )


@transaction.atomic
def incoming_step_record(
    *,
    actor: User,
    incoming: IncomingRepatriation,
    step: str,
    started_on: dt.date,
    completed_on: dt.date | None = None,
    outcome: str = "",
    notes: str = "",
    open_case: bool = False,
) -> IncomingRepatriationStep:
    """The home government records one of its steps; the step goes back to the sender.

    At a completed reception ``open_case`` opens the returnee's case here
    (``case_register``: audited, encrypted) from the received fields.
    """
    incoming = IncomingRepatriation.objects.select_for_update().get(pk=incoming.pk)
    incoming.check_step(step)
    _check_incoming_actor(actor, incoming, step)
    record = step_write(
        incoming,
        step=step,
        side=Side.RECEIVING,
        started_on=started_on,
        completed_on=completed_on,
        outcome=outcome,
        notes=notes,
        agency=actor.agency,
        recorded_by=actor,
    )
    if incoming.receiving_agency_id is None:
        incoming.receiving_agency = actor.agency
    if (
        step == Step.RECEPTION
        and outcome == Outcome.POSITIVE
        and open_case
        and incoming.home_case_id is None
    ):
        incoming.home_case = _open_home_case(actor, incoming, completed_on or started_on)
    incoming.save()
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=incoming,
        country_id=actor.country_id,
        step=step,
        side=str(Side.RECEIVING),
        outcome=outcome,
        status=incoming.status,
        home_case=incoming.home_case_id,
    )
    relay.send_reply(incoming, record)
    return record


@transaction.atomic
def incoming_assign(
    *, actor: User, incoming: IncomingRepatriation, agency: Agency
) -> IncomingRepatriation:
    """A case supervisor of the home country gives a received return to one of its agencies."""
    incoming = IncomingRepatriation.objects.select_for_update().get(pk=incoming.pk)
    if (
        actor.role != Role.CASE_SUPERVISOR
        or actor.country_id != incoming.receiving_country_id
        or not has_perm(actor, "returns.view_returns")
    ):
        raise PermissionDenied
    if agency.country_id != incoming.receiving_country_id:
        raise ValidationError({"agency": _("Choose an agency of your country.")})
    before = incoming.receiving_agency_id
    incoming.receiving_agency = agency
    incoming.save(update_fields=["receiving_agency", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_UPDATE,
        obj=incoming,
        country_id=actor.country_id,
        changes={"receiving_agency": [before, agency.pk]},
    )
    return incoming


def incoming_erase(incoming: IncomingRepatriation, *, status: str, on: dt.date | None) -> None:
    """Erase the personal fields of a received return; keep a non-personal stub.

    Called when the sender tells us the person withdrew consent
    (``status="withdrawn"``) or the return was cancelled. The stub keeps the
    uid, the reference, the dates and the status; the notes of our steps go
    too (they are about the person). A case already opened at home at the
    reception stays: it is our own record of our returned national.
    """
    for name in IncomingRepatriation.PERSONAL_FIELDS:
        setattr(incoming, name, None)  # NULL: nothing, not even a ciphertext, stays
    if status == RepatriationStatus.WITHDRAWN:
        incoming.withdrawn_on = on or dt.date.today()
    if incoming.status != RepatriationStatus.COMPLETED and incoming.status != status:
        incoming.check_transition(status)
        incoming.status = status
    incoming.save()
    for record in incoming.steps.all():
        if record.notes:
            record.notes = ""
            record.save(update_fields=["notes", "updated_at"])
    audit_record(
        actor=None,
        action=AuditAction.RECORD_UPDATE,
        obj=incoming,
        country_id=incoming.receiving_country_id,
        via="relay",
        erased=sorted(IncomingRepatriation.PERSONAL_FIELDS),
        status=incoming.status,
    )


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
