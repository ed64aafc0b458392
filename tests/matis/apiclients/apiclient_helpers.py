"""Shared by the API client tests: a client with a token, and a statistics file as bytes."""

from __future__ import annotations

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from matis.apiclients.services import api_client_create

HEADER = ["indicator", "country", "year", "sex", "value"]


def make_token(country="THA", scopes=("statistics:submit",), **kwargs):
    return api_client_create(
        actor=None, name=f"Client {country}", country_id=country, scopes=list(scopes), **kwargs
    )


def bearer(token: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def stats_file(rows, name="figures.csv") -> SimpleUploadedFile:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return SimpleUploadedFile(name, buffer.getvalue().encode(), content_type="text/csv")
