"""Disclosure control across the breakdowns of one indicator: they share its total.

:func:`tipstats.disclosure.suppress_small_cells` protects one breakdown (one
indicator, country and year by one dimension) with its total as margin. The
breakdowns of an indicator share that total, so a total hidden for one of
them must not come back as the sum of another, and a sub-form shown with its
parent must not give a hidden sibling away. :func:`protect_linked` audits the
figures of one indicator together by linear programming (HiGHS, as
tipstats does for one table) and hides more until every hidden figure's
feasible range, given everything shown and the labels, is at least the
protection width.

A figure is anything with ``series_key`` (``""`` for the total, ``DIM=CODE``
for a one-way cell), ``value``, ``censored_below`` (small: ``<N``, so it lies
in ``1..N-1``) and ``suppressed`` (hidden as ``x``: at least the threshold,
since only such figures are hidden that way).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

__all__ = ["FORM_PARENT", "adds_up", "is_hidden", "protect_linked", "split_levels"]

# CL_FORM: the sub-forms counted under "Other forms" (a breakdown's second level)
FORM_PARENT = {
    "FORCED_CRIMINALITY": "OTHER",
    "FORCED_MARRIAGE": "OTHER",
    "BEGGING": "OTHER",
    "ORGAN_REMOVAL": "OTHER",
    "ILLEGAL_ADOPTION": "OTHER",
}


def is_hidden(f) -> bool:
    return bool(f.censored_below or f.suppressed)


def adds_up(parts, margin) -> bool:
    return margin is not None and sum(f.value or 0 for f in parts) == (margin.value or 0)


def split_levels(cells, parent_of: Mapping[str, str]) -> tuple[list, dict[str, list]]:
    """The top-level cells, and the sub-codes of each parent present (by its key)."""
    by_key = {f.series_key for f in cells}
    top: list = []
    children: dict[str, list] = defaultdict(list)
    for f in cells:
        dim, _eq, code = f.series_key.partition("=")
        parent_key = f"{dim}={parent_of[code]}" if code in parent_of else None
        if parent_key in by_key:
            children[parent_key].append(f)
        else:
            top.append(f)
    return top, children


def _equations(total, cells, parent_of: Mapping[str, str]):
    """The additive relations among the figures: ``(margin, parts)`` pairs that add up."""
    by_key = {f.series_key: f for f in cells}
    top, children = split_levels(cells, parent_of)
    by_dim = defaultdict(list)
    for f in top:
        by_dim[f.series_key.partition("=")[0]].append(f)
    out = [(total, parts) for parts in by_dim.values() if adds_up(parts, total)]
    out += [(by_key[k], parts) for k, parts in children.items() if adds_up(parts, by_key[k])]
    return out


def _ranges(figures, equations, threshold: int) -> dict[int, float]:
    """Width of the feasible range of each hidden figure (two linear programmes each)."""
    import numpy as np
    from scipy.optimize import linprog

    hidden = [k for k, f in enumerate(figures) if is_hidden(f)]
    if not hidden:
        return {}
    col = {k: j for j, k in enumerate(hidden)}
    index = {id(f): k for k, f in enumerate(figures)}
    rows, rhs = [], []
    for margin, parts in equations:
        row = np.zeros(len(hidden))
        constant = 0.0
        for sign, f in [(-1.0, margin)] + [(1.0, g) for g in parts]:
            k = index[id(f)]
            if k in col:
                row[col[k]] += sign
            else:
                constant += sign * float(f.value or 0)
        if row.any():
            rows.append(row)
            rhs.append(-constant)
    bounds = [
        (1.0, float(figures[k].censored_below - 1))
        if figures[k].censored_below
        else (float(threshold), None)
        for k in hidden
    ]
    kwargs = {"bounds": bounds, "method": "highs"}
    if rows:
        kwargs.update(A_eq=np.array(rows), b_eq=np.array(rhs))
    out = {}
    for k, j in col.items():
        objective = np.zeros(len(hidden))
        objective[j] = 1.0
        lo, hi = linprog(objective, **kwargs), linprog(-objective, **kwargs)
        if lo.status != 0 or hi.status not in (0, 3):
            raise RuntimeError(f"disclosure audit: linear programme failed ({lo.message})")
        out[k] = float("inf") if hi.status == 3 else (-hi.fun) - lo.fun
    return out


def _needs_audit(total, cells, equations) -> bool:
    """Whether the breakdowns interact. With the total shown they meet only through it,
    a constant, so each breakdown protected on its own against the total stays
    protected; what remains are a hidden total and the sub-form relations (a
    breakdown with sub-forms was protected as one list, not as two levels)."""
    if total is not None and is_hidden(total):
        return True
    with_subforms = {
        parts[0].series_key.partition("=")[0] for margin, parts in equations if margin is not total
    }
    return any(is_hidden(f) for f in cells if f.series_key.partition("=")[0] in with_subforms)


def protect_linked(
    total, cells: list, threshold: int, width: int, *, parent_of: Mapping[str, str]
) -> None:
    """Hide more of one indicator's figures until every hidden one is ``width`` wide.

    ``total`` is the indicator's total figure (or ``None``), ``cells`` its
    one-way cells, already protected breakdown by breakdown; ``parent_of``
    maps a sub-code to its parent code (sub-forms of exploitation). While a
    hidden figure's range is narrower than ``width``, the shown figure (at
    least ``threshold``) related to it whose hiding widens the narrow ranges
    most is hidden too (``suppressed``), the smaller first on a tie.
    """
    figures = ([total] if total is not None else []) + list(cells)
    equations = _equations(total, cells, parent_of)
    if not _needs_audit(total, cells, equations):
        return
    for _round in range(len(figures)):
        ranges = _ranges(figures, equations, threshold)
        narrow = [k for k, w in ranges.items() if w < width]
        if not narrow:
            return
        target = figures[narrow[0]]
        related = {
            id(f)
            for margin, parts in equations
            if target is margin or any(target is g for g in parts)
            for f in [margin, *parts]
        }
        eligible = [f for f in figures if not is_hidden(f) and (f.value or 0) >= threshold]
        near = [f for f in eligible if id(f) in related] or eligible
        if not near:
            return

        def widened(f, narrow: list[int] = narrow) -> tuple[float, float]:
            f.suppressed = True
            try:
                after = _ranges(figures, equations, threshold)
            finally:
                f.suppressed = False
            return (-sum(min(after[k], width) for k in narrow if k in after), f.value or 0)

        choice = min(near, key=widened)
        choice.suppressed = True
        if hasattr(choice, "stored_value"):
            choice.stored_value = None
