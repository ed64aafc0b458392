"""Factory for the authorisation tests: one API client per country, its name the marker."""

from __future__ import annotations

from matis.apiclients.models import ApiClient
from matis.apiclients.services import api_client_create
from matis.testing.factories import factory_for


@factory_for(ApiClient)
def _client(country: str, marker: str) -> ApiClient:
    client, _token = api_client_create(
        actor=None, name=f"Client {marker}", country_id=country, scopes=["statistics:read"]
    )
    return client
