"""Disclosure control for publishing an analysis's tables (tipstats.disclosure does the work).

Counts below the threshold (``MATIS_DISCLOSURE["min_cell"]`` in settings: 11,
as the CTDC uses for k-anonymity) are suppressed. A two-way table (the corridor matrix) gets small-cell suppression
with complementary cells so that its published totals cannot reveal them; a
list of counts with a published total gets at least two suppressed cells, for
the same reason. Other tables (estimates, odds ratios, coefficients) are
model outputs, not counts of people, and are published as they are.
"""

from __future__ import annotations

import pandas as pd
from django.conf import settings

from tipstats import disclosure

COUNT_COLUMNS = ("count", "n_cases")


def min_cell() -> int:
    """The smallest count published as it is (``MATIS_DISCLOSURE["min_cell"]``)."""
    return int(settings.MATIS_DISCLOSURE["min_cell"])


def _suppressed(threshold: int) -> str:
    return f"<{threshold}"


def _suppress_count_column(frame: pd.DataFrame, column: str, threshold: int) -> pd.DataFrame:
    values = pd.to_numeric(frame[column], errors="coerce").fillna(0)
    small = (values >= 1) & (values < threshold)
    if small.sum() == 1:
        # one hidden cell could be worked out from the total: hide the next smallest too
        candidates = values[~small & (values > 0)]
        if not candidates.empty:
            small.loc[candidates.idxmin()] = True
    out = frame.copy().astype(object)
    out.loc[small, column] = _suppressed(threshold)
    total = {c: "" for c in out.columns}
    total[out.columns[0]] = "Total"
    total[column] = int(values.sum())
    return pd.concat([out, pd.DataFrame([total])], ignore_index=True)


def _suppress_matrix(frame: pd.DataFrame, threshold: int) -> pd.DataFrame:
    index_col = frame.columns[0]
    counts = frame.set_index(index_col).apply(pd.to_numeric, errors="coerce").fillna(0).astype(int)
    result = disclosure.suppress_small_cells(counts, threshold=threshold)
    released = result.released.astype(object).where(result.released.notna(), _suppressed(threshold))
    return released.reset_index().rename(columns={"index": index_col})


def protect_table(table: dict, *, kind: str, threshold: int | None = None) -> dict:
    """The publishable form of one stored result table (``threshold``: default :func:`min_cell`)."""
    threshold = threshold or min_cell()
    frame = pd.DataFrame(table["rows"], columns=table["columns"])
    if kind == "flows" and "n_cases" not in frame.columns and len(frame.columns) > 1:
        protected = _suppress_matrix(frame, threshold)
    else:
        column = next((c for c in COUNT_COLUMNS if c in frame.columns), None)
        if column is None:
            return table
        if "share" in frame.columns:
            frame = frame.drop(columns=["share"])  # shares would reveal suppressed counts
        protected = _suppress_count_column(frame, column, threshold)
    rows = [
        [
            None
            if (isinstance(v, float) and pd.isna(v))
            else (v.item() if hasattr(v, "item") else v)
            for v in row
        ]
        for row in protected.itertuples(index=False, name=None)
    ]
    return {"name": table["name"], "columns": [str(c) for c in protected.columns], "rows": rows}
