"""Referrals, services delivered, transfers and sharing - each checked against consent."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from matis.access.audit import audit_record
from matis.access.models import Agency, AuditAction, User
from matis.cases.choices import ConsentPurpose, ReferralStatus
from matis.cases.models import Case, Referral, ServiceDelivery, ServiceProvider, ShareRecord
from matis.cases.services.consent import ConsentRequired, require_consent
from matis.common.models import Country


@transaction.atomic
def referral_create(
    *,
    actor: User,
    case: Case,
    provider: ServiceProvider,
    reason: str,
    services: list[str],
    details: str = "",
    referred_on: dt.date | None = None,
) -> Referral:
    """Refer the case to a provider; refused (:class:`ConsentRequired`) without consent."""
    if provider.country_id != case.country_id:
        raise ValidationError({"provider": _("Referrals abroad go through cross-border sharing.")})
    if not provider.is_active:
        raise ValidationError({"provider": _("This provider is no longer active.")})
    require_consent(case, ConsentPurpose.REFERRAL, organisation=provider)
    referral = Referral(
        case=case,
        provider=provider,
        referring_agency_id=case.agency_id,
        reason=reason,
        services=list(services),
        details=details,
        referred_on=referred_on or dt.date.today(),
        created_by=actor,
    )
    referral.full_clean()
    referral.save()
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL,
        obj=case,
        referral=referral.pk,
        provider=provider.pk,
        status=referral.status,
    )
    return referral


@transaction.atomic
def referral_answer(*, actor: User, referral: Referral, status: str, reason: str = "") -> Referral:
    """Accept, reject, revoke or complete a referral; raise TransitionNotAllowed otherwise."""
    referral.check_transition(status)
    if status in (ReferralStatus.REJECTED, ReferralStatus.REVOKED) and not reason.strip():
        raise ValidationError({"reason": _("Give the reason.")})
    if status == ReferralStatus.ACCEPTED:
        require_consent(referral.case, ConsentPurpose.REFERRAL, organisation=referral.provider)
    referral.status = status
    referral.status_reason = reason.strip()
    referral.answered_on = dt.date.today()
    referral.save(update_fields=["status", "status_reason", "answered_on", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL,
        obj=referral.case,
        referral=referral.pk,
        status=status,
    )
    return referral


@transaction.atomic
def service_record(
    *,
    actor: User,
    case: Case,
    provider: ServiceProvider,
    service_type: str,
    delivered_on: dt.date,
    referral: Referral | None = None,
    notes: str = "",
) -> ServiceDelivery:
    row = ServiceDelivery(
        case=case,
        referral=referral,
        provider=provider,
        service_type=service_type,
        delivered_on=delivered_on,
        notes=notes,
        recorded_by=actor,
    )
    row.full_clean()
    row.save()
    audit_record(actor=actor, action=AuditAction.RECORD_CREATE, obj=case, service=row.pk)
    return row


@transaction.atomic
def case_transfer(*, actor: User, case: Case, agency: Agency) -> Case:
    """Hand the case to another agency of the country; needs consent to refer to it."""
    provider = ServiceProvider.objects.filter(agency=agency, country_id=case.country_id).first()
    if agency.country_id != case.country_id or provider is None:
        raise ValidationError(
            {"agency": _("Choose an agency of this country's referral directory.")}
        )
    require_consent(case, ConsentPurpose.REFERRAL, organisation=provider)
    old = case.agency_id
    case.agency = agency
    case.case_worker = None
    case.save(update_fields=["agency", "case_worker", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.SHARE, obj=case, transfer_from=old, transfer_to=agency.pk
    )
    return case


@transaction.atomic
def case_share(
    *,
    actor: User,
    case: Case,
    purpose: str,
    organisation: ServiceProvider | None = None,
    recipient_country: Country | None = None,
) -> dict:
    """Produce the data for a permitted recipient: checked against consent, recorded, audited.

    Returns the HTCDS-shaped record (de-identified for statistics and research).
    """
    from matis.cases.export import case_to_htcds

    purpose = ConsentPurpose(purpose)
    if purpose == ConsentPurpose.CROSS_BORDER and recipient_country is None:
        raise ValidationError({"recipient_country": _("Name the country.")})
    if purpose == ConsentPurpose.CROSS_BORDER and recipient_country.pk == case.country_id:
        raise ValidationError({"recipient_country": _("Choose another country.")})
    if purpose == ConsentPurpose.REFERRAL and organisation is None:
        raise ValidationError({"organisation": _("Name the organisation.")})
    if purpose == ConsentPurpose.SERVICES:
        raise ConsentRequired(purpose)  # consent to services is not consent to share
    require_consent(case, purpose, organisation=organisation, country=recipient_country)
    deidentified = purpose == ConsentPurpose.STATISTICS
    record = ShareRecord.objects.create(
        case=case,
        purpose=purpose,
        organisation=organisation,
        recipient_country=recipient_country,
        deidentified=deidentified,
        shared_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.SHARE,
        obj=case,
        share=record.pk,
        purpose=purpose,
        recipient_country=recipient_country.pk if recipient_country else None,
        organisation=organisation.pk if organisation else None,
    )
    return case_to_htcds(case, deidentified=deidentified)


@transaction.atomic
def provider_create(
    *, actor: User, name: str, services: list[str], province: str = "", agency: Agency | None = None
) -> ServiceProvider:
    """Add an organisation to the actor's national referral directory."""
    if agency is not None and agency.country_id != actor.country_id:
        raise ValidationError({"agency": _("The agency belongs to another country.")})
    provider = ServiceProvider(
        country_id=actor.country_id,
        name=name.strip(),
        services=services,
        province=province.strip(),
        agency=agency,
    )
    provider.full_clean()
    provider.save()
    audit_record(actor=actor, action=AuditAction.RECORD_CREATE, obj=provider)
    return provider
