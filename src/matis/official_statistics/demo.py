"""Demo data: the statistics structure, every row of the UNODC GLOTIP export for the six
countries (approved), and the contextual series. Real published figures, not synthetic.

Idempotent: a second run finds every row unchanged and every submission approved.
"""

from __future__ import annotations

from django.db import transaction

from matis.official_statistics.loader import data_path, load_context_series, load_structure
from matis.official_statistics.models import Submission
from matis.official_statistics.services import (
    observations_import,
    submission_approve,
    submission_submit,
    violation_comment,
)

GLOTIP_FILE = "glotip_COMMIT6.csv"
GLOTIP_NOTE = "UNODC GLOTIP data portal export (stamped UNODC 14/04/2025), loaded as published."
WARNING_COMMENT = (
    "Published by UNODC (GLOTIP) as shown; MATIS keeps published figures unedited. "
    "Comment written by the demo loader."
)


def load_glotip() -> str:
    with data_path(GLOTIP_FILE).open("rb") as source:
        result = observations_import(actor=None, source=source, fmt="glotip", filename=GLOTIP_FILE)
    return f"GLOTIP {result}"


@transaction.atomic
def approve_published() -> int:
    """Submit and approve the GLOTIP submissions still in draft, commenting each warning."""
    approved = 0
    drafts = Submission.objects.filter(
        status=Submission.Status.DRAFT, observations__source="GLOTIP"
    )
    for submission in drafts.distinct().order_by("country_id", "period"):
        if not submission.note:
            submission.note = GLOTIP_NOTE
            submission.save(update_fields=["note"])
        submission_submit(actor=None, submission=submission)  # runs the rules
        for violation in submission.violations.filter(severity="warning", comment=""):
            violation_comment(actor=None, violation=violation, comment=WARNING_COMMENT)
        submission_approve(actor=None, submission=submission)
        approved += 1
    return approved


def load_demo() -> str:
    parts = [str(load_structure()), load_glotip()]
    parts.append(f"{approve_published()} submissions approved")
    parts.append(str(load_context_series()))
    return "; ".join(parts)
