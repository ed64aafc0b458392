"""Tables of counts: small-cell suppression safe with published margins, rounding, perturbation.

A table is released with its margins (row totals, column totals, grand total;
for a list of counts, its total). Suppression treats every released number,
margins included, as a cell of one additive structure: each row, each column
and the margins add up. A number is *primary*-suppressed when it is small
(``low <= n < threshold``), margins too; more numbers are *complementary*-
suppressed until, for every suppressed number, the smallest and largest value
consistent with everything published (a linear programme each way, over the
additive equations, with what the labels give away: a primary cell is known
to lie in ``[low, threshold - 1]``, a complementary one in
``[threshold, inf)``) are at least ``protection`` apart.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import linprog

__all__ = [
    "COMPLEMENTARY_LABEL",
    "ROUNDING_METHODS",
    "RoundedTable",
    "SuppressedTable",
    "audit_suppression",
    "protect_counts",
    "round_table",
    "suppress_small_cells",
]

ROUNDING_METHODS = ("random", "conventional")
COMPLEMENTARY_LABEL = "x"
TOTAL = "Total"
_PUBLISHED, _PRIMARY, _COMPLEMENTARY = "published", "primary", "complementary"


def _positive_int(value, name: str, *, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, not {value!r}")
    return int(value)


def _counts(table: pd.DataFrame | pd.Series, name: str = "table") -> np.ndarray:
    try:
        values = np.asarray(table.to_numpy(), dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must hold numbers: {exc}") from None
    if np.isnan(values).any() or not np.isfinite(values).all():
        raise ValueError(f"{name} must hold finite counts with no missing values")
    if (values < 0).any():
        raise ValueError(f"{name} must hold non-negative counts")
    if (values != np.round(values)).any():
        raise ValueError(f"{name} must hold whole counts")
    if values.size and values.max() > 2**53:
        raise ValueError(f"{name} holds a count above 2**53, too large to add up exactly")
    return values


@dataclass(frozen=True)
class _Structure:
    """The released numbers (cells and margins) as one vector, and the equations tying them."""

    values: np.ndarray  # every released number, flat
    equations: np.ndarray  # n_equations x n_numbers, each row: members - total = 0
    is_margin: np.ndarray
    is_grand_total: np.ndarray
    shape: tuple[int, ...]  # of the extended table (with the total row/column)


def _structure(values: np.ndarray) -> _Structure:
    if values.ndim == 1:  # a list of counts and its total
        full = np.append(values, values.sum())
        eq = np.ones((1, full.size))
        eq[0, -1] = -1.0
        margin = np.zeros(full.size, dtype=bool)
        margin[-1] = True
        return _Structure(full, eq, margin, margin.copy(), full.shape)
    n, m = values.shape
    ext = np.zeros((n + 1, m + 1))
    ext[:n, :m] = values
    ext[:n, m] = values.sum(axis=1)
    ext[n, :m] = values.sum(axis=0)
    ext[n, m] = values.sum()
    idx = np.arange(ext.size).reshape(ext.shape)
    rows = []
    for r in range(n + 1):
        eq = np.zeros(ext.size)
        eq[idx[r, :m]] = 1.0
        eq[idx[r, m]] = -1.0
        rows.append(eq)
    for c in range(m + 1):
        eq = np.zeros(ext.size)
        eq[idx[:n, c]] = 1.0
        eq[idx[n, c]] = -1.0
        rows.append(eq)
    margin = np.zeros(ext.shape, dtype=bool)
    margin[n, :] = True
    margin[:, m] = True
    grand = np.zeros(ext.shape, dtype=bool)
    grand[n, m] = True
    return _Structure(ext.ravel(), np.array(rows), margin.ravel(), grand.ravel(), ext.shape)


def _bounds(status: np.ndarray, values: np.ndarray, threshold: int | None, low: int):
    """What an intruder knows of each suppressed number from its label."""
    out = []
    for k in np.nonzero(status != _PUBLISHED)[0]:
        if threshold is None:
            out.append((0.0, None))
        elif status[k] == _PRIMARY:
            out.append((float(low), float(threshold - 1)))
        else:
            out.append((float(threshold), None))
    return out


def _intervals(
    s: _Structure, status: np.ndarray, threshold: int | None, low: int, only=None
) -> dict[int, tuple[float, float]]:
    """Smallest and largest value of each suppressed number given everything published."""
    hidden = np.nonzero(status != _PUBLISHED)[0]
    if hidden.size == 0:
        return {}
    shown = status == _PUBLISHED
    a_eq = s.equations[:, hidden]
    b_eq = -s.equations[:, shown] @ s.values[shown]
    keep = np.abs(a_eq).sum(axis=1) > 0
    a_eq, b_eq = a_eq[keep], b_eq[keep]
    bounds = _bounds(status, s.values, threshold, low)
    out = {}
    for j, k in enumerate(hidden):
        if only is not None and k != only:
            continue
        objective = np.zeros(hidden.size)
        objective[j] = 1.0
        kwargs = {"bounds": bounds, "method": "highs"}
        if len(a_eq):
            kwargs.update(A_eq=a_eq, b_eq=b_eq)
        lo = linprog(objective, **kwargs)
        hi = linprog(-objective, **kwargs)
        if lo.status != 0 or hi.status not in (0, 3):
            raise RuntimeError(f"disclosure audit: linear programme failed ({lo.message})")
        upper = np.inf if hi.status == 3 else round(-hi.fun, 9)
        out[int(k)] = (round(lo.fun, 9), upper)
    return out


def _protected(s, status, threshold, low, protection, near=None) -> bool:
    hidden = np.nonzero(status != _PUBLISHED)[0]
    if near is not None:  # numbers sharing a line with `near` first: the likeliest to fail
        lines = s.equations[s.equations[:, near] != 0]
        shares = (lines[:, hidden] != 0).any(axis=0)
        hidden = np.r_[hidden[shares], hidden[~shares]]
    for k in hidden:
        ((lo, hi),) = _intervals(s, status, threshold, low, only=k).values()
        if hi - lo < protection:
            return False
    return True


def _prune(s, status, threshold, low, protection) -> np.ndarray:
    """Publish again every complementary number not needed: the grand total and margins first,
    then the largest cells."""
    comp = np.nonzero(status == _COMPLEMENTARY)[0]
    order = comp[np.lexsort((-s.values[comp], ~s.is_margin[comp], ~s.is_grand_total[comp]))]
    for k in order:
        trial = status.copy()
        trial[k] = _PUBLISHED
        if _protected(s, trial, threshold, low, protection, near=k):
            status = trial
    return status


def _choose_suppression(
    s: _Structure, primary: np.ndarray, threshold: int, low: int, protection: int
) -> np.ndarray:
    status = np.where(primary, _PRIMARY, _PUBLISHED).astype(object)
    # a candidate for complementary suppression: published and not small (so its label,
    # "suppressed", tells an intruder only that it is >= threshold); never a zero
    eligible = (~primary) & (s.values >= threshold)

    def order(cands: np.ndarray) -> np.ndarray:
        # interior cells before margins, the grand total last, then the smallest
        return cands[np.lexsort((s.values[cands], s.is_margin[cands], s.is_grand_total[cands]))]

    # 1. no equation with exactly one hidden number
    changed = True
    while changed:
        changed = False
        for eq in s.equations:
            members = np.nonzero(eq)[0]
            hidden = status[members] != _PUBLISHED
            if hidden.sum() != 1:
                continue
            cands = members[(status[members] == _PUBLISHED) & eligible[members]]
            if cands.size == 0:
                continue
            # prefer a number whose other equation already hides something (closes a rectangle)
            others = [
                any(
                    (status[np.nonzero(e)[0]] != _PUBLISHED).any()
                    for e in s.equations
                    if e[c] != 0 and not np.array_equal(e, eq)
                )
                for c in cands
            ]
            ranked = order(cands)
            pick = next((c for c in ranked if others[list(cands).index(c)]), ranked[0])
            status[pick] = _COMPLEMENTARY
            changed = True
    # 2. until every hidden number's feasible range is at least `protection` wide
    for _ in range(s.values.size + 1):
        ranges = _intervals(s, status, threshold, low)
        exposed = [k for k, (lo, hi) in ranges.items() if hi - lo < protection]
        if not exposed:
            return _prune(s, status, threshold, low, protection)
        target = exposed[0]
        related = np.nonzero((s.equations[s.equations[:, target] != 0] != 0).any(axis=0))[0]
        near = related[(status[related] == _PUBLISHED) & eligible[related]]
        far = np.nonzero((status == _PUBLISHED) & eligible)[0]
        cands = order(near) if near.size else order(far)
        if cands.size == 0:
            raise ValueError(
                f"cannot protect this table: {target} stays within {protection} "
                "with every other number suppressed"
            )
        # the candidate that most widens the narrow ranges (each counted up to `protection`)
        best, best_score = cands[0], -1.0
        for c in cands:
            trial = status.copy()
            trial[c] = _COMPLEMENTARY
            widths = [
                hi - lo
                for k in exposed
                for lo, hi in _intervals(s, trial, threshold, low, only=k).values()
            ]
            score = float(np.minimum(widths, protection).sum()) - protection * len(widths)
            if score > best_score + 1e-9:
                best, best_score = c, score
        status[best] = _COMPLEMENTARY
    raise RuntimeError("disclosure: complementary suppression did not converge")


@dataclass(frozen=True)
class SuppressedTable:
    """Result of :func:`suppress_small_cells`.

    ``released`` is the table with its margins (a ``Total`` row and column;
    for a list of counts, a ``Total`` entry), suppressed numbers as ``NA``.
    ``status`` says for each number whether it is ``"published"``,
    ``"primary"`` (small: labelled ``<threshold``) or ``"complementary"``
    (hidden so that the small ones cannot be worked out: labelled
    ``"x"``, *not* ``<threshold``, because it is not small). ``labelled()``
    is the table to publish. ``intervals`` gives, for every suppressed
    number, the smallest and largest value consistent with everything
    published including the labels; each is at least ``protection`` wide.
    """

    released: pd.DataFrame | pd.Series
    status: pd.DataFrame | pd.Series
    intervals: pd.DataFrame
    threshold: int
    protection: int

    @property
    def primary(self) -> pd.DataFrame | pd.Series:
        return self.status == _PRIMARY

    @property
    def complementary(self) -> pd.DataFrame | pd.Series:
        return self.status == _COMPLEMENTARY

    @property
    def n_primary(self) -> int:
        return int(np.asarray(self.primary).sum())

    @property
    def n_complementary(self) -> int:
        return int(np.asarray(self.complementary).sum())

    def labelled(
        self, *, small: str | None = None, suppressed: str = COMPLEMENTARY_LABEL
    ) -> pd.DataFrame | pd.Series:
        """The table to publish: counts as integers, ``<threshold`` and ``"x"`` for hidden ones."""
        small = small if small is not None else f"<{self.threshold}"
        values = self.released.to_numpy(dtype=float, na_value=np.nan)
        status = self.status.to_numpy()
        out = np.empty(values.shape, dtype=object)
        for k in np.ndindex(values.shape):
            if status[k] == _PRIMARY:
                out[k] = small
            elif status[k] == _COMPLEMENTARY:
                out[k] = suppressed
            else:
                out[k] = int(values[k])
        if isinstance(self.released, pd.Series):
            return pd.Series(out, index=self.released.index, name=self.released.name)
        return pd.DataFrame(out, index=self.released.index, columns=self.released.columns)

    def summary(self) -> str:
        widths = self.intervals["upper"] - self.intervals["lower"]
        return "\n".join(
            [
                f"Small-cell suppression (numbers 1..{self.threshold - 1} suppressed, margins too)",
                "=" * 60,
                f"primary suppressions        {self.n_primary}",
                f"complementary suppressions  {self.n_complementary}",
                f"narrowest feasible interval {widths.min() if len(widths) else float('nan'):.0f}"
                f" (required: {self.protection})",
            ]
        )


def _labels(table: pd.DataFrame | pd.Series):
    if isinstance(table, pd.Series):
        return [*table.index, TOTAL], None
    return [*table.index, TOTAL], [*table.columns, TOTAL]


def _frame_of(flat: np.ndarray, table, s: _Structure):
    index, columns = _labels(table)
    if columns is None:
        return pd.Series(flat, index=index, name=table.name)
    return pd.DataFrame(flat.reshape(s.shape), index=index, columns=columns)


def _interval_frame(s, status, ranges, table) -> pd.DataFrame:
    index, columns = _labels(table)
    rows = []
    for k, (lo, hi) in sorted(ranges.items()):
        r, c = (k, None) if columns is None else np.unravel_index(k, s.shape)
        rows.append(
            {
                "row": index[r],
                "column": None if columns is None else columns[c],
                "value": s.values[k],
                "status": status[k],
                "lower": lo,
                "upper": hi,
            }
        )
    return pd.DataFrame(rows, columns=["row", "column", "value", "status", "lower", "upper"])


def audit_suppression(
    table: pd.DataFrame | pd.Series,
    suppressed: pd.DataFrame | pd.Series,
    *,
    threshold: int | None = None,
    suppress_zeros: bool = False,
) -> pd.DataFrame:
    """Range of values each suppressed number can take given everything published.

    ``suppressed`` marks hidden cells of ``table``; it may include the
    ``Total`` row/column (or entry), otherwise the margins count as
    published. Two linear programmes per hidden number (minimise, maximise)
    over the additive equations of the table and its margins, with every
    number non-negative; given ``threshold``, hidden numbers below it are
    known to lie in ``[1, threshold - 1]`` (``[0, ...]`` with
    ``suppress_zeros``) and the others to be at least ``threshold``, which
    is what the labels of :meth:`SuppressedTable.labelled` give away. A
    width of 0 means the number can be worked out. One row per hidden
    number: ``row``, ``column``, ``value``, ``status``, ``lower``, ``upper``.
    """
    values = _counts(table)
    s = _structure(values)
    full = _frame_of(np.zeros(s.values.size, dtype=bool), table, s)
    mask = suppressed.reindex_like(full).fillna(False).astype(bool).to_numpy().ravel()
    if threshold is None:
        status = np.where(mask, _COMPLEMENTARY, _PUBLISHED).astype(object)
        low = 0
    else:
        threshold = _positive_int(threshold, "threshold")
        low = 0 if suppress_zeros else 1
        small = (s.values >= low) & (s.values < threshold)
        status = np.where(mask & small, _PRIMARY, np.where(mask, _COMPLEMENTARY, _PUBLISHED))
        status = status.astype(object)
    ranges = _intervals(s, status, threshold, low)
    return _interval_frame(s, status, ranges, table)


def suppress_small_cells(
    table: pd.DataFrame | pd.Series,
    *,
    threshold: int = 11,
    suppress_zeros: bool = False,
    protection: int | None = None,
) -> SuppressedTable:
    """Suppress numbers under ``threshold`` and enough others that nothing published reveals them.

    Parameters
    ----------
    table
        Counts, one row and column per category, without totals (a Series:
        a list of counts). The margins are added from the full counts and
        are released under the same rule: a margin under the threshold is
        suppressed too.
    threshold
        Numbers with ``1 <= n < threshold`` are suppressed (primary). 11
        matches k = 11 for records.
    suppress_zeros
        Also suppress zeros (a zero can disclose that nobody in a group
        has an attribute).
    protection
        The least width of every suppressed number's feasible interval
        (upper - lower, given everything published and the labels);
        default ``max(1, (threshold - 1) // 2)``. At most ``threshold - 2``
        (``threshold - 1`` with ``suppress_zeros``), since the label
        ``<threshold`` itself tells that much.

    Raises ``ValueError`` naming the argument for a bad threshold,
    protection or table, and when no suppression pattern can give the
    protection asked for.
    """
    threshold = _positive_int(threshold, "threshold", minimum=2)
    low = 0 if suppress_zeros else 1
    if protection is None:
        protection = max(1, (threshold - 1) // 2)
    protection = _positive_int(protection, "protection")
    if protection > threshold - 1 - low:
        raise ValueError(
            f"protection must be at most {threshold - 1 - low} for threshold {threshold} "
            f"(the label <{threshold} already narrows a cell to that), not {protection}"
        )
    values = _counts(table)
    s = _structure(values)
    primary = (s.values >= low) & (s.values < threshold)
    status = _choose_suppression(s, primary, threshold, low, protection)
    released_flat = np.where(status == _PUBLISHED, s.values, np.nan)
    released = _frame_of(released_flat, table, s).astype("Float64")
    return SuppressedTable(
        released=released,
        status=_frame_of(status, table, s),
        intervals=_interval_frame(s, status, _intervals(s, status, threshold, low), table),
        threshold=threshold,
        protection=protection,
    )


@dataclass(frozen=True)
class RoundedTable:
    """Result of :func:`round_table`: ``released`` with totals, the ``base`` and ``seed`` used."""

    released: pd.DataFrame
    base: int
    method: str
    seed: int | None


def _controlled_round(values: np.ndarray, base: int, seed: int | None) -> np.ndarray:
    """Round cells *and* margins to an adjacent multiple of ``base`` so the table still adds up.

    The additive equations of a two-way table with margins are totally
    unimodular, so a vertex of the linear programme with every number
    between its lower and upper multiple is whole: a controlled rounding
    always exists (Cox 1987). A random objective picks one at random.
    """
    s = _structure(values)
    q = np.floor(s.values / base)
    exact = s.values == q * base
    bounds = [(lo, lo) if ex else (lo, lo + 1) for lo, ex in zip(q, exact, strict=True)]
    objective = np.random.default_rng(seed).standard_normal(s.values.size)
    res = linprog(
        objective,
        A_eq=s.equations,
        b_eq=np.zeros(len(s.equations)),
        bounds=bounds,
        method="highs-ds",
    )
    if res.status != 0:
        raise RuntimeError(f"controlled rounding failed: {res.message}")
    units = np.round(res.x)
    if np.abs(units - res.x).max() > 1e-6 or np.abs(s.equations @ units).max() > 1e-6:
        raise RuntimeError("controlled rounding: the solver returned a fractional solution")
    return (units * base).reshape(s.shape)


def round_table(
    table: pd.DataFrame | pd.Series,
    *,
    base: int = 3,
    method: str = "random",
    seed: int | None = None,
) -> RoundedTable:
    """Round every count to a multiple of ``base``.

    ``method="random"`` (unbiased random rounding, as statistics offices use
    with base 3 or 5): a count ``q * base + r`` becomes ``(q + 1) * base``
    with probability ``r / base`` and ``q * base`` otherwise, so rounding adds
    no bias and an intruder cannot tell which way a cell went; multiples of
    ``base`` stay as they are. ``method="conventional"`` rounds to the
    nearest multiple. For these two, totals are summed from the rounded
    cells, so the released table adds up (they need not be multiples of
    ``base``). ``method="controlled"`` rounds the cells *and* the totals each
    to one of their two adjacent multiples of ``base`` such that the rounded
    cells add up to the rounded totals: every published number, totals
    included, is within ``base`` of the truth. Pass a ``seed`` to make a
    release reproducible; keep it secret, or anyone can undo the rounding.
    """
    base = _positive_int(base, "base", minimum=2)
    if method not in (*ROUNDING_METHODS, "controlled"):
        raise ValueError(
            f"method must be one of {(*ROUNDING_METHODS, 'controlled')}, not {method!r}"
        )
    frame = table.to_frame() if isinstance(table, pd.Series) else table
    values = _counts(frame)
    if method == "controlled":
        rounded = _controlled_round(values, base, seed)
        index, columns = [*frame.index, TOTAL], [*frame.columns, TOTAL]
        released = pd.DataFrame(rounded.astype(np.int64), index=index, columns=columns)
        if isinstance(table, pd.Series):
            released = released.drop(columns=TOTAL)
        return RoundedTable(released, base, method, seed)
    q, r = np.divmod(values, base)
    if method == "random":
        up = np.random.default_rng(seed).random(values.shape) < r / base
    else:
        up = r * 2 >= base
    rounded = (q + up) * base
    released = pd.DataFrame(rounded.astype(np.int64), index=frame.index, columns=frame.columns)
    if isinstance(table, pd.DataFrame):
        released[TOTAL] = released.sum(axis=1)
        released.loc[TOTAL] = released.sum(axis=0)
    return RoundedTable(released, base, method, seed)


def protect_counts(
    table: pd.DataFrame | pd.Series,
    *,
    threshold: int = 11,
    method: str = "suppress",
    protection: int | None = None,
    base: int = 3,
    seed: int | None = None,
) -> SuppressedTable | RoundedTable:
    """The one entry point for releasing a table of counts with its margins.

    ``method="suppress"``: :func:`suppress_small_cells` (margins protected,
    every hidden number at least ``protection`` wide, honest labels).
    ``method="round"``: controlled rounding to ``base`` (:func:`round_table`),
    for a table that must keep additive totals and show every cell.
    """
    if method == "suppress":
        return suppress_small_cells(table, threshold=threshold, protection=protection)
    if method == "round":
        return round_table(table, base=base, method="controlled", seed=seed)
    raise ValueError(f"method must be one of ('suppress', 'round'), not {method!r}")
