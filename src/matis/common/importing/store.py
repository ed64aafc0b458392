"""Storing a checked file: one transaction, all or nothing, retried if a concurrent import collided."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, OperationalError, connection, transaction

from matis.common.importing.problems import Problems
from matis.common.importing.result import ImportResult

logger = logging.getLogger(__name__)
T = TypeVar("T")


def store_atomically(
    write: Callable[[Problems], ImportResult], *, attempts: int = 1, dry_run: bool = False
) -> ImportResult:
    """Run ``write`` in one transaction; if it reported a problem, undo everything and refuse.

    ``write`` adds what it finds while writing (a refused change, a row a
    database check rejects) to the :class:`Problems` it is given; any problem
    rolls the whole transaction back and raises :class:`ImportRejected`, so
    nothing is partly written. ``dry_run`` always rolls back. With
    ``attempts`` > 1, a collision with a concurrent writer (a unique
    constraint, a lock, a serialisation failure) retries the whole write, which
    then sees the other import's rows.
    """
    for attempt in range(1, attempts + 1):
        try:
            with transaction.atomic():
                problems = Problems()
                result = write(problems)
                problems.raise_if_any()
                if dry_run:
                    transaction.set_rollback(True)
            result.attempts = attempt
            result.dry_run = dry_run
            return result
        except (IntegrityError, OperationalError) as exc:
            if attempt == attempts or not _retryable(exc) or connection.in_atomic_block:
                raise
            logger.info("import collided with another write (%s); retrying", exc)
            time.sleep(min(1.0, 0.02 * 2 ** min(attempt, 6)) * (0.5 + random.random()))  # noqa: S311
    raise AssertionError("unreachable")


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, IntegrityError):
        return True
    text = str(exc).lower()
    return any(s in text for s in ("locked", "deadlock", "could not serialize", "busy"))


def run_import(
    *,
    parse: Callable[[Problems], T],
    store: Callable[[T, Problems], ImportResult],
    attempts: int = 1,
    dry_run: bool = False,
) -> ImportResult:
    """The one import pipeline: parse and check everything, refuse with every problem, store.

    ``parse`` reads the file into whatever the format needs, adding every
    problem it finds (it may also raise :class:`ImportRejected` for a file it
    cannot read at all). Any problem refuses the file before the database is
    touched. ``store`` then writes in one transaction (:func:`store_atomically`).
    """
    problems = Problems()
    parsed = parse(problems)
    problems.raise_if_any()
    return store_atomically(lambda found: store(parsed, found), attempts=attempts, dry_run=dry_run)
