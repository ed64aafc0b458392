"""Validation of capture-history tables and their conversion to a full cell array.

A capture-history table has one 0/1 column per list and a count column. Each
row is a pattern of list membership and the number of cases observed with
exactly that pattern. Patterns that are absent count as zero. The all-zero
pattern (on no list) is the dark figure MSE estimates, so it must not appear.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:  # pandas is imported lazily: bootstrap workers never need it
    import pandas as pd

__all__ = ["MAX_LISTS", "CaptureData", "all_patterns", "capture_data_from_table"]

#: Every one of the 2**m - 1 patterns is a row of the design matrix: with 15
#: lists that is 32,767 rows and 121 columns; much beyond, memory runs out.
MAX_LISTS = 15


def all_patterns(n_lists: int) -> np.ndarray:
    """Every non-empty capture pattern for ``n_lists`` lists.

    Rows are ordered by the number of lists a case is on, then with earlier
    lists first (for three lists: 100, 010, 001, 110, 101, 011, 111). The
    result is an ``(2**n_lists - 1, n_lists)`` integer array of 0/1.
    """
    rows: list[tuple[int, ...]] = []
    for k in range(1, n_lists + 1):
        for on in itertools.combinations(range(n_lists), k):
            row = [0] * n_lists
            for j in on:
                row[j] = 1
            rows.append(tuple(row))
    return np.array(rows, dtype=np.int8)


def _pattern_codes(patterns: np.ndarray) -> np.ndarray:
    weights = 1 << np.arange(patterns.shape[1], dtype=np.int64)
    return patterns.astype(np.int64) @ weights


@dataclass(frozen=True, eq=False)
class CaptureData:
    """Validated capture data laid out over every possible non-empty pattern.

    ``patterns`` holds all ``2**m - 1`` observable patterns (see
    :func:`all_patterns`) and ``counts`` the number of cases with each,
    zero where a pattern was not observed.
    """

    lists: tuple[str, ...]
    patterns: np.ndarray
    counts: np.ndarray

    @property
    def n_lists(self) -> int:
        return len(self.lists)

    @property
    def n_observed(self) -> int:
        return int(self.counts.sum())

    def with_counts(self, counts: np.ndarray) -> CaptureData:
        """The same lists and patterns with different counts (for resampling)."""
        return CaptureData(self.lists, self.patterns, np.asarray(counts, dtype=float))


def _show(value: object) -> str:
    """repr of a cell value without numpy's type wrapper (``-5``, not ``np.int64(-5)``)."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _row_label(index: pd.Index, position: int) -> str:
    return f"the row with index label {_show(index[position])} (position {position})"


def capture_data_from_table(table: pd.DataFrame, count: str = "count") -> CaptureData:
    """Validate ``table`` and return it as :class:`CaptureData`.

    Raises ``TypeError`` if ``table`` is not a DataFrame and ``ValueError``,
    naming the offending column and row, for: a missing count column, fewer
    than two list columns, list values other than 0/1, missing values,
    negative or non-integer counts, a row on no list, a list no case is on,
    or a table with no cases at all. Rows with the same pattern are summed.
    """
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame, not {type(table).__name__}")
    if count not in table.columns:
        raise ValueError(
            f"count column {count!r} not found; columns are {[str(c) for c in table.columns]}"
        )
    if table.columns.duplicated().any():
        dup = [str(c) for c in table.columns[table.columns.duplicated()]]
        raise ValueError(f"duplicate column names: {dup}")
    list_columns = [c for c in table.columns if c != count]
    if len(list_columns) < 2:
        raise ValueError(
            "multiple systems estimation needs at least 2 list columns besides "
            f"{count!r}; got {len(list_columns)}: {[str(c) for c in list_columns]}"
        )
    if len(list_columns) > MAX_LISTS:
        raise ValueError(f"at most {MAX_LISTS} lists are supported; got {len(list_columns)}")
    if len(table) == 0:
        raise ValueError("table has no rows")

    index = table.index
    pattern_cols = []
    for col in list_columns:
        values = pd.to_numeric(table[col], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        raw = table[col].to_numpy()
        bad = np.flatnonzero(~np.isin(values, (0.0, 1.0)))
        if bad.size:
            pos = int(bad[0])
            raise ValueError(
                f"list column {col!r} must contain only 0 and 1; found {_show(raw[pos])} at "
                f"{_row_label(index, pos)}"
            )
        pattern_cols.append(values.astype(np.int8))
    patterns_in = np.column_stack(pattern_cols)

    raw_counts = table[count].to_numpy()
    counts_in = pd.to_numeric(table[count], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    for pos in range(len(counts_in)):
        c = counts_in[pos]
        if not np.isfinite(c):
            raise ValueError(
                f"count column {count!r} must hold finite numbers; found {_show(raw_counts[pos])} at "
                f"{_row_label(index, pos)}"
            )
        if c < 0:
            raise ValueError(
                f"count column {count!r} has a negative count ({_show(raw_counts[pos])}) at "
                f"{_row_label(index, pos)}"
            )
        if c != np.floor(c):
            raise ValueError(
                f"count column {count!r} must hold whole numbers; found {_show(raw_counts[pos])} at "
                f"{_row_label(index, pos)}"
            )

    empty_rows = np.flatnonzero(patterns_in.sum(axis=1) == 0)
    if empty_rows.size:
        pos = int(empty_rows[0])
        raise ValueError(
            f"T{_row_label(index, pos)[1:]} is 0 on every list; the all-zero pattern is the "
            "unobserved (dark) figure that MSE estimates and must not be supplied"
        )

    lists = tuple(str(c) for c in list_columns)
    if len(set(lists)) != len(lists):
        raise ValueError(f"list names must be distinct as strings; got {list(lists)}")
    patterns = all_patterns(len(lists))
    code_to_row = {int(code): i for i, code in enumerate(_pattern_codes(patterns))}
    counts = np.zeros(len(patterns), dtype=float)
    for code, c in zip(_pattern_codes(patterns_in), counts_in, strict=True):
        counts[code_to_row[int(code)]] += c

    total = counts.sum()
    if total <= 0:
        raise ValueError(f"count column {count!r} sums to zero: there are no observed cases")
    on_list = patterns.T.astype(float) @ counts
    for name, n_on in zip(lists, on_list, strict=True):
        if n_on == 0:
            raise ValueError(
                f"list column {name!r} has no observed cases; drop it before estimating"
            )
    return CaptureData(lists=lists, patterns=patterns, counts=counts)
