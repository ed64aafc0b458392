"""Detention / consular notification (PRO2): notice, acknowledgement, follow-up status.

The rule (documented in ``docs/cooperation.md``): a placement of a foreign
national in immigration detention, police custody or a shelter the person may
not leave notifies the country of nationality. The notice is *personal*
(names, date of birth, place) only when the person's latest cross-border
consent names that country; otherwise it is *non-personal*: count, age group,
sex, place type, dates, trafficking status. The relay re-checks the consent
before every attempt, so a consent withdrawn before the notice leaves cancels
it. Follow-up statuses carry the notice number, the step and its date, never
the local comment.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.cases.choices import DETENTION_KINDS, ConsentPurpose, PlacementKind
from matis.cases.models import Case, Placement
from matis.cases.selectors import cases_with_consent
from matis.cooperation.models import (
    AgeGroup,
    DetentionNotice,
    DetentionStatus,
    DetentionStatusEvent,
    Direction,
)
from matis.cooperation.models.detention import STEPS_OF_DETAINING, STEPS_OF_NATIONALITY
from matis.cooperation.services.common import (
    BadItem,
    CooperationError,
    field_choice,
    field_date,
    field_text,
    field_uuid,
    require,
)
from matis.exchange.relay import RelayEnvelope, relay_enqueue

KIND_NOTICE = "detention.notice"  # personal: with cross-border consent for the country
KIND_NOTICE_BASIC = "detention.notice_basic"  # non-personal: without it
KIND_ACK = "detention.ack"
KIND_STATUS = "detention.status"

BASIC_NOTICE_FIELDS = frozenset(
    {
        "notice",
        "nationality",
        "count",
        "age_group",
        "sex",
        "place_type",
        "held_against_will",
        "victim_status",
        "start_date",
        "end_date",
    }
)
PERSONAL_NOTICE_FIELDS = BASIC_NOTICE_FIELDS | {
    "given_name",
    "family_name",
    "romanised_name",
    "date_of_birth",
    "place_name",
    "province",
    "languages",
}
ACK_FIELDS = frozenset({"notice", "acknowledged_at", "consular_post"})
STATUS_FIELDS = frozenset({"notice", "event", "status", "on"})

PLACE_TYPES = frozenset(PlacementKind.values)


# --- which placements notify ------------------------------------------------------------


def is_notifiable_placement(placement: Placement) -> bool:
    """Detention (immigration, police) or a shelter the person does not stay in freely."""
    if placement.kind in DETENTION_KINDS:
        return True
    return placement.kind == PlacementKind.SHELTER and not placement.voluntary


def notifiable_nationality(placement: Placement) -> str | None:
    """The country to notify: the person's citizenship when foreign; None otherwise."""
    person = placement.case.person
    if person.stateless or not person.primary_citizenship_id:
        return None
    if person.primary_citizenship_id == placement.case.country_id:
        return None
    return person.primary_citizenship_id


def _age_group(person, on: dt.date) -> str:
    age = person.current_age(today=on)
    if age is None:
        return AgeGroup.UNKNOWN
    return AgeGroup.CHILD if age < 18 else AgeGroup.ADULT


def _has_consent(case: Case, country: str) -> bool:
    return cases_with_consent(
        ConsentPurpose.CROSS_BORDER, country=country, cases=Case.objects.filter(pk=case.pk)
    ).exists()


def _basic_data(notice: DetentionNotice) -> dict:
    return {
        "notice": str(notice.notice),
        "nationality": notice.other_country_id,
        "count": notice.count,
        "age_group": notice.age_group,
        "sex": notice.sex,
        "place_type": notice.place_type,
        "held_against_will": notice.held_against_will,
        "victim_status": notice.victim_status,
        "start_date": notice.start_date.isoformat(),
        "end_date": notice.end_date.isoformat() if notice.end_date else None,
    }


def _personal_data(notice: DetentionNotice) -> dict:
    return {
        **_basic_data(notice),
        "given_name": notice.given_name,
        "family_name": notice.family_name,
        "romanised_name": notice.romanised_name,
        "date_of_birth": notice.date_of_birth.isoformat() if notice.date_of_birth else None,
        "place_name": notice.place_name,
        "province": notice.province,
        "languages": list(notice.languages or []),
    }


@transaction.atomic
def detention_notice_send(*, actor: User, placement: Placement) -> DetentionNotice:
    """Notify the country of nationality of this placement (once per placement).

    Personal only with the person's cross-border consent naming that country;
    otherwise the non-personal notice. Raises :class:`CooperationError` when
    the placement does not notify anyone or was notified already.
    """
    placement = Placement.objects.select_related("case__person", "facility").get(pk=placement.pk)
    case = placement.case
    require(actor, "cooperation.send_detention_notice", case)
    if not is_notifiable_placement(placement):
        raise CooperationError(
            _("Only detention, police custody or a shelter the person may not leave is notified.")
        )
    nationality = notifiable_nationality(placement)
    if nationality is None:
        raise CooperationError(
            _("The person is not a foreign national with a known citizenship: nobody to notify.")
        )
    if DetentionNotice.objects.filter(placement=placement, direction=Direction.OUT).exists():
        raise CooperationError(_("This placement has been notified already."))
    person = case.person
    personal = _has_consent(case, nationality)
    notice = DetentionNotice(
        direction=Direction.OUT,
        country_id=case.country_id,
        other_country_id=nationality,
        placement=placement,
        case=case,
        personal=personal,
        count=1,
        age_group=_age_group(person, placement.start_date),
        sex=person.gender,
        place_type=placement.kind,
        held_against_will=not placement.voluntary,
        victim_status=case.trafficking_status or "",
        start_date=placement.start_date,
        end_date=placement.end_date,
        created_by=actor,
    )
    if personal:
        _fill_personal(notice, person, placement)
    notice.save()
    DetentionStatusEvent.objects.create(
        notice=notice,
        status=DetentionStatus.NOTIFIED,
        on=timezone.localdate(),
        by_country_id=notice.country_id,
        recorded_by=actor,
    )
    relay_enqueue(
        sender=notice.country_id,
        recipient=nationality,
        kind=KIND_NOTICE if personal else KIND_NOTICE_BASIC,
        data=_personal_data(notice) if personal else _basic_data(notice),
        idempotency_key=f"{notice.country_id}:detention:{notice.notice}",
        case_ids=[case.pk] if personal else (),
    )
    audit_record(
        actor=actor,
        action=AuditAction.SHARE,
        obj=notice,
        recipient=nationality,
        personal=personal,
        case=case.pk,
        placement=placement.pk,
    )
    return notice


def _fill_personal(notice: DetentionNotice, person, placement: Placement) -> None:
    notice.given_name = person.given_name
    notice.family_name = person.family_name
    notice.romanised_name = person.display_romanised
    notice.date_of_birth = person.date_of_birth
    notice.place_name = placement.facility.name
    notice.province = placement.facility.province
    notice.languages = list(person.languages or [])


def _receive_personal_fields(notice: DetentionNotice, data: dict) -> None:
    notice.given_name = field_text(data, "given_name", max_length=200, required=False)
    notice.family_name = field_text(data, "family_name", max_length=200, required=False)
    notice.romanised_name = field_text(data, "romanised_name", max_length=400, required=False)
    notice.date_of_birth = field_date(data, "date_of_birth", required=False)
    notice.place_name = field_text(data, "place_name", max_length=200, required=False)
    notice.province = field_text(data, "province", max_length=120, required=False)
    languages = data.get("languages") or []
    if not isinstance(languages, list) or not all(isinstance(x, str) for x in languages):
        raise BadItem("languages: a list of language codes expected")
    notice.languages = languages[:20]


# --- automatic notification (PRO2 "without delay") ------------------------------------------


def auto_notify_enabled() -> bool:
    return bool(getattr(settings, "MATIS_DETENTION_AUTO_NOTIFY", True))


def placement_recorded(*, actor: User, placement: Placement) -> DetentionNotice | None:
    """Called by ``placement_add``: notify the country of nationality at once.

    Sends the notice when the placement notifies someone and the recorder may send
    notices (personal with consent, non-personal otherwise, as
    :func:`detention_notice_send`). Returns None, leaving the placement on the
    *Detention notices* list for a colleague who may, when the instance has switched
    automatic notification off (``MATIS_DETENTION_AUTO_NOTIFY=0``), when the
    recorder lacks the permission, or when nobody is to be notified.
    """
    if not auto_notify_enabled():
        return None
    if not is_notifiable_placement(placement) or notifiable_nationality(placement) is None:
        return None
    if not has_perm(actor, "cooperation.send_detention_notice", placement.case):
        return None
    return detention_notice_send(actor=actor, placement=placement)


@transaction.atomic
def detention_consent_changed(*, actor: User, case: Case, country: str) -> list[DetentionNotice]:
    """Called by ``consent_record``: a cross-border consent naming ``country`` was given.

    Every non-personal notice of this case's open placements already sent to that
    country is completed with the personal fields (same notice number, kind
    ``detention.notice``): the consulate learns who is detained once the person
    agrees. A withdrawal needs nothing here: the relay re-checks consent before
    every attempt and cancels a personal notice not yet sent.
    """
    if not auto_notify_enabled() or not _has_consent(case, country):
        return []
    upgraded = []
    notices = (
        DetentionNotice.objects.select_for_update(of=("self",))
        .filter(case=case, direction=Direction.OUT, other_country_id=country, personal=False)
        .select_related("placement__facility", "case__person")
    )
    for notice in notices:
        placement = notice.placement
        if placement is None or placement.end_date is not None:
            continue
        notice.personal = True
        _fill_personal(notice, case.person, placement)
        notice.save()
        relay_enqueue(
            sender=notice.country_id,
            recipient=country,
            kind=KIND_NOTICE,
            data=_personal_data(notice),
            idempotency_key=f"{notice.country_id}:detention:{notice.notice}:personal",
            case_ids=[case.pk],
        )
        audit_record(
            actor=actor,
            action=AuditAction.SHARE,
            obj=notice,
            recipient=country,
            personal=True,
            completes_basic_notice=True,
        )
        upgraded.append(notice)
    return upgraded


def detention_notice_receive(envelope: RelayEnvelope) -> DetentionNotice:
    """Recipient side of both notice kinds: keep what arrived, nothing more.

    A personal notice for a number already received without personal fields
    completes that notice (the person consented after the first notice left).
    """
    data = envelope.data
    personal = envelope.kind == KIND_NOTICE
    notice_id = field_uuid(data, "notice")
    if data.get("nationality") != envelope.recipient:
        raise BadItem("nationality: the notice is not about a national of this country")
    found = DetentionNotice.objects.filter(country_id=envelope.recipient, notice=notice_id).first()
    if found is not None:
        if personal and not found.personal and found.other_country_id == envelope.sender:
            found.personal = True
            _receive_personal_fields(found, data)
            found.save()
            audit_record(
                actor=None,
                action=AuditAction.IMPORT,
                obj=found,
                sender=envelope.sender,
                personal=True,
                kind=envelope.kind,
                completes_basic_notice=True,
            )
        return found
    count = data.get("count")
    if not isinstance(count, int) or count < 1:
        raise BadItem("count: a positive whole number expected")
    start = field_date(data, "start_date")
    end = field_date(data, "end_date", required=False)
    if end and end < start:
        raise BadItem("end_date: before start_date")
    notice = DetentionNotice(
        notice=notice_id,
        direction=Direction.IN,
        country_id=envelope.recipient,
        other_country_id=envelope.sender,
        personal=personal,
        count=count,
        age_group=field_choice(data, "age_group", AgeGroup.values),
        sex=field_text(data, "sex", max_length=24),
        place_type=field_choice(data, "place_type", PLACE_TYPES),
        held_against_will=bool(data.get("held_against_will")),
        victim_status=field_text(data, "victim_status", max_length=60, required=False),
        start_date=start,
        end_date=end,
    )
    if personal:
        _receive_personal_fields(notice, data)
    notice.save()
    DetentionStatusEvent.objects.create(
        notice=notice,
        status=DetentionStatus.NOTIFIED,
        on=envelope.sent_at.date(),
        by_country_id=envelope.sender,
    )
    audit_record(
        actor=None,
        action=AuditAction.IMPORT,
        obj=notice,
        sender=envelope.sender,
        personal=personal,
        kind=envelope.kind,
    )
    return notice


@transaction.atomic
def detention_notice_send_basic(*, actor: User, notice: DetentionNotice) -> DetentionNotice:
    """Replace a personal notice the relay cancelled (consent withdrawn) by a non-personal one.

    The country of nationality is still told that a national is detained, without
    learning who; the personal fields are erased from the sender's copy of the notice.
    """
    from matis.cooperation.selectors import notice_delivery

    notice = DetentionNotice.objects.select_for_update().get(pk=notice.pk)
    require(actor, "cooperation.send_detention_notice", notice)
    delivery = notice_delivery(notice)
    if not notice.personal or delivery is None or delivery["state"] != "cancelled":
        raise CooperationError(_("Only a personal notice stopped before sending is replaced."))
    notice.personal = False
    notice.given_name = notice.family_name = notice.romanised_name = ""
    notice.date_of_birth = None
    notice.place_name = notice.province = ""
    notice.languages = []
    notice.save()
    relay_enqueue(
        sender=notice.country_id,
        recipient=notice.other_country_id,
        kind=KIND_NOTICE_BASIC,
        data=_basic_data(notice),
        idempotency_key=f"{notice.country_id}:detention:{notice.notice}:basic",
    )
    audit_record(
        actor=actor,
        action=AuditAction.SHARE,
        obj=notice,
        recipient=notice.other_country_id,
        personal=False,
        replaces_cancelled=True,
    )
    return notice


# --- acknowledgement ----------------------------------------------------------------------


@transaction.atomic
def detention_notice_acknowledge(
    *, actor: User, notice: DetentionNotice, consular_post: str = ""
) -> DetentionNotice:
    """The country of nationality acknowledges a notice it received; the ack goes back."""
    notice = DetentionNotice.objects.select_for_update().get(pk=notice.pk)
    require(actor, "cooperation.follow_up_detention", notice)
    if notice.direction != Direction.IN:
        raise CooperationError(_("Only the country of nationality acknowledges a notice."))
    if notice.acknowledged_at is not None:
        raise CooperationError(_("This notice has been acknowledged already."))
    post = consular_post.strip()[:200]
    notice.acknowledged_at = timezone.now()
    notice.consular_post = post
    if notice.status == DetentionStatus.NOTIFIED:
        notice.status = DetentionStatus.ACKNOWLEDGED
    notice.save(update_fields=["acknowledged_at", "consular_post", "status", "updated_at"])
    DetentionStatusEvent.objects.create(
        notice=notice,
        status=DetentionStatus.ACKNOWLEDGED,
        on=timezone.localdate(),
        by_country_id=notice.country_id,
        recorded_by=actor,
    )
    relay_enqueue(
        sender=notice.country_id,
        recipient=notice.other_country_id,
        kind=KIND_ACK,
        data={
            "notice": str(notice.notice),
            "acknowledged_at": notice.acknowledged_at.isoformat(),
            "consular_post": post,
        },
        idempotency_key=f"{notice.country_id}:detention-ack:{notice.notice}",
    )
    audit_record(actor=actor, action=AuditAction.STATUS_CHANGE, obj=notice, status="acknowledged")
    return notice


def _notice_for(envelope: RelayEnvelope, direction: str) -> DetentionNotice:
    notice_id = field_uuid(envelope.data, "notice")
    notice = (
        DetentionNotice.objects.select_for_update()
        .filter(
            country_id=envelope.recipient,
            other_country_id=envelope.sender,
            notice=notice_id,
            direction=direction,
        )
        .first()
    )
    if notice is None:
        raise BadItem(f"notice: no notice {notice_id} between these countries")
    return notice


def detention_ack_receive(envelope: RelayEnvelope) -> DetentionNotice:
    """The detaining side learns that the country of nationality acknowledged its notice."""
    notice = _notice_for(envelope, Direction.OUT)
    try:
        at = dt.datetime.fromisoformat(str(envelope.data.get("acknowledged_at")))
    except ValueError:
        raise BadItem("acknowledged_at: not a date and time") from None
    notice.acknowledged_at = at
    notice.consular_post = field_text(
        envelope.data, "consular_post", max_length=200, required=False
    )
    if notice.status == DetentionStatus.NOTIFIED:
        notice.status = DetentionStatus.ACKNOWLEDGED
    notice.save(update_fields=["acknowledged_at", "consular_post", "status", "updated_at"])
    DetentionStatusEvent.objects.create(
        notice=notice,
        status=DetentionStatus.ACKNOWLEDGED,
        on=at.date(),
        by_country_id=envelope.sender,
    )
    audit_record(
        actor=None,
        action=AuditAction.STATUS_CHANGE,
        obj=notice,
        status="acknowledged",
        by=envelope.sender,
    )
    return notice


# --- follow-up status ---------------------------------------------------------------------


def _apply_status(notice: DetentionNotice, event: DetentionStatusEvent) -> None:
    latest = notice.events.order_by("-on", "-id").first()
    notice.status = latest.status if latest else event.status
    notice.save(update_fields=["status", "updated_at"])


@transaction.atomic
def detention_status_record(
    *, actor: User, notice: DetentionNotice, status: str, on: dt.date, comment: str = ""
) -> DetentionStatusEvent:
    """Record a follow-up step this side owns; the step (not the comment) goes to the other side.

    The country of nationality records a consular visit and documents issued;
    the detaining country records release and repatriation.
    """
    notice = DetentionNotice.objects.select_for_update().get(pk=notice.pk)
    require(actor, "cooperation.follow_up_detention", notice)
    if status not in notice.steps_we_record():
        raise CooperationError(
            _("“%(step)s” is recorded by the other country.")
            % {
                "step": DetentionStatus(status).label
                if status in DetentionStatus.values
                else status
            }
        )
    if on > timezone.localdate():
        raise CooperationError(_("The date is in the future."))
    if on < notice.start_date:
        raise CooperationError(_("The date is before the placement began."))
    event = DetentionStatusEvent.objects.create(
        notice=notice,
        status=status,
        on=on,
        by_country_id=notice.country_id,
        comment=comment.strip()[:300],
        recorded_by=actor,
    )
    _apply_status(notice, event)
    relay_enqueue(
        sender=notice.country_id,
        recipient=notice.other_country_id,
        kind=KIND_STATUS,
        data={
            "notice": str(notice.notice),
            "event": str(event.event),
            "status": status,
            "on": on.isoformat(),
        },
        idempotency_key=f"{notice.country_id}:detention-status:{event.event}",
    )
    audit_record(actor=actor, action=AuditAction.STATUS_CHANGE, obj=notice, status=status)
    return event


def detention_status_receive(envelope: RelayEnvelope) -> DetentionStatusEvent:
    """A follow-up step the other side recorded; only steps that side owns are accepted."""
    data = envelope.data
    own = (
        DetentionNotice.objects.filter(
            country_id=envelope.recipient, notice=field_uuid(data, "notice")
        )
        .values_list("direction", flat=True)
        .first()
    )
    if own is None:
        raise BadItem("notice: no such notice here")
    notice = _notice_for(envelope, own)
    theirs = STEPS_OF_DETAINING if own == Direction.IN else STEPS_OF_NATIONALITY
    status = field_choice(data, "status", theirs)
    event_id = field_uuid(data, "event")
    found = notice.events.filter(event=event_id).first()
    if found is not None:
        return found
    event = DetentionStatusEvent.objects.create(
        event=event_id,
        notice=notice,
        status=status,
        on=field_date(data, "on"),
        by_country_id=envelope.sender,
    )
    _apply_status(notice, event)
    audit_record(
        actor=None, action=AuditAction.STATUS_CHANGE, obj=notice, status=status, by=envelope.sender
    )
    return event
