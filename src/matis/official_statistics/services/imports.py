"""Importing observation files: check every row first, then write everything in one transaction.

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

import logging
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import IO

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.official_statistics.io.lookup import StructureLookup
from matis.official_statistics.io.parsers import (
    PARSERS,
    FileFormatError,
    ImportScope,
    ParseResult,
    RowError,
    count_lines,
)
from matis.official_statistics.models import Observation, ObservationRevision, Submission
from matis.official_statistics.models.observations import flags_text
from matis.official_statistics.values import display_value

logger = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]
OBS_TABLE = Observation._meta.db_table
INSERT_COLUMNS = (
    "indicator_id",
    "country_id",
    "period",
    "series_key",
    "value",
    "censored_below",
    "is_missing",
    "is_estimated",
    "is_provisional",
    "source",
    "submission_id",
    "approved",
    "updated_at",
)
EXISTING_COLUMNS = (
    "id",
    "indicator_id",
    "country_id",
    "period",
    "series_key",
    "value",
    "censored_below",
    "is_missing",
    "is_estimated",
    "is_provisional",
    "source",
)
CHUNK = 50_000
MAX_ATTEMPTS = 25


class ImportRejected(Exception):
    """The file cannot be imported; ``errors`` name each line and reason. Nothing was written."""

    def __init__(self, errors: list[RowError], n_errors: int | None = None):
        self.errors = errors
        self.n_errors = n_errors if n_errors is not None else len(errors)
        super().__init__(self.summary())

    def summary(self, limit: int = 10) -> str:
        head = _("%(n)s problem(s); nothing was imported.") % {"n": self.n_errors}
        lines = [str(e) for e in self.errors[:limit]]
        more = self.n_errors - len(lines)
        if more > 0:
            lines.append(_("... and %(n)s more") % {"n": more})
        return "\n".join([head, *lines])


@dataclass
class ImportResult:
    n_rows: int = 0
    n_created: int = 0
    n_updated: int = 0
    n_unchanged: int = 0
    n_skipped_other_country: int = 0
    n_submissions_created: int = 0
    dry_run: bool = False
    attempts: int = 1

    def __str__(self) -> str:
        text = _(
            "%(rows)s rows: %(created)s created, %(updated)s updated, %(unchanged)s unchanged"
        ) % {
            "rows": self.n_rows,
            "created": self.n_created,
            "updated": self.n_updated,
            "unchanged": self.n_unchanged,
        }
        if self.n_skipped_other_country:
            text += "; " + _("%(n)s rows of other countries skipped") % {
                "n": self.n_skipped_other_country
            }
        if self.dry_run:
            text += " " + _("(check only: nothing was written)")
        return text


def _noop(phase: str, done: int, total: int) -> None:
    return None


def parse_file(
    *, source: IO[bytes], fmt: str, scope: ImportScope, progress: Progress = _noop
) -> ParseResult:
    """Read and check a whole file; raise :class:`ImportRejected` if any row is bad."""
    if fmt not in PARSERS:
        raise ImportRejected([RowError(1, _("unknown format %(fmt)r") % {"fmt": fmt})])
    lookup = StructureLookup.load()
    total = 0
    if fmt != "xlsx" and source.seekable():
        total = max(count_lines(source) - 1, 0)
    progress("read", 0, total)
    try:
        parsed = PARSERS[fmt](source, lookup, scope, progress, total)
    except FileFormatError as exc:
        raise ImportRejected([RowError(1, str(exc))]) from None
    if parsed.n_errors:
        raise ImportRejected(parsed.errors, parsed.n_errors)
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
    parsed = parse_file(
        source=source, fmt=fmt, scope=ImportScope(country, skip_other_countries), progress=progress
    )
    result = store_rows(
        parsed.rows,
        actor=actor,
        dry_run=dry_run,
        progress=progress,
        filename=filename,
        fmt=fmt,
        country=country,
    )
    result.n_skipped_other_country = parsed.n_skipped_other_country
    return result


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
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            result = _store(
                rows,
                actor=actor,
                dry_run=dry_run,
                progress=progress,
                filename=filename,
                fmt=fmt,
                country=country,
            )
            result.attempts = attempt
            return result
        except (IntegrityError, OperationalError) as exc:
            if attempt == MAX_ATTEMPTS or not _retryable(exc) or connection.in_atomic_block:
                raise
            logger.info("import collided with another write (%s); retrying", exc)
            time.sleep(min(1.0, 0.02 * 2 ** min(attempt, 6)) * (0.5 + random.random()))  # noqa: S311
    raise AssertionError("unreachable")


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    text = str(exc).lower()
    return any(s in text for s in ("locked", "deadlock", "could not serialize", "busy"))


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


def _store(rows, *, actor, dry_run, progress, filename, fmt, country) -> ImportResult:
    result = ImportResult(n_rows=len(rows), dry_run=dry_run)
    with transaction.atomic():
        _take_write_lock()
        pairs = {(r[2], r[3]) for r in rows}
        submissions, result.n_submissions_created = _locked_submissions(pairs, create=not dry_run)
        existing = _existing_observations([s.pk for s in submissions.values() if s.pk])
        progress("compare", 0, len(rows))
        now = timezone.now()
        db_now = (
            now
            if connection.vendor == "postgresql"
            else connection.ops.adapt_datetimefield_value(now)
        )
        new, changed, refused = [], [], []
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
                result.n_unchanged += 1
            elif sub.status != Submission.Status.DRAFT:
                refused.append((line, sub, current, row))
            else:
                changed.append((current, row))
        if refused:
            raise ImportRejected([_refusal(*r) for r in refused[:500]], len(refused))
        result.n_created, result.n_updated = len(new), len(changed)
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
                unchanged=result.n_unchanged,
                submissions_created=result.n_submissions_created,
            )
        progress("store", len(new), len(new))
    return result


def _refusal(line: int, sub: Submission, current, row) -> RowError:
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
    return RowError(line, message)


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
