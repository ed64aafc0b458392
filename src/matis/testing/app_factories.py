"""Test factories for the country-owned models of the core apps.

Feature apps keep theirs in ``matis/<app>/test_factories.py``; every such
module is imported here so that its ``@register`` calls run.
"""

from __future__ import annotations

from importlib import import_module

from django.apps import apps

from matis.access.audit import audit_record
from matis.access.models import Agency, AuditAction, AuditLog, OrganisationType, Role, User
from matis.testing.factories import factory_for


@factory_for(Agency)
def _agency(country: str, marker: str) -> Agency:
    return Agency.objects.create(
        name=f"Agency {marker}", country_id=country, org_type=OrganisationType.NGO
    )


@factory_for(User)
def _user(country: str, marker: str) -> User:
    return User.objects.create_user(
        email=f"{marker.lower()}@test.example",
        password=None,
        role=Role.CASE_WORKER,
        country_id=country,
        full_name=f"User {marker}",
    )


@factory_for(AuditLog)
def _audit(country: str, marker: str) -> AuditLog:
    return audit_record(
        actor=None,
        action=AuditAction.RECORD_UPDATE,
        country_id=country,
        object_type="test.object",
        object_id=marker,
    )


for _config in apps.get_app_configs():
    if _config.name.startswith("matis."):
        try:
            import_module(f"{_config.name}.test_factories")
        except ModuleNotFoundError as exc:
            if exc.name != f"{_config.name}.test_factories":
                raise
