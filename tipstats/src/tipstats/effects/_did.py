"""Before/after comparison of two data sources: difference in differences (private)."""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats


@dataclass(frozen=True, eq=False)
class BeforeAfterResult:
    """Change from before to after in two groups and the difference between the changes.

    Attributes
    ----------
    difference_in_differences : float
        ``(mean_after - mean_before)`` of the first group minus the same for
        the second group.  With groups ``("government", "non_government")``,
        a positive value means government figures rose by more (or fell by
        less) than non-government figures.
    std_err : float
        Standard error ``sqrt(sum of s^2/n)`` over the four group-period cells
        (cells treated as independent samples; unequal variances allowed).
    ci_low, ci_high : float
        ``1 - alpha`` confidence interval, t distribution with
        Welch-Satterthwaite degrees of freedom ``df``.
    p_value : float
        Two-sided p-value for no difference in the changes.
    df : float
        Welch-Satterthwaite degrees of freedom.
    changes : DataFrame
        One row per group: ``n_before``, ``n_after``, ``mean_before``,
        ``mean_after``, ``change`` with ``change_ci_low`` / ``change_ci_high``,
        and ``percent_change`` (100 * (after / before - 1)) with
        ``percent_change_ci_low`` / ``percent_change_ci_high`` (delta method on
        the log ratio of means; missing if a mean is not positive).
    groups, periods : tuple
        The compared groups (first minus second) and the before/after labels.
    n_dropped : int
        Records excluded because the outcome, group or period was missing.
    alpha : float
        Significance level.
    """

    difference_in_differences: float
    std_err: float
    ci_low: float
    ci_high: float
    p_value: float
    df: float
    changes: pd.DataFrame = field(repr=False)
    groups: tuple
    periods: tuple
    n_dropped: int
    alpha: float

    def summary(self) -> str:
        """Return a plain-text report of the per-group changes and their difference."""
        level = round(100 * (1 - self.alpha), 1)
        columns = [
            "group",
            "n_before",
            "n_after",
            "mean_before",
            "mean_after",
            "change",
            "percent_change",
            "percent_change_ci_low",
            "percent_change_ci_high",
        ]
        shown = self.changes[columns].rename(
            columns={
                "percent_change": "% change",
                "percent_change_ci_low": f"{level:g}% CI low",
                "percent_change_ci_high": f"{level:g}% CI high",
            }
        )
        first, second = self.groups
        lines = [
            f"Before/after comparison ({self.periods[0]!s} -> {self.periods[1]!s})",
            shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"),
            f"Difference in differences ({first!s} change minus {second!s} change): "
            f"{self.difference_in_differences:.4g}",
            f"  {level:g}% CI {self.ci_low:.4g} to {self.ci_high:.4g}, "
            f"p = {self.p_value:.4g} (Welch df {self.df:.1f})",
        ]
        if self.n_dropped:
            lines.append(f"Note: {self.n_dropped} record(s) with missing values were excluded.")
        return "\n".join(lines)


def _welch_df(variances: Sequence[float], counts: Sequence[int]) -> float:
    """Welch-Satterthwaite degrees of freedom of a sum of independent ``s^2/n`` terms."""
    total = sum(variances)
    denom = sum(v**2 / (n - 1) for v, n in zip(variances, counts, strict=True))
    return total**2 / denom if denom > 0 else math.inf


def _t_interval(est: float, se: float, dof: float, alpha: float) -> tuple[float, float, float]:
    if se == 0 or not math.isfinite(se):
        return est, est, math.nan
    crit = stats.t.ppf(1 - alpha / 2, dof)
    p = 2 * stats.t.sf(abs(est) / se, dof)
    return float(est - crit * se), float(est + crit * se), float(p)


def before_after(
    df: pd.DataFrame,
    *,
    group: Hashable,
    period: Hashable,
    outcome: Hashable,
    groups: Sequence[object] = ("government", "non_government"),
    periods: Sequence[object] = ("before", "after"),
    alpha: float = 0.05,
) -> BeforeAfterResult:
    """Compare the before-after change in one data source with that in another.

    Parameters
    ----------
    df : DataFrame
        One row per observation unit, e.g. one row per month per data source
        with the number of cases recorded.
    group : str
        Column saying which group (data source) the row belongs to.
    period : str
        Column saying whether the row is before or after the intervention.
    outcome : str
        Numeric outcome column.
    groups : pair, default ("government", "non_government")
        The two values of ``group`` to compare; the result is the change in
        the first minus the change in the second.
    periods : pair, default ("before", "after")
        The values of ``period`` meaning before and after.
    alpha : float, default 0.05
        Significance level.

    Returns
    -------
    BeforeAfterResult

    Raises
    ------
    ValueError
        If a column is missing, the outcome is not numeric, a row has a group
        or period value not listed in ``groups`` / ``periods`` (the row is
        named), or a group-period cell has fewer than 2 observations.

    Notes
    -----
    The difference in differences of means equals the interaction
    coefficient of the regression ``outcome ~ group * period``; its standard
    error here equals that regression's HC2 robust standard error.
    Rows with a missing outcome, group or period are excluded (``n_dropped``).
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    for argument, column in {"group": group, "period": period, "outcome": outcome}.items():
        if column not in df.columns:
            raise ValueError(
                f"{argument}={column!r} is not a column of the DataFrame; "
                f"available columns: {list(df.columns)!r}"
            )
    groups, periods = tuple(groups), tuple(periods)
    for name, pair in (("groups", groups), ("periods", periods)):
        if len(pair) != 2 or pair[0] == pair[1]:
            raise ValueError(f"{name} must be two different values; got {pair!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1; got {alpha!r}")
    y = df[outcome]
    if not pd.api.types.is_numeric_dtype(y.dtype) or pd.api.types.is_bool_dtype(y):
        raise ValueError(f"outcome column {outcome!r} must be numeric; got dtype {y.dtype}")

    data = df[[group, period, outcome]]
    complete = data.notna().all(axis=1)
    n_dropped = int((~complete).sum())
    data = data.loc[complete]
    for column, allowed, argument in ((group, groups, "groups"), (period, periods, "periods")):
        unknown = ~data[column].isin(allowed)
        if unknown.any():
            row = data.index[unknown.to_numpy()][0]
            raise ValueError(
                f"row {row!r}: column {column!r} has value {data.loc[row, column]!r}, which is "
                f"not in {argument}={allowed!r}; filter or recode the data first"
            )

    cells: dict[tuple[object, object], np.ndarray] = {}
    for g in groups:
        for p in periods:
            values = data.loc[(data[group] == g) & (data[period] == p), outcome]
            values = values.to_numpy(dtype=float)
            if len(values) < 2:
                raise ValueError(
                    f"group {g!r} has {len(values)} observation(s) in period {p!r}; at least 2 "
                    "are needed to estimate the variability"
                )
            cells[g, p] = values

    before, after = periods
    rows = []
    for g in groups:
        b, a = cells[g, before], cells[g, after]
        mb, ma = float(b.mean()), float(a.mean())
        vb, va = float(b.var(ddof=1)) / len(b), float(a.var(ddof=1)) / len(a)
        change = ma - mb
        dof = _welch_df([vb, va], [len(b), len(a)])
        ch_low, ch_high, _ = _t_interval(change, math.sqrt(vb + va), dof, alpha)
        pct = 100 * (ma / mb - 1) if mb > 0 else math.nan
        pct_low = pct_high = math.nan
        if mb > 0 and ma > 0:
            lvb, lva = vb / mb**2, va / ma**2  # delta method: var(log mean) = var(mean)/mean^2
            log_dof = _welch_df([lvb, lva], [len(b), len(a)])
            lo, hi, _ = _t_interval(math.log(ma / mb), math.sqrt(lvb + lva), log_dof, alpha)
            pct_low, pct_high = 100 * (math.exp(lo) - 1), 100 * (math.exp(hi) - 1)
        rows.append(
            {
                "group": g,
                "n_before": len(b),
                "n_after": len(a),
                "mean_before": mb,
                "mean_after": ma,
                "change": change,
                "change_ci_low": ch_low,
                "change_ci_high": ch_high,
                "percent_change": pct,
                "percent_change_ci_low": pct_low,
                "percent_change_ci_high": pct_high,
            }
        )
    changes = pd.DataFrame(rows)
    did = float(changes.loc[0, "change"] - changes.loc[1, "change"])
    variances = [float(v.var(ddof=1)) / len(v) for v in cells.values()]
    counts = [len(v) for v in cells.values()]
    se = math.sqrt(sum(variances))
    dof = _welch_df(variances, counts)
    low, high, p = _t_interval(did, se, dof, alpha)
    return BeforeAfterResult(
        difference_in_differences=did,
        std_err=se,
        ci_low=low,
        ci_high=high,
        p_value=p,
        df=dof,
        changes=changes,
        groups=groups,
        periods=periods,
        n_dropped=n_dropped,
        alpha=float(alpha),
    )
