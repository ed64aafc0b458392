"""A return between two national instances: the relay item kinds, and what each side does.

The sending government's instance (say THA) keeps the :class:`Repatriation`
with the person's case; the home government's instance (KHM) keeps an
:class:`IncomingRepatriation` with only the minimum (:data:`REQUEST_FIELDS`).
Each government records its own steps in its own database and tells the
other over the hub relay (``matis.exchange.relay``: signed, encrypted for the
recipient, exactly once, in order per sender).

Kinds (``fields`` is the only keys an item may carry; the relay refuses others):

``repatriation.request`` (THA → KHM, personal)
    the request with the minimum about the person; queued only with the
    person's cross-border consent naming KHM, re-checked before each attempt.
``repatriation.step`` (THA → KHM, personal)
    a step of the sending government (the handover): dates, outcome and agency
    name. Declared personal so that the consent is checked again before it
    leaves: a withdrawal cancels what is still queued.
``repatriation.reply`` (KHM → THA, not personal)
    a step of the home government (tracing, nationality verification, travel
    documents, reception), and whether a case was opened at home. It carries
    nothing about the person: THA already holds her or his case.
``repatriation.withdrawn`` / ``repatriation.cancelled`` (THA → KHM, not personal)
    the person withdrew consent / the sending side cancelled the return: KHM
    erases the personal fields and keeps a stub (uid, reference, dates, status).

Whether a country is on another instance: :func:`is_remote` (this instance's
``MATIS_COUNTRY`` is set and is not that country). With ``MATIS_COUNTRY``
unset (the demo, the single-database deployment) every country is local and
both governments work on the same :class:`Repatriation`.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.core.exceptions import ValidationError
from django.utils import timezone

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.cases.htcds import Gender
from matis.common.models import Country
from matis.exchange import conf as exchange_conf
from matis.exchange.relay import (
    NoConsent,
    RelayEnvelope,
    register_relay_kind,
    relay_enqueue,
)
from matis.returns.choices import (
    CLOSED_STATUSES,
    RESPONSIBLE_SIDE,
    Outcome,
    RepatriationStatus,
    Side,
    Step,
)
from matis.returns.models import (
    IncomingRepatriation,
    IncomingRepatriationStep,
    Repatriation,
    RepatriationStep,
)

KIND_REQUEST = "repatriation.request"
KIND_STEP = "repatriation.step"
KIND_REPLY = "repatriation.reply"
KIND_WITHDRAWN = "repatriation.withdrawn"
KIND_CANCELLED = "repatriation.cancelled"

# The minimum the home country receives (docs/returns.md, "What travels"):
#   uid, reference  - to refer to the return in both instances and in letters;
#   requested_on    - the start of the swiftness measure, from the sender's clock;
#   handover_expected_on - to plan travel documents and reception;
#   agency          - the sending agency's name, whom to call (not personal);
#   given_name, family_name, date_of_birth (or age when the birth date is unknown), sex
#                   - what a civil registry needs to verify nationality and identity
#                     (HTCDS core person fields prs_FirstName, prs_SecondName,
#                     prs_Birthdate, prs_Gender), and to open the case at reception.
REQUEST_FIELDS = frozenset(
    {
        "uid",
        "reference",
        "requested_on",
        "handover_expected_on",
        "agency",
        "given_name",
        "family_name",
        "date_of_birth",
        "age",
        "sex",
    }
)
STEP_FIELDS = frozenset(
    {"uid", "step_id", "step", "started_on", "completed_on", "outcome", "agency"}
)
REPLY_FIELDS = STEP_FIELDS | {"case_opened"}
END_FIELDS = frozenset({"uid", "on"})

KINDS = {
    KIND_REQUEST: REQUEST_FIELDS,
    KIND_STEP: STEP_FIELDS,
    KIND_REPLY: REPLY_FIELDS,
    KIND_WITHDRAWN: END_FIELDS,
    KIND_CANCELLED: END_FIELDS,
}
PERSONAL_KINDS = frozenset({KIND_REQUEST, KIND_STEP})


class BadItem(ValueError):
    """A relay item this instance refuses: names the field and why."""


def is_national_instance() -> bool:
    """True on a national instance (``MATIS_COUNTRY`` set): other countries are remote."""
    return exchange_conf.national_country() is not None


NO_CONSENT_ERRORS: tuple[type[Exception], ...] = (NoConsent,)


def is_remote(country_id: str) -> bool:
    """True when ``country_id`` runs its own national instance (not this one)."""
    here = exchange_conf.national_country()
    return here is not None and country_id != here


# --- sending ---------------------------------------------------------------------------------


def _enqueue(*, recipient: str, kind: str, data: dict, key: str, case_ids=()):
    return relay_enqueue(
        recipient=recipient, kind=kind, data=data, idempotency_key=key, case_ids=case_ids
    )


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _step_data(rep, record) -> dict:
    return {
        "uid": str(rep.uid),
        "step_id": record.pk,
        "step": record.step,
        "started_on": _iso(record.started_on),
        "completed_on": _iso(record.completed_on),
        "outcome": record.outcome,
        "agency": record.agency_label,
    }


def _key(country: str, uid, what: str) -> str:
    """Unique per sender forever: the sending instance's country, the return's uid, the event.

    At most 100 characters (the relay's limit): 3 + 5 + 36 + what."""
    return f"{country}:ret:{uid}:{what}"


def _version(record) -> str:
    """One item per save of a step (started, then completed): its id and save time (µs)."""
    return f"{record.pk}:{int(record.updated_at.timestamp() * 1_000_000)}"


def send_request(rep: Repatriation) -> None:
    """Queue the request with the minimum about the person (raises NoConsent without consent)."""
    person = rep.case.person
    born = person.date_of_birth
    data = {
        "uid": str(rep.uid),
        "reference": rep.reference,
        "requested_on": _iso(rep.requested_on),
        "handover_expected_on": _iso(rep.handover_expected_on),
        "agency": rep.sending_agency.name,
        "given_name": person.given_name,
        "family_name": person.family_name,
        "date_of_birth": _iso(born),
        "age": None if born else person.current_age(),
        "sex": person.gender,
    }
    _enqueue(
        recipient=rep.receiving_country_id,
        kind=KIND_REQUEST,
        data=data,
        key=_key(rep.sending_country_id, rep.uid, "request"),
        case_ids=[rep.case_id],
    )


def send_step(rep: Repatriation, record: RepatriationStep) -> None:
    """Queue a step of the sending government (each save of the step is one item)."""
    _enqueue(
        recipient=rep.receiving_country_id,
        kind=KIND_STEP,
        data=_step_data(rep, record),
        key=_key(rep.sending_country_id, rep.uid, f"step:{_version(record)}"),
        case_ids=[rep.case_id],
    )


def send_reply(incoming: IncomingRepatriation, record: IncomingRepatriationStep) -> None:
    """Queue a step of the home government back to the sending instance."""
    data = {**_step_data(incoming, record), "case_opened": incoming.home_case_id is not None}
    _enqueue(
        recipient=incoming.sending_country_id,
        kind=KIND_REPLY,
        data=data,
        key=_key(incoming.receiving_country_id, incoming.uid, f"reply:{_version(record)}"),
    )


def send_end(rep: Repatriation, kind: str, on: dt.date) -> None:
    """Queue a withdrawal or a cancellation (no personal field: sent without consent)."""
    _enqueue(
        recipient=rep.receiving_country_id,
        kind=kind,
        data={"uid": str(rep.uid), "on": _iso(on)},
        key=_key(rep.sending_country_id, rep.uid, kind.rsplit(".", 1)[1]),
    )


# --- receiving: checking what arrived ----------------------------------------------------------


def _text(data: dict, name: str, *, required: bool = True, limit: int = 200) -> str:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise BadItem(f"{name}: missing")
        return ""
    if not isinstance(value, str) or len(value) > limit:
        raise BadItem(f"{name}: expected text of at most {limit} characters")
    return value.strip()


def _date(data: dict, name: str, *, required: bool = True) -> dt.date | None:
    value = data.get(name)
    if value in (None, ""):
        if required:
            raise BadItem(f"{name}: missing")
        return None
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise BadItem(f"{name}: expected a date YYYY-MM-DD, not {value!r}") from None


def _uid(data: dict) -> uuid.UUID:
    try:
        return uuid.UUID(str(data.get("uid")))
    except ValueError:
        raise BadItem(f"uid: not a UUID: {data.get('uid')!r}") from None


def _step_values(data: dict, side: str) -> dict:
    step = data.get("step")
    if step not in Step.values:
        raise BadItem(f"step: unknown step {step!r}")
    if RESPONSIBLE_SIDE[Step(step)] != side:
        raise BadItem(
            f"step: {step} is not the sending country's step"
            if side == Side.SENDING
            else f"step: {step} is not the receiving country's step"
        )
    outcome = data.get("outcome") or ""
    if outcome not in ("", *Outcome.values):
        raise BadItem(f"outcome: unknown outcome {outcome!r}")
    step_id = data.get("step_id")
    if not isinstance(step_id, int) or step_id < 1:
        raise BadItem("step_id: expected a positive whole number")
    return {
        "step": step,
        "started_on": _date(data, "started_on"),
        "completed_on": _date(data, "completed_on", required=False),
        "outcome": outcome,
        "agency_name": _text(data, "agency", required=False),
        "remote_id": step_id,
    }


def _country(code: str) -> Country:
    country = Country.objects.filter(pk=code).first()
    if country is None:
        raise BadItem(f"country {code!r} is not known here")
    return country


def _incoming(envelope: RelayEnvelope) -> IncomingRepatriation:
    found = (
        IncomingRepatriation.objects.select_for_update()
        .filter(
            uid=_uid(envelope.data),
            sending_country_id=envelope.sender,
            receiving_country_id=envelope.recipient,
        )
        .first()
    )
    if found is None:
        raise BadItem(f"uid: no return {envelope.data.get('uid')} from {envelope.sender} here")
    return found


def _check_fields(envelope: RelayEnvelope) -> None:
    extra = sorted(set(envelope.data) - KINDS[envelope.kind])
    if extra:
        raise BadItem(f"{', '.join(extra)}: not a field of {envelope.kind}")


# --- receiving: the handlers (run inside the relay's transaction, exactly once, in order) -----


def receive_request(envelope: RelayEnvelope) -> None:
    """KHM: a request arrives. Store the minimum, encrypted; record the sender's request step."""
    from matis.returns import services

    _check_fields(envelope)
    data = envelope.data
    uid = _uid(data)
    if IncomingRepatriation.objects.filter(uid=uid).exists():
        raise BadItem(f"uid: the return {uid} has already been received")
    sex = data.get("sex") or ""
    if sex not in ("", *Gender.values):
        raise BadItem(f"sex: unknown value {sex!r}")
    age = data.get("age")
    if age is not None and (not isinstance(age, int) or not 0 <= age <= 130):
        raise BadItem("age: expected a whole number of years")
    requested_on = _date(data, "requested_on")
    incoming = IncomingRepatriation(
        uid=uid,
        reference=_text(data, "reference", limit=40),
        sending_country=_country(envelope.sender),
        receiving_country=_country(envelope.recipient),
        requested_on=requested_on,
        handover_expected_on=_date(data, "handover_expected_on", required=False),
        received_at=timezone.now(),
        given_name=_text(data, "given_name"),
        family_name=_text(data, "family_name", required=False) or None,
        date_of_birth=_date(data, "date_of_birth", required=False),
        age=age,
        sex=sex or None,
    )
    incoming.full_clean(exclude=["uid"])
    incoming.save()
    services.step_write(
        incoming,
        step=Step.REQUEST,
        side=Side.SENDING,
        started_on=requested_on,
        completed_on=requested_on,
        outcome=Outcome.POSITIVE,
        agency_name=_text(data, "agency", required=False),
    )
    audit_record(
        actor=None,
        action=AuditAction.RECORD_CREATE,
        obj=incoming,
        country_id=envelope.recipient,
        via="relay",
        sender=envelope.sender,
        kind=envelope.kind,
    )


def receive_step(envelope: RelayEnvelope) -> None:
    """KHM: a step of the sending government (the handover) arrives."""
    from matis.returns import services

    _check_fields(envelope)
    incoming = _incoming(envelope)
    if incoming.status in CLOSED_STATUSES:
        raise BadItem(f"uid: the return is {incoming.status} here")
    values = _step_values(envelope.data, Side.SENDING)
    try:
        services.step_write(incoming, side=Side.SENDING, **values)
    except ValidationError as exc:
        raise BadItem(f"step: {' '.join(exc.messages)}") from exc
    audit_record(
        actor=None,
        action=AuditAction.STATUS_CHANGE,
        obj=incoming,
        country_id=envelope.recipient,
        via="relay",
        step=values["step"],
        outcome=values["outcome"],
        status=incoming.status,
    )


def receive_reply(envelope: RelayEnvelope) -> None:
    """THA: a step of the home government arrives; a closed return takes no more steps."""
    from matis.returns import services

    _check_fields(envelope)
    rep = (
        Repatriation.objects.select_for_update()
        .filter(
            uid=_uid(envelope.data),
            sending_country_id=envelope.recipient,
            receiving_country_id=envelope.sender,
            relayed=True,
        )
        .first()
    )
    if rep is None:
        raise BadItem(f"uid: no return {envelope.data.get('uid')} to {envelope.sender} here")
    values = _step_values(envelope.data, Side.RECEIVING)
    if rep.status in (RepatriationStatus.CANCELLED, RepatriationStatus.WITHDRAWN):
        # crossed on the way with our withdrawal or cancellation: nothing more to record
        audit_record(
            actor=None,
            action=AuditAction.STATUS_CHANGE,
            obj=rep,
            country_id=envelope.recipient,
            via="relay",
            step=values["step"],
            ignored=rep.status,
        )
        return
    try:
        services.step_write(rep, side=Side.RECEIVING, **values)
    except ValidationError as exc:
        raise BadItem(f"step: {' '.join(exc.messages)}") from exc
    if envelope.data.get("case_opened") is True and not rep.home_case_opened:
        rep.home_case_opened = True
        rep.save(update_fields=["home_case_opened", "updated_at"])
    audit_record(
        actor=None,
        action=AuditAction.STATUS_CHANGE,
        obj=rep,
        country_id=envelope.recipient,
        via="relay",
        step=values["step"],
        outcome=values["outcome"],
        status=rep.status,
    )


def _receive_end(envelope: RelayEnvelope, status: str) -> None:
    from matis.returns import services

    _check_fields(envelope)
    incoming = _incoming(envelope)
    services.incoming_erase(incoming, status=status, on=_date(envelope.data, "on"))


def receive_withdrawn(envelope: RelayEnvelope) -> None:
    """KHM: the person withdrew consent; erase what we hold about her or him."""
    _receive_end(envelope, RepatriationStatus.WITHDRAWN)


def receive_cancelled(envelope: RelayEnvelope) -> None:
    """KHM: the sending side cancelled; the purpose is gone, so are the personal fields."""
    _receive_end(envelope, RepatriationStatus.CANCELLED)


RECEIVERS = {
    KIND_REQUEST: receive_request,
    KIND_STEP: receive_step,
    KIND_REPLY: receive_reply,
    KIND_WITHDRAWN: receive_withdrawn,
    KIND_CANCELLED: receive_cancelled,
}


def register_kinds() -> None:
    """Declare the return kinds to the relay (called from the returns AppConfig.ready())."""
    for kind, fields in KINDS.items():
        register_relay_kind(
            kind, receive=RECEIVERS[kind], fields=fields, personal=kind in PERSONAL_KINDS
        )
