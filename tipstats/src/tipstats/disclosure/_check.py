"""Checking a release: is every record in an equivalence class of at least ``k``?

:func:`k_anonymise` makes a release; :func:`check_k_anonymity` verifies one,
whoever made it. The sender runs the check on what it is about to send and
the receiver runs the same check on what it received, so a release is
accepted on what it contains, never on the ``k`` it claims.

The classes are formed over *every* released field unless ``columns`` names
fewer: a field left out of the check is a field that can single someone out.
Values are compared as they would be sent (their JSON): ``False`` and
``"False"`` differ, lists compare in order; a missing value is a value of
its own, and in received records so is a field that is absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._kanon import _codes, _hashable, _sizes_from_codes

__all__ = ["KAnonymityCheck", "NotKAnonymous", "check_k_anonymity", "require_k_anonymous"]


@dataclass(frozen=True)
class KAnonymityCheck:
    """The equivalence classes of a release, measured against ``k``.

    ``smallest_class`` is 0 for an empty release (nothing to single out);
    ``n_below_k`` counts records in classes smaller than ``k`` and
    ``n_unique`` records alone in their class.
    """

    k: int
    columns: tuple[str, ...]
    n_records: int
    n_classes: int
    smallest_class: int
    n_below_k: int
    n_unique: int

    @property
    def ok(self) -> bool:
        return self.n_below_k == 0

    def reason(self) -> str:
        return (
            f"{self.n_below_k} of {self.n_records} records are in equivalence classes smaller "
            f"than k = {self.k} (smallest class {self.smallest_class}, {self.n_unique} unique) "
            f"over the released fields {', '.join(self.columns)}"
        )


class NotKAnonymous(ValueError):
    """A release has a class smaller than ``k``; ``check`` says how small and over what."""

    def __init__(self, check: KAnonymityCheck):
        self.check = check
        super().__init__(check.reason())


def _frame(records: pd.DataFrame | Iterable[Mapping], columns: Sequence[str] | None):
    if isinstance(records, pd.DataFrame):
        frame = records
        if columns is None:
            columns = sorted(str(c) for c in frame.columns)
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise KeyError(f"columns not in the data: {missing}")
        return frame, tuple(columns)
    # received records: a field absent from a record is a value of its own ("x": null
    # and no "x" at all read differently), so each cell becomes its key here
    records = list(records)
    if columns is None:
        columns = sorted({str(c) for r in records for c in r})
    frame = pd.DataFrame(
        {c: [_hashable(r[c]) if c in r else "<absent>" for r in records] for c in columns},
        index=range(len(records)),
    )
    return frame, tuple(columns)


def check_k_anonymity(
    records: pd.DataFrame | Iterable[Mapping], *, k: int, columns: Sequence[str] | None = None
) -> KAnonymityCheck:
    """Measure the equivalence classes of ``records`` over ``columns`` (default: every field).

    ``records`` is a data frame or a list of dicts (as received in JSON); in
    a list, a field absent from a record is a value of its own.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer, not {k!r}")
    frame, columns = _frame(records, columns)
    n = len(frame)
    if n == 0 or not columns:
        sizes = np.full(n, n, dtype=np.int64)
        n_classes = int(n > 0)
    else:
        codes = np.stack([_codes(frame[c]) for c in columns], axis=1)
        n_classes = len(np.unique(codes, axis=0))
        sizes = _sizes_from_codes(list(codes.T))
    below = sizes < k
    return KAnonymityCheck(
        k=k,
        columns=columns,
        n_records=n,
        n_classes=n_classes,
        smallest_class=int(sizes.min()) if n else 0,
        n_below_k=int(below.sum()),
        n_unique=int((sizes == 1).sum()),
    )


def require_k_anonymous(
    records: pd.DataFrame | Iterable[Mapping], *, k: int, columns: Sequence[str] | None = None
) -> KAnonymityCheck:
    """:func:`check_k_anonymity`, raising :class:`NotKAnonymous` when a class is below ``k``."""
    check = check_k_anonymity(records, k=k, columns=columns)
    if not check.ok:
        raise NotKAnonymous(check)
    return check
