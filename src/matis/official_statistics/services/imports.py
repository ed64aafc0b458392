"""Importing observation files: check every row first, then write everything in one transaction.

The statistics formats on the common import kit (:mod:`matis.common.importing`):

1. The parser reads and checks every row (:mod:`matis.official_statistics.io.parsers`).
   Any bad row: :class:`ImportRejected` lists each line and reason; nothing
   is written.
2. In one transaction, the submissions (country x year) are locked, the
   existing observations read and compared: new rows are inserted in bulk
   (COPY on PostgreSQL, executemany on SQLite), changed rows updated with a
   revision each, unchanged rows counted and left alone, so re-importing the
   same file changes nothing. Rows that would change an approved or submitted
   submission make the whole import fail, naming the lines.
3. Two imports of overlapping data never interleave: the submission rows are
   locked (PostgreSQL) or the write lock is taken first (SQLite), and a
   collision on a new submission or observation (unique constraints) retries
   the whole write step, which then sees the other import's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.common.importing import (
    CREATED,
    SKIPPED,
    UNCHANGED,
    UPDATED,
    FileFormatError,
    ImportProblem,
    ImportRejected,
    ImportResult,
    Problems,
    count_lines,
    run_import,
    store_atomically,
)
from matis.official_statistics.io.lookup import StructureLookup
from matis.official_statistics.io.parsers import PARSERS, ImportScope, ParseResult
from matis.official_statistics.models import Observation, ObservationRevision, Submission
from matis.official_statistics.models.observations import OBSERVATION_FIELDS, flags_text
from matis.official_statistics.values import display_value

Progress = Callable[[str, int, int], None]
OBS_TABLE = Observation._meta.db_table
INSERT_COLUMNS = (*OBSERVATION_FIELDS, "submission_id", "approved", "updated_at")
EXISTING_COLUMNS = ("id", *OBSERVATION_FIELDS)
CHUNK = 50_000
MAX_ATTEMPTS = 25


OBSERVATIONS = "observations"  # the ImportResult count of observation rows
__all__ = ["ImportRejected", "ImportResult", "observations_import", "parse_file", "store_rows"]


def _noop(phase: str, done: int, total: int) -> None:
    return None


def parse_file(
    *, source: IO[bytes], fmt: str, scope: ImportScope, progress: Progress = _noop
) -> ParseResult:
    """Read and check a whole file; raise :class:`ImportRejected` if any row is bad."""
    if fmt not in PARSERS:
        raise ImportRejected.one(_("unknown format %(fmt)r") % {"fmt": fmt}, row=1, text_line=True)
    lookup = StructureLookup.load()
    total = 0
    if fmt != "xlsx" and source.seekable():
        total = max(count_lines(source) - 1, 0)
    progress("read", 0, total)
    try:
        parsed = PARSERS[fmt](source, lookup, scope, progress, total)
    except FileFormatError as exc:
        raise ImportRejected.one(str(exc), row=1, text_line=True) from None
    parsed.problems.raise_if_any()
    progress("read", parsed.n_lines, parsed.n_lines)
    return parsed


def observations_import(
    *,
    actor,
    source: IO[bytes],
    fmt: str,
    country: str | None = None,
    skip_other_countries: bool = False,
    dry_run: bool = False,
    progress: Progress | None = None,
    filename: str = "",
) -> ImportResult:
    """Import one file of observations, all or nothing; see the module docstring.

    Parameters
    ----------
    actor
        The user importing, or None for the system (command line, demo loader).
        A user imports for their own country only.
    country
        Accept rows of this country only; other rows are errors, or skipped
        (and counted) with ``skip_other_countries``.
    dry_run
        Check the file and compare it with the database; write nothing.
    """
    progress = progress or _noop
    if actor is not None:
        country = country or actor.country_id
        if not has_perm(actor, "statistics.edit_submission", country):
            raise PermissionDenied(
                _("Only the country's statistics officers import its statistics.")
            )
    scope = ImportScope(country, skip_other_countries)

    def store(parsed: ParseResult, problems: Problems) -> ImportResult:
        result = _store(
            parsed.rows,
            problems,
            actor=actor,
            dry_run=dry_run,
            progress=progress,
            filename=filename,
            fmt=fmt,
            country=country,
        )
        if parsed.n_skipped_other_country:
            result.add(OBSERVATIONS, SKIPPED, parsed.n_skipped_other_country)
            result.notes.append(
                _("%(n)s rows of other countries skipped") % {"n": parsed.n_skipped_other_country}
            )
        return result

    return run_import(
        parse=lambda _problems: parse_file(source=source, fmt=fmt, scope=scope, progress=progress),
        store=store,
        attempts=MAX_ATTEMPTS,
        dry_run=dry_run,
    )


def store_rows(
    rows: list[tuple],
    *,
    actor=None,
    dry_run: bool = False,
    progress: Progress = _noop,
    filename: str = "",
    fmt: str = "",
    country: str | None = None,
) -> ImportResult:
    """Write checked rows (see ``ROW_FIELDS``), retrying when a concurrent import collides."""
    return store_atomically(
        lambda problems: _store(
            rows,
            problems,
            actor=actor,
            dry_run=dry_run,
            progress=progress,
            filename=filename,
            fmt=fmt,
            country=country,
        ),
        attempts=MAX_ATTEMPTS,
        dry_run=dry_run,
    )


def _take_write_lock() -> None:
    """SQLite: start the transaction as a writer so two imports cannot interleave."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute(f"UPDATE {Submission._meta.db_table} SET id = id WHERE 0")  # noqa: S608


def _locked_submissions(pairs: set[tuple[str, int]], *, create: bool) -> tuple[dict, int]:
    """Submissions for (country, year) pairs, row-locked; create the missing ones as drafts."""
    countries = sorted({c for c, _p in pairs})
    periods = sorted({p for _c, p in pairs})
    found = {}
    qs = Submission.objects.filter(country_id__in=countries, period__in=periods).order_by("pk")
    for sub in qs.select_for_update():
        if (sub.country_id, sub.period) in pairs:
            found[(sub.country_id, sub.period)] = sub
    missing = sorted(pairs - found.keys())
    if missing and create:
        made = Submission.objects.bulk_create(
            [Submission(country_id=c, period=p, status=Submission.Status.DRAFT) for c, p in missing]
        )
        for sub in made:
            found[(sub.country_id, sub.period)] = sub
    elif missing:
        for c, p in missing:
            found[(c, p)] = Submission(country_id=c, period=p, status=Submission.Status.DRAFT)
    return found, (len(missing) if create else 0)


def _existing_observations(submission_ids: list[int]) -> dict[tuple, tuple]:
    existing: dict[tuple, tuple] = {}
    if not submission_ids:
        return existing
    columns = ", ".join(EXISTING_COLUMNS)
    with connection.cursor() as cursor:
        for start in range(0, len(submission_ids), 500):
            ids = submission_ids[start : start + 500]
            marks = ", ".join(["%s"] * len(ids))
            cursor.execute(
                f"SELECT {columns} FROM {OBS_TABLE} WHERE submission_id IN ({marks})",  # noqa: S608
                ids,
            )
            while batch := cursor.fetchmany(CHUNK):
                for r in batch:
                    existing[(r[1], r[2], r[3], r[4])] = r
    return existing


def _store(rows, problems: Problems, *, actor, dry_run, progress, filename, fmt, country):
    """Compare and write, inside the kit's transaction; refused rows go to ``problems``."""
    result = ImportResult(n_rows=len(rows), dry_run=dry_run)
    _take_write_lock()
    pairs = {(r[2], r[3]) for r in rows}
    submissions, n_submissions_created = _locked_submissions(pairs, create=not dry_run)
    existing = _existing_observations([s.pk for s in submissions.values() if s.pk])
    progress("compare", 0, len(rows))
    now = timezone.now()
    db_now = (
        now if connection.vendor == "postgresql" else connection.ops.adapt_datetimefield_value(now)
    )
    new, changed, refused = [], [], []
    n_unchanged = 0
    for row in rows:
        line, ind, c, p, key, value, cens, missing, est, prov, src = row
        sub = submissions[(c, p)]
        current = existing.get((ind, c, p, key))
        if current is None:
            if sub.status != Submission.Status.DRAFT:
                refused.append((line, sub, None, row))
                continue
            new.append(
                (
                    ind,
                    c,
                    p,
                    key,
                    value,
                    cens,
                    missing,
                    est,
                    prov,
                    src or "",
                    sub.pk,
                    False,
                    db_now,
                )
            )
        elif (
            current[5] == value
            and current[6] == cens
            and current[7] == missing
            and current[8] == est
            and current[9] == prov
            and (src is None or current[10] == src)
        ):
            n_unchanged += 1
        elif sub.status != Submission.Status.DRAFT:
            refused.append((line, sub, current, row))
        else:
            changed.append((current, row))
    for refusal in refused:
        problems.append(_refusal(*refusal))
    if problems:
        return result  # the kit refuses the file and rolls back
    result.add(OBSERVATIONS, CREATED, len(new))
    result.add(OBSERVATIONS, UPDATED, len(changed))
    result.add(OBSERVATIONS, UNCHANGED, n_unchanged)
    if dry_run:
        return result
    progress("store", 0, len(new))
    if new:
        bulk_insert_observations(new, progress=lambda done: progress("store", done, len(new)))
    if changed:
        _apply_changes(changed, actor=actor, now=now, db_now=db_now, filename=filename)
        touched = {submissions[(r[2], r[3])].pk for _cur, r in changed}
        Submission.objects.filter(pk__in=touched).update(validated_at=None)
    if new or changed:
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            country_id=country,
            object_type="statistics.observation",
            object_id="",
            format=fmt,
            filename=filename[:200],
            created=len(new),
            updated=len(changed),
            unchanged=n_unchanged,
            submissions_created=n_submissions_created,
        )
    progress("store", len(new), len(new))
    return result


def _refusal(line: int, sub: Submission, current, row) -> ImportProblem:
    status = sub.get_status_display()
    if current is None:
        message = _("%(country)s %(year)s is %(status)s: a new value cannot be added") % {
            "country": sub.country_id,
            "year": sub.period,
            "status": status,
        }
    else:
        message = _(
            "%(country)s %(year)s is %(status)s: the value would change from %(old)s to %(new)s"
        ) % {
            "country": sub.country_id,
            "year": sub.period,
            "status": status,
            "old": display_value(current[5], current[6], current[7]),
            "new": display_value(row[5], row[6], row[7]),
        }
    return ImportProblem(message, row=line, text_line=True)


def bulk_insert_observations(
    rows: list[tuple], progress: Callable[[int], None] | None = None
) -> None:
    """Insert rows shaped like ``INSERT_COLUMNS`` as fast as the database allows."""
    columns = ", ".join(INSERT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {OBS_TABLE} ({columns}) FROM STDIN") as copy:
                for i, row in enumerate(rows, start=1):
                    copy.write_row(row)
                    if progress and i % CHUNK == 0:
                        progress(i)
            return
        marks = ", ".join(["%s"] * len(INSERT_COLUMNS))
        sql = f"INSERT INTO {OBS_TABLE} ({columns}) VALUES ({marks})"  # noqa: S608
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])
            if progress:
                progress(min(start + CHUNK, len(rows)))


def _apply_changes(changed: Iterable[tuple], *, actor, now, db_now, filename: str) -> None:
    updates, revisions = [], []
    reason = (_("import of %(file)s") % {"file": filename} if filename else _("import"))[:300]
    actor_id = actor.pk if actor is not None and actor.is_authenticated else None
    for current, row in changed:
        _line, _ind, _c, _p, _key, value, cens, missing, est, prov, src = row
        src = current[10] if src is None else src
        updates.append((value, cens, missing, est, prov, src, db_now, current[0]))
        revisions.append(
            ObservationRevision(
                observation_id=current[0],
                changed_at=now,
                changed_by_id=actor_id,
                old_value=current[5],
                old_censored_below=current[6],
                old_flags=flags_text(bool(current[8]), bool(current[9]), bool(current[7])),
                old_source=current[10] or "",
                new_value=value,
                new_censored_below=cens,
                new_flags=flags_text(est, prov, missing),
                reason=reason,
            )
        )
    sql = (
        f"UPDATE {OBS_TABLE} SET value = %s, censored_below = %s, is_missing = %s, "  # noqa: S608
        "is_estimated = %s, is_provisional = %s, source = %s, updated_at = %s WHERE id = %s"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(updates), CHUNK):
            cursor.executemany(sql, updates[start : start + CHUNK])
    ObservationRevision.objects.bulk_create(revisions, batch_size=5000)
