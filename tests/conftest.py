"""Shared fixtures: the plan registry loaded once, and users of each role and country."""

from __future__ import annotations

import itertools

import pytest

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache (API throttle counters, lockouts)."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language, whatever an earlier request activated."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the plan registry once per test database; tests roll back around it."""
    from matis.plans.loader import load_registry

    with django_db_blocker.unblock():
        load_registry()


@pytest.fixture
def make_agency(db):
    from matis.access.models import Agency, OrganisationType

    def make(country="THA", name=None, org_type=OrganisationType.NGO):
        n = next(_counter)
        return Agency.objects.create(
            name=name or f"Agency {country} {n} MARKER-{country}-{n}",
            country_id=country,
            org_type=org_type,
        )

    return make


@pytest.fixture
def make_user(db, make_agency):
    from matis.access.models import REGION_WIDE_ROLES, User

    def make(role="task_force_officer", country="THA", password="correct horse battery", **extra):
        n = next(_counter)
        if role in REGION_WIDE_ROLES and country is None:
            agency = None
        else:
            agency = extra.pop("agency", None) or make_agency(country)
        return User.objects.create_user(
            email=f"{role}.{n}@test.example",
            password=password,
            role=role,
            country_id=country,
            agency=agency,
            full_name=f"Test {role} {n}",
            **extra,
        )

    return make


@pytest.fixture
def user_client(client, make_user):
    """A test client logged in as a fresh user: ``user_client(role, country)``."""

    def login(role="task_force_officer", country="THA", **extra):
        user = make_user(role=role, country=country, **extra)
        client.force_login(user)
        client.user = user
        return client

    return login
