"""Disclosure control for publishing an analysis's tables (tipstats.disclosure does the work).

Counts below the threshold (``MATIS_DISCLOSURE["min_cell"]`` in settings: 11,
as the CTDC uses for k-anonymity) are suppressed, and so are enough other
numbers that nothing published gives them away: every table of counts goes
through :func:`tipstats.disclosure.suppress_small_cells`, which treats the
published totals as cells too (a total under the threshold is hidden) and
checks by linear programming that every hidden number can only be narrowed
to a range at least ``MATIS_DISCLOSURE["protection"]`` wide. A small count is
labelled ``<11``; a number hidden only to protect a small one is labelled
``x`` (it is not small). Other tables (estimates, odds ratios, coefficients)
are model outputs, not counts of people, and are published as they are.

Where a table must keep its totals and show every cell, the publisher may
choose controlled rounding instead (``method="round"``,
:func:`tipstats.disclosure.round_table`): every count, totals included, is
rounded to one of its two neighbouring multiples of
``MATIS_DISCLOSURE["rounding_base"]`` (5) so that the rounded cells add up
to the rounded totals; no published number is more than the base away from
the truth, and a reader cannot tell a 1 from a 4.

:func:`protect_table` is the one entry point for publishing a table of counts.
"""

from __future__ import annotations

import numbers

import pandas as pd
from django.conf import settings

from tipstats import disclosure

COUNT_COLUMNS = ("count", "n_cases")
SUPPRESSED_LABEL = disclosure.COMPLEMENTARY_LABEL
METHODS = ("suppress", "round")


def min_cell() -> int:
    """The smallest count published as it is (``MATIS_DISCLOSURE["min_cell"]``)."""
    return int(settings.MATIS_DISCLOSURE["min_cell"])


def protection() -> int | None:
    """The least width of a hidden number's feasible range (``MATIS_DISCLOSURE["protection"]``)."""
    value = settings.MATIS_DISCLOSURE.get("protection")
    return None if value is None else int(value)


def rounding_base() -> int:
    """The base of controlled rounding (``MATIS_DISCLOSURE["rounding_base"]``, 5)."""
    return int(settings.MATIS_DISCLOSURE.get("rounding_base", 5))


def _with_total_row(frame: pd.DataFrame, column: str, released: pd.Series) -> pd.DataFrame:
    """``frame`` with ``column`` replaced by the released values and their Total row."""
    out = frame.copy().astype(object).reset_index(drop=True)
    out[column] = released.iloc[:-1].to_numpy()
    total = {c: "" for c in out.columns}
    total[out.columns[0]] = "Total"
    total[column] = released.iloc[-1]
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def _round_count_column(frame: pd.DataFrame, column: str, base: int) -> pd.DataFrame:
    values = pd.to_numeric(frame[column], errors="coerce").fillna(0).astype(int)
    released = disclosure.round_table(
        values.reset_index(drop=True), base=base, method="controlled"
    ).released.iloc[:, 0]
    return _with_total_row(frame, column, released)


def _round_matrix(frame: pd.DataFrame, base: int) -> pd.DataFrame:
    index_col = frame.columns[0]
    counts = frame.set_index(index_col).apply(pd.to_numeric, errors="coerce").fillna(0).astype(int)
    released = disclosure.round_table(counts, base=base, method="controlled").released
    released.index.name = index_col
    return released.reset_index()


def _suppress_count_column(
    frame: pd.DataFrame, column: str, threshold: int, width: int | None
) -> pd.DataFrame:
    values = pd.to_numeric(frame[column], errors="coerce").fillna(0)
    result = disclosure.suppress_small_cells(
        values.reset_index(drop=True), threshold=threshold, protection=width
    )
    return _with_total_row(frame, column, result.labelled(suppressed=SUPPRESSED_LABEL))


def _suppress_matrix(frame: pd.DataFrame, threshold: int, width: int | None) -> pd.DataFrame:
    index_col = frame.columns[0]
    counts = frame.set_index(index_col).apply(pd.to_numeric, errors="coerce").fillna(0).astype(int)
    result = disclosure.suppress_small_cells(counts, threshold=threshold, protection=width)
    released = result.labelled(suppressed=SUPPRESSED_LABEL)
    released.index.name = index_col
    return released.reset_index()


def protect_table(
    table: dict,
    *,
    kind: str,
    threshold: int | None = None,
    protection_width: int | None = None,
    method: str = "suppress",
    base: int | None = None,
) -> dict:
    """The publishable form of one stored result table.

    ``method="suppress"`` (the default): small counts and their complements
    hidden; ``threshold`` defaults to :func:`min_cell`, ``protection_width``
    to :func:`protection` (or tipstats' default, half the threshold).
    ``method="round"``: controlled rounding to ``base`` (default
    :func:`rounding_base`); the table says so in ``rounded_to``.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, not {method!r}")
    if threshold is None:
        threshold = min_cell()
    if isinstance(threshold, bool) or not isinstance(threshold, numbers.Integral) or threshold < 2:
        raise ValueError(f"threshold must be an integer >= 2, not {threshold!r}")
    width = protection_width if protection_width is not None else protection()
    base = rounding_base() if base is None else base
    frame = pd.DataFrame(table["rows"], columns=table["columns"])
    if kind == "flows" and "n_cases" not in frame.columns and len(frame.columns) > 1:
        protected = (
            _round_matrix(frame, base)
            if method == "round"
            else _suppress_matrix(frame, threshold, width)
        )
    else:
        column = next((c for c in COUNT_COLUMNS if c in frame.columns), None)
        if column is None:
            return table
        if "share" in frame.columns:
            frame = frame.drop(columns=["share"])  # shares would reveal suppressed counts
        protected = (
            _round_count_column(frame, column, base)
            if method == "round"
            else _suppress_count_column(frame, column, threshold, width)
        )
    rows = [
        [
            None
            if (isinstance(v, float) and pd.isna(v))
            else (v.item() if hasattr(v, "item") else v)
            for v in row
        ]
        for row in protected.itertuples(index=False, name=None)
    ]
    out = {"name": table["name"], "columns": [str(c) for c in protected.columns], "rows": rows}
    if method == "round":
        out["rounded_to"] = base
    return out
