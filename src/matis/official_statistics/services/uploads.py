"""A submission posted in one go (the machine API): import one year's file, then submit it.

The same path as an uploaded file (:func:`observations_import`: every row
checked, all or nothing, the country's statistics officers only), followed by
:func:`submission_submit`: the submission waits for a second person's
approval. Nothing here approves.
"""

from __future__ import annotations

from typing import IO

from django.db import transaction
from django.utils.translation import gettext as _

from matis.common.importing import ImportProblem, ImportRejected
from matis.official_statistics.io.parsers import ImportScope
from matis.official_statistics.models import Submission
from matis.official_statistics.services.imports import observations_import, parse_file
from matis.official_statistics.services.submissions import submission_submit

PERIOD = 3  # index of ``period`` in a parsed row (see ``ROW_FIELDS``)


def _check_one_year(source: IO[bytes], fmt: str, country: str, year: int) -> None:
    parsed = parse_file(source=source, fmt=fmt, scope=ImportScope(country, False))
    wrong = [
        ImportProblem(
            _("the year is %(found)s; this submission is for %(year)s")
            % {"found": row[PERIOD], "year": year},
            row=row[0],
            column="period",
            text_line=fmt != "xlsx",
        )
        for row in parsed.rows
        if row[PERIOD] != year
    ]
    if wrong:
        raise ImportRejected(wrong[:50], n_errors=len(wrong))
    if not parsed.rows:
        raise ImportRejected.one(_("the file holds no observations"), text_line=fmt != "xlsx")


@transaction.atomic
def submission_post(
    *, actor, source: IO[bytes], fmt: str, year: int, filename: str = ""
) -> Submission:
    """Import a file of the actor's country for ``year`` and submit that submission for approval.

    Raises :class:`ImportRejected` (rows of another year or country, invalid
    rows, a submission already submitted or approved), ``PermissionDenied``
    (not a statistics officer of the country), or ``ValueError`` from the
    submission's allowed transitions. Nothing is written unless all succeeds.
    """
    country = actor.country_id
    _check_one_year(source, fmt, country, year)
    source.seek(0)
    observations_import(actor=actor, source=source, fmt=fmt, country=country, filename=filename)
    submission = Submission.objects.get(country_id=country, period=year)
    submission_submit(actor=actor, submission=submission)
    submission.refresh_from_db()
    return submission
