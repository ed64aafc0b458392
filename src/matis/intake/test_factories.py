"""Test factories for the intake models (used by the URL-enumerating authorisation tests)."""

from __future__ import annotations

from django.utils import timezone

from matis.access.models import Agency, OrganisationType, Role, User
from matis.intake.models import GroupRegistration, Tip
from matis.testing.factories import factory_for


def _desk(country: str, marker: str) -> tuple[Agency, User]:
    agency = Agency.objects.create(
        name=f"Hotline {marker}", country_id=country, org_type=OrganisationType.NGO
    )
    user = User.objects.create_user(
        email=f"hotline.{marker.lower()}@factory.example",
        password=None,
        role=Role.CASE_WORKER,
        country_id=country,
        agency=agency,
    )
    return agency, user


@factory_for(Tip)
def _tip(country: str, marker: str) -> Tip:
    agency, user = _desk(country, marker)
    return Tip.objects.create(
        reference=f"TIP-{marker}",
        country_id=country,
        agency=agency,
        recorded_by=user,
        channel="hotline",
        received_at=timezone.now(),
        issue="trafficking",
        report=f"Synthetic report {marker}",
    )


@factory_for(GroupRegistration)
def _group(country: str, marker: str) -> GroupRegistration:
    agency, user = _desk(country, marker)
    return GroupRegistration.objects.create(
        reference=f"GRP-{marker}",
        country_id=country,
        agency=agency,
        recorded_by=user,
        place=f"Compound {marker}",
        rescuing_agency="Police (synthetic)",
    )
