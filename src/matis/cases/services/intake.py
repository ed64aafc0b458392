"""Intake from another government system (a screening or hotline system): a presumed victim.

Used by the machine API (``POST /api/v1/cases/``, scope ``cases:intake``). The
sending system registers a person only with her or his consent to services
recorded at the same time; without it nothing is written.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from matis.access.models import User
from matis.cases.choices import ConsentGivenBy, ConsentPurpose
from matis.cases.models import Case
from matis.cases.services.cases import case_register
from matis.cases.services.consent import consent_record


@transaction.atomic
def case_intake(
    *,
    actor: User,
    person: dict,
    consent: dict | None,
    case: dict | None = None,
    country_id: str | None = None,
) -> Case:
    """Register a presumed victim and her or his consent to services, in one transaction.

    Parameters
    ----------
    consent
        ``{"given": True, "on": date, "language": "th", "given_by": "person",
        "witness": ""}``: the consent to services the sending system took. For a
        child a parent or guardian gives it (the consent service refuses otherwise).
    country_id
        The country the sender means to write for; it must be the actor's own.
    """
    if country_id and country_id != actor.country_id:
        raise PermissionDenied(_("This account registers cases of its own country only."))
    if not consent or consent.get("given") is not True:
        raise ValidationError(
            {"consent": _("A person is registered only with her or his consent to services.")}
        )
    on = consent.get("on") or dt.date.today()
    new_case = case_register(actor=actor, person=person, case=case)
    consent_record(
        actor=actor,
        case=new_case,
        purpose=ConsentPurpose.SERVICES,
        given=True,
        on=on,
        language=consent.get("language") or "",
        given_by=consent.get("given_by") or ConsentGivenBy.PERSON,
        witness=consent.get("witness") or "",
    )
    return new_case
