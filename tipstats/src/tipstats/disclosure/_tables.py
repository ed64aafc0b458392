"""Tables of counts: small-cell suppression with complementary suppression, and rounding."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

__all__ = [
    "ROUNDING_METHODS",
    "RoundedTable",
    "SuppressedTable",
    "audit_suppression",
    "round_table",
    "suppress_small_cells",
]

ROUNDING_METHODS = ("random", "conventional")


@dataclass(frozen=True)
class SuppressedTable:
    """Result of :func:`suppress_small_cells`.

    ``released`` is the table with a ``Total`` row and column, suppressed
    cells as ``NA``. ``primary`` marks cells suppressed for being small,
    ``complementary`` those suppressed so that the small ones cannot be
    worked out from the totals. ``intervals`` gives, for every suppressed
    cell, the smallest and largest value consistent with everything
    released (from :func:`audit_suppression`).
    """

    released: pd.DataFrame
    primary: pd.DataFrame
    complementary: pd.DataFrame
    intervals: pd.DataFrame
    threshold: int

    @property
    def n_primary(self) -> int:
        return int(self.primary.to_numpy().sum())

    @property
    def n_complementary(self) -> int:
        return int(self.complementary.to_numpy().sum())

    def summary(self) -> str:
        narrowest = (self.intervals["upper"] - self.intervals["lower"]).min()
        return "\n".join(
            [
                f"Small-cell suppression (cells 1..{self.threshold - 1} suppressed)",
                "=" * 60,
                f"primary suppressions        {self.n_primary}",
                f"complementary suppressions  {self.n_complementary}",
                "narrowest feasible interval "
                f"{narrowest if len(self.intervals) else float('nan'):.0f}"
                " (0 would reveal a cell)",
            ]
        )


def audit_suppression(table: pd.DataFrame, suppressed: pd.DataFrame) -> pd.DataFrame:
    """Range of values each suppressed cell can take given the released cells and totals.

    Solves two linear programmes per suppressed cell: minimise and maximise
    it subject to the published row, column and grand totals and to every
    cell being non-negative. A width of 0 means the cell can be worked out.
    Returns one row per suppressed cell: ``row``, ``column``, ``value``,
    ``lower``, ``upper``.
    """
    values = table.to_numpy(dtype=float)
    mask = suppressed.to_numpy(dtype=bool)
    cells = np.argwhere(mask)
    rows_out = []
    if len(cells) == 0:
        return pd.DataFrame(columns=["row", "column", "value", "lower", "upper"])
    n_rows, n_cols = values.shape
    a_eq, b_eq = [], []
    for r in range(n_rows):
        if mask[r].any():
            a_eq.append([1.0 if cr == r else 0.0 for cr, _ in cells])
            b_eq.append(values[r, mask[r]].sum())
    for c in range(n_cols):
        if mask[:, c].any():
            a_eq.append([1.0 if cc == c else 0.0 for _, cc in cells])
            b_eq.append(values[mask[:, c], c].sum())
    for idx, (r, c) in enumerate(cells):
        objective = np.zeros(len(cells))
        objective[idx] = 1.0
        bounds = [(0, None)] * len(cells)
        low = linprog(objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        high = linprog(-objective, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        rows_out.append(
            {
                "row": table.index[r],
                "column": table.columns[c],
                "value": values[r, c],
                "lower": round(low.fun, 9),
                "upper": round(-high.fun, 9),
            }
        )
    return pd.DataFrame(rows_out)


def _add_complementary(values: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Suppress more cells until no row or column has exactly one suppressed cell.

    Picks the smallest unsuppressed non-zero cell of the offending line
    (smallest loss of information), preferring one whose other line already
    has a suppression.
    """
    mask = mask.copy()
    changed = True
    while changed:
        changed = False
        for axis in (0, 1):
            lines = mask if axis == 0 else mask.T
            vals = values if axis == 0 else values.T
            for line in range(lines.shape[0]):
                if lines[line].sum() != 1:
                    continue
                candidates = np.nonzero(~lines[line] & (vals[line] > 0))[0]
                if candidates.size == 0:
                    candidates = np.nonzero(~lines[line])[0]
                if candidates.size == 0:
                    continue
                other_has = lines[:, candidates].sum(axis=0) > 0
                order = np.lexsort((vals[line, candidates], ~other_has))
                pick = candidates[order[0]]
                if axis == 0:
                    mask[line, pick] = True
                else:
                    mask[pick, line] = True
                changed = True
    return mask


def suppress_small_cells(
    table: pd.DataFrame, *, threshold: int = 11, suppress_zeros: bool = False
) -> SuppressedTable:
    """Suppress cells under ``threshold``, and enough others that totals cannot reveal them.

    Parameters
    ----------
    table
        Counts, one row and column per category, without totals (they are
        added, from the full counts, and published).
    threshold
        Cells with ``1 <= count < threshold`` are suppressed (primary). 11
        matches k = 11 for records.
    suppress_zeros
        Also suppress zero cells (a zero can disclose that nobody in a group
        has an attribute).

    Complementary cells are chosen until every row and column holds either
    no suppressed cell or at least two, and the audit (linear programmes
    over the published totals) shows every suppressed cell's range is wider
    than zero; a cell is added in the row of any cell that could still be
    worked out.
    """
    if isinstance(threshold, bool) or not isinstance(threshold, int) or threshold < 1:
        raise ValueError(f"threshold must be a positive integer, not {threshold!r}")
    counts = table.astype(float)
    if (counts.to_numpy() < 0).any() or counts.isna().to_numpy().any():
        raise ValueError("table must hold non-negative counts with no missing values")
    values = counts.to_numpy()
    low = 0 if suppress_zeros else 1
    primary = (values >= low) & (values < threshold)
    mask = _add_complementary(values, primary)
    for _ in range(values.size):
        audit = audit_suppression(
            counts, pd.DataFrame(mask, index=table.index, columns=table.columns)
        )
        exposed = audit[(audit["upper"] - audit["lower"]) <= 0]
        if exposed.empty:
            break
        r = table.index.get_loc(exposed.iloc[0]["row"])
        free = np.nonzero(~mask[r])[0]
        if free.size == 0:
            break
        mask[r, free[np.argmin(values[r, free])]] = True
        mask = _add_complementary(values, mask)
    released = counts.astype("Float64").mask(mask)
    released["Total"] = counts.sum(axis=1)
    totals = counts.sum(axis=0)
    released.loc["Total"] = [*totals.tolist(), float(totals.sum())]
    frame = pd.DataFrame(mask, index=table.index, columns=table.columns)
    primary_frame = pd.DataFrame(primary, index=table.index, columns=table.columns)
    return SuppressedTable(
        released=released,
        primary=primary_frame,
        complementary=frame & ~primary_frame,
        intervals=audit_suppression(counts, frame),
        threshold=threshold,
    )


@dataclass(frozen=True)
class RoundedTable:
    """Result of :func:`round_table`: ``released`` with totals, the ``base`` and ``seed`` used."""

    released: pd.DataFrame
    base: int
    method: str
    seed: int | None


def round_table(
    table: pd.DataFrame | pd.Series,
    *,
    base: int = 3,
    method: str = "random",
    seed: int | None = None,
) -> RoundedTable:
    """Round every count to a multiple of ``base``; totals are the sums of the rounded cells.

    ``method="random"`` (unbiased random rounding, as statistics offices use
    with base 3 or 5): a count ``q * base + r`` becomes ``(q + 1) * base``
    with probability ``r / base`` and ``q * base`` otherwise, so rounding adds
    no bias and an intruder cannot tell which way a cell went; multiples of
    ``base`` stay as they are. ``method="conventional"`` rounds to the
    nearest multiple. Totals are summed from the rounded cells, so the
    released table adds up (they need not be multiples of ``base``). Pass a
    ``seed`` to make a release reproducible; keep it secret, or anyone can
    undo the rounding.
    """
    if isinstance(base, bool) or not isinstance(base, int) or base < 2:
        raise ValueError(f"base must be an integer >= 2, not {base!r}")
    if method not in ROUNDING_METHODS:
        raise ValueError(f"method must be one of {ROUNDING_METHODS}, not {method!r}")
    frame = table.to_frame() if isinstance(table, pd.Series) else table
    values = frame.to_numpy(dtype=float)
    if (values < 0).any() or np.isnan(values).any() or (values != np.round(values)).any():
        raise ValueError("table must hold non-negative whole counts")
    q, r = np.divmod(values, base)
    if method == "random":
        up = np.random.default_rng(seed).random(values.shape) < r / base
    else:
        up = r * 2 >= base
    rounded = (q + up) * base
    released = pd.DataFrame(rounded.astype(np.int64), index=frame.index, columns=frame.columns)
    if isinstance(table, pd.DataFrame):
        released["Total"] = released.sum(axis=1)
        released.loc["Total"] = released.sum(axis=0)
    return RoundedTable(released, base, method, seed)
