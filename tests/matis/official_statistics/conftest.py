"""Fixtures for the statistics tests: the GLOTIP file loaded, files to import, users."""

from __future__ import annotations

import pytest
from stats_helpers import GLOTIP, csv_bytes, glotip_rows, import_csv  # noqa: F401


@pytest.fixture
def glotip(db):
    """Every GLOTIP row imported (drafts, not approved)."""
    from matis.official_statistics.services import observations_import

    with GLOTIP.open("rb") as source:
        return observations_import(actor=None, source=source, fmt="glotip", filename="glotip.csv")


@pytest.fixture
def glotip_approved(glotip):
    """GLOTIP imported, every submission marked approved, and the contextual series.

    A shortcut for the read-side tests; the approval path itself (the demo loader
    and the services) is tested in test_glotip.py and test_workflow.py.
    """
    from matis.official_statistics.loader import load_context_series
    from matis.official_statistics.models import Observation, Submission

    Submission.objects.update(status=Submission.Status.APPROVED)
    Observation.objects.update(approved=True)
    load_context_series()
    return glotip
