"""Writes for official statistics; import from here."""

from matis.official_statistics.services.imports import (
    ImportRejected,
    ImportResult,
    observations_import,
    store_rows,
)
from matis.official_statistics.services.submissions import (
    SubmissionBlocked,
    ValidationSummary,
    observation_update,
    submission_approve,
    submission_reopen,
    submission_return,
    submission_submit,
    submission_validate,
    violation_comment,
)

__all__ = [
    "ImportRejected",
    "ImportResult",
    "SubmissionBlocked",
    "ValidationSummary",
    "observation_update",
    "observations_import",
    "store_rows",
    "submission_approve",
    "submission_reopen",
    "submission_return",
    "submission_submit",
    "submission_validate",
    "violation_comment",
]
