"""Fixtures for the statistics tests: the GLOTIP file loaded, files to import, users."""

from __future__ import annotations

import csv
import io

import pytest

from matis.statistics.loader import data_path

GLOTIP = data_path("glotip_COMMIT6.csv")


def glotip_rows() -> list[dict]:
    """The GLOTIP file read independently of MATIS's parser."""
    with GLOTIP.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def csv_bytes(rows: list[list], header: list[str]) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8"))


def import_csv(rows, header=("indicator", "country", "year", "sex", "value"), fmt="csv", **kwargs):
    from matis.statistics.services import observations_import

    kwargs.setdefault("actor", None)
    return observations_import(source=csv_bytes(list(rows), list(header)), fmt=fmt, **kwargs)


@pytest.fixture
def glotip(db):
    """Every GLOTIP row imported (drafts, not approved)."""
    from matis.statistics.services import observations_import

    with GLOTIP.open("rb") as source:
        return observations_import(actor=None, source=source, fmt="glotip", filename="glotip.csv")


@pytest.fixture
def glotip_approved(glotip):
    """GLOTIP imported, every submission marked approved, and the contextual series.

    A shortcut for the read-side tests; the approval path itself (the demo loader
    and the services) is tested in test_glotip.py and test_workflow.py.
    """
    from matis.statistics.loader import load_context_series
    from matis.statistics.models import Observation, Submission

    Submission.objects.update(status=Submission.Status.APPROVED)
    Observation.objects.update(approved=True)
    load_context_series()
    return glotip
