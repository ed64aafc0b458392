"""Consent: recorded per purpose, and enforced before anything leaves the agency."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.cases.choices import ConsentGivenBy, ConsentPurpose, ReferralStatus
from matis.cases.models import Case, ConsentEvent, Referral, ServiceProvider
from matis.cases.selectors import cases_with_consent
from matis.common.models import Country


class ConsentRequired(Exception):
    """The person has not consented (or has withdrawn consent) to this use of her or his data."""

    def __init__(self, purpose: str, *, organisation=None, country=None):
        self.purpose = purpose
        self.organisation = organisation
        self.country = country
        target = organisation or country or ""
        super().__init__(f"no consent for {purpose} {target}".strip())


def consent_allows(case, purpose, *, organisation=None, country=None, at=None) -> bool:
    """True when the latest consent for this purpose (and organisation or country) is "given".

    ``case`` is a :class:`Case` or its id; ``organisation`` a
    :class:`ServiceProvider` (or id), required for referrals; ``country`` a
    :class:`Country` or ISO alpha-3 code, required for cross-border sharing;
    ``at`` a date: the answer as it stood that day (default: today). The
    answer is :func:`matis.cases.selectors.cases_with_consent`'s for this case.
    """
    case_id = case.pk if isinstance(case, Case) else int(case)
    return cases_with_consent(
        purpose,
        organisation=organisation,
        country=country,
        at=at,
        cases=Case.objects.filter(pk=case_id),
    ).exists()


def require_consent(case, purpose, *, organisation=None, country=None) -> None:
    if not consent_allows(case, purpose, organisation=organisation, country=country):
        raise ConsentRequired(purpose, organisation=organisation, country=country)


@transaction.atomic
def consent_record(
    *,
    actor: User,
    case: Case,
    purpose: str,
    given: bool,
    on: dt.date,
    language: str,
    given_by: str = ConsentGivenBy.PERSON,
    witness: str = "",
    organisation: ServiceProvider | None = None,
    recipient_country: Country | None = None,
) -> ConsentEvent:
    """Record consent given or withdrawn. Withdrawal revokes open referrals it covered."""
    if given and given_by == ConsentGivenBy.PERSON and case.person.is_child:
        raise ValidationError(
            {"given_by": _("For a child, a parent or guardian gives consent (child protocol).")}
        )
    if on > dt.date.today():
        raise ValidationError({"on": _("The date is in the future.")})
    event = ConsentEvent(
        case=case,
        purpose=purpose,
        given=given,
        on=on,
        language=language,
        given_by=given_by,
        witness=witness.strip(),
        organisation=organisation,
        recipient_country=recipient_country,
        recorded_by=actor,
    )
    event.full_clean()
    event.save()
    # imported here: the exchange reads cases (consent, export) at import time
    from matis.exchange.services import outbox_enqueue_consent_change

    outbox_enqueue_consent_change(event=event)
    # a withdrawal stops the relayed returns it covered and tells the home country
    from matis.returns.services import repatriation_consent_changed

    repatriation_consent_changed(event=event)
    if given and purpose == ConsentPurpose.CROSS_BORDER and recipient_country is not None:
        # a detention notice sent without personal fields is completed (PRO2)
        from matis.cooperation.services import detention_consent_changed

        detention_consent_changed(actor=actor, case=case, country=recipient_country.pk)
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_CHANGE,
        obj=case,
        purpose=purpose,
        given=given,
        organisation=organisation.pk if organisation else None,
        recipient_country=recipient_country.pk if recipient_country else None,
    )
    if not given and purpose == ConsentPurpose.REFERRAL:
        open_referrals = Referral.objects.filter(
            case=case,
            provider=organisation,
            status__in=[ReferralStatus.PENDING, ReferralStatus.ACCEPTED],
        )
        for referral in open_referrals:
            referral.check_transition(ReferralStatus.REVOKED)
            referral.status = ReferralStatus.REVOKED
            referral.status_reason = str(_("Consent withdrawn."))
            referral.answered_on = on
            referral.save(update_fields=["status", "status_reason", "answered_on", "updated_at"])
            audit_record(
                actor=actor,
                action=AuditAction.REFERRAL,
                obj=case,
                referral=referral.pk,
                status=ReferralStatus.REVOKED,
                because="consent_withdrawn",
            )
    return event


def consent_status(case: Case) -> list[dict]:
    """The current state of each consent given or withdrawn for ``case``, newest first."""
    latest: dict[tuple, ConsentEvent] = {}
    for event in case.consents.select_related("organisation", "recipient_country").order_by(
        "on", "id"
    ):
        latest[(event.purpose, event.organisation_id, event.recipient_country_id)] = event
    rows = sorted(latest.values(), key=lambda e: (e.on, e.pk), reverse=True)
    return [{"event": e, "given": e.given} for e in rows]
