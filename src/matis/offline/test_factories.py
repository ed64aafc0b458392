"""Factory for the authorisation tests: an offline grant per country, the marker as its device."""

from __future__ import annotations

from matis.access.models import Agency, OrganisationType, Role, User
from matis.offline.models import OfflineGrant
from matis.testing.factories import factory_for


@factory_for(OfflineGrant)
def _grant(country: str, marker: str) -> OfflineGrant:
    agency = Agency.objects.create(
        name=f"Agency {marker}", country_id=country, org_type=OrganisationType.NGO
    )
    user = User.objects.create_user(
        email=f"{marker.lower()}@offline.example",
        password=None,
        role=Role.CASE_WORKER,
        country_id=country,
        agency=agency,
        full_name=f"User {marker}",
    )
    return OfflineGrant.objects.create(user=user, device=marker)
