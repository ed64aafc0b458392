"""Odds ratios of several factors between study groups (private; see :mod:`tipstats.risk`)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from ._oddsratio import odds_ratio_from_table, table_from_records
from ._validation import check_alpha, check_columns, check_dataframe


@dataclass(frozen=True, eq=False)
class GroupComparisonResult:
    """Odds ratios of each factor for each group against a reference group.

    Attributes
    ----------
    table : DataFrame
        One row per (group, factor) with columns ``group``, ``reference``,
        ``factor``, ``level`` (value counted as having the factor, None for
        binary columns), ``exposed_in_group``, ``n_group``, ``exposed_in_reference``,
        ``n_reference``, ``odds_ratio``, ``ci_low``, ``ci_high``, ``p_value``,
        ``haldane_corrected`` and ``n_dropped``.  ``odds_ratio`` is the odds
        of having the factor in ``group`` divided by the odds in
        ``reference``.
    group_column : str
        Column that defined the groups.
    reference : object
        The reference group.
    method : str
        ``"woolf"`` or ``"exact"`` (see :func:`odds_ratio`).
    alpha : float
        Significance level of the confidence intervals.
    """

    table: pd.DataFrame
    group_column: Hashable
    reference: object
    method: str
    alpha: float

    def summary(self) -> str:
        """Return a plain-text table of the odds ratios."""
        level = round(100 * (1 - self.alpha), 1)
        shown = self.table.copy()
        shown["factor"] = [
            str(f) if lv is None else f"{f}={lv}"
            for f, lv in zip(shown["factor"], shown["level"], strict=True)
        ]
        shown["in group"] = (
            shown["exposed_in_group"].astype(str) + "/" + shown["n_group"].astype(str)
        )
        shown["in reference"] = (
            shown["exposed_in_reference"].astype(str) + "/" + shown["n_reference"].astype(str)
        )
        columns = ["group", "factor", "in group", "in reference", "odds_ratio", "ci_low"]
        shown = shown[[*columns, "ci_high", "p_value"]].rename(
            columns={
                "odds_ratio": "odds ratio",
                "ci_low": f"{level:g}% CI low",
                "ci_high": f"{level:g}% CI high",
                "p_value": "p-value",
            }
        )
        lines = [
            f"Odds ratios by {self.group_column!s} against reference {self.reference!r} "
            f"({self.method})",
            shown.to_string(index=False, float_format=lambda v: f"{v:.4g}"),
        ]
        if self.table["haldane_corrected"].any():
            lines.append("Some rows had a zero cell: 0.5 was added to each cell of those tables.")
        return "\n".join(lines)


def compare_groups(
    df: pd.DataFrame,
    *,
    group: Hashable,
    reference: object,
    factors: Sequence[Hashable] | Mapping[Hashable, object],
    groups: Sequence[object] | None = None,
    alpha: float = 0.05,
    method: Literal["woolf", "exact"] = "woolf",
) -> GroupComparisonResult:
    """Compare how common each factor is in every group relative to a reference group.

    For each non-reference group ``g`` and each factor, the records of ``g``
    and of ``reference`` form a 2x2 table (factor present/absent by group) and
    :func:`odds_ratio` is applied with ``g`` as "cases" and the reference as
    "controls".  For the COMMIT case-control design this gives, e.g., the odds
    ratios for trafficked migrants vs successful migrants and trafficked
    migrants vs non-migrants in one table.

    Parameters
    ----------
    df : DataFrame
        One row per respondent.
    group : str
        Column holding the study group of each respondent.
    reference : object
        Value of ``group`` used as the comparison group.
    factors : sequence of str or mapping
        Binary factor columns (0/1 or True/False).  A mapping
        ``{column: level}`` says which value of a non-binary column counts as
        "has the factor", e.g. ``{"education": "none"}``.
    groups : sequence, optional
        Groups to compare with the reference, in output order.  Default: every
        other value of ``group``, sorted.
    alpha : float, default 0.05
        Significance level of the confidence intervals.
    method : {"woolf", "exact"}, default "woolf"
        Passed to :func:`odds_ratio`.

    Returns
    -------
    GroupComparisonResult

    Raises
    ------
    ValueError
        If a column is missing or not binary, ``reference`` or one of
        ``groups`` has no records, or a group/factor table has an empty row or
        column (e.g. nobody in either group has the factor).

    Notes
    -----
    Each odds ratio is crude (unadjusted).  Use :func:`mantel_haenszel` or
    :func:`logistic_regression` to adjust for confounders.  Records with a
    missing factor are excluded from that factor's table only.
    """
    check_dataframe(df)
    alpha = check_alpha(alpha)
    if method not in ("woolf", "exact"):
        raise ValueError(f"method must be 'woolf' or 'exact'; got {method!r}")
    check_columns(df, {"group": group})
    levels: dict[Hashable, object] = (
        dict(factors) if isinstance(factors, Mapping) else dict.fromkeys(factors)
    )
    if isinstance(factors, str) or not levels:
        raise ValueError("factors must be a non-empty list of column names (or a mapping)")
    check_columns(df, {f"factors[{name!r}]": name for name in levels})

    present = df[group].dropna().unique().tolist()
    if reference not in present:
        raise ValueError(f"reference group {reference!r} has no records in column {group!r}")
    if groups is None:
        groups = sorted((g for g in present if g != reference), key=lambda v: (str(type(v)), v))
    else:
        groups = list(groups)
        for g in groups:
            if g == reference:
                raise ValueError(f"groups must not include the reference group {reference!r}")
            if g not in present:
                raise ValueError(f"group {g!r} has no records in column {group!r}")
    if not groups:
        raise ValueError(f"column {group!r} has no group other than the reference {reference!r}")

    rows = []
    for g in groups:
        subset = df.loc[df[group].isin([g, reference])]
        # rows of each 2x2: factor present/absent; columns: group g ("case") / reference
        subset_coded = subset.assign(__is_group__=(subset[group] == g))
        for factor, level in levels.items():
            table, n_dropped = table_from_records(
                subset_coded,
                exposure=factor,
                outcome="__is_group__",
                exposure_level=level,
            )
            try:
                res = odds_ratio_from_table(table, alpha=alpha, method=method)
            except ValueError as exc:
                raise ValueError(f"group {g!r}, factor {factor!r}: {exc}") from None
            rows.append(
                {
                    "group": g,
                    "reference": reference,
                    "factor": factor,
                    "level": level,
                    "exposed_in_group": res.exposed_cases,
                    "n_group": res.n_cases,
                    "exposed_in_reference": res.exposed_controls,
                    "n_reference": res.n_controls,
                    "odds_ratio": res.odds_ratio,
                    "ci_low": res.ci_low,
                    "ci_high": res.ci_high,
                    "p_value": res.p_value,
                    "haldane_corrected": res.haldane_corrected,
                    "n_dropped": n_dropped,
                }
            )
    return GroupComparisonResult(
        table=pd.DataFrame(rows),
        group_column=group,
        reference=reference,
        method=method,
        alpha=alpha,
    )
