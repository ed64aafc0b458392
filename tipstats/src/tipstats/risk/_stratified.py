"""Mantel-Haenszel pooled odds ratio over strata (private; see :mod:`tipstats.risk`)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import StratifiedTable

from ._oddsratio import odds_ratio_from_table
from ._validation import check_alpha, check_columns, check_dataframe, complete_rows, to_binary


@dataclass(frozen=True, eq=False)
class MantelHaenszelResult:
    """Odds ratio pooled over strata (Mantel-Haenszel) with homogeneity and null tests.

    Attributes
    ----------
    odds_ratio : float
        Mantel-Haenszel pooled odds ratio, adjusted for the strata.
    ci_low, ci_high : float
        ``1 - alpha`` confidence interval (Robins-Breslow-Greenland variance).
    cmh_chi2, cmh_p_value : float
        Cochran-Mantel-Haenszel chi-square (1 df) and p-value for the null
        hypothesis that the common odds ratio is 1.
    breslow_day_chi2, breslow_day_p_value : float
        Breslow-Day chi-square and p-value for the null hypothesis that the
        odds ratio is the same in every stratum (homogeneity).  A small
        p-value means a single pooled odds ratio hides real differences.
    breslow_day_df : int
        Degrees of freedom of the Breslow-Day test (informative strata - 1).
    crude_odds_ratio : float
        Odds ratio ignoring the strata (Woolf estimate of the collapsed
        table), for comparison: a large gap from ``odds_ratio`` indicates
        confounding by the stratifying variable.
    n : int
        Subjects analysed.
    n_strata : int
        Strata present in the data.
    n_strata_informative : int
        Strata that contain both exposed and unexposed subjects and both cases
        and controls; only these carry information about the odds ratio.
    n_dropped : int
        Records excluded because exposure, outcome or stratum was missing.
    alpha : float
        Significance level.
    tarone : bool
        Whether Tarone's adjustment was applied to the Breslow-Day statistic.
    continuity_correction : bool
        Whether the CMH statistic used a continuity correction.
    strata_table : DataFrame
        One row per stratum: counts ``a, b, c, d``, ``n``, the stratum odds
        ratio and whether the stratum is informative.
    """

    odds_ratio: float
    ci_low: float
    ci_high: float
    cmh_chi2: float
    cmh_p_value: float
    breslow_day_chi2: float
    breslow_day_p_value: float
    breslow_day_df: int
    crude_odds_ratio: float
    n: int
    n_strata: int
    n_strata_informative: int
    n_dropped: int
    alpha: float
    tarone: bool
    continuity_correction: bool
    strata_table: pd.DataFrame = field(repr=False)

    def summary(self) -> str:
        """Return a plain-text report of the pooled estimate and the tests."""
        level = round(100 * (1 - self.alpha), 1)
        bd = "Breslow-Day" + (" (Tarone)" if self.tarone else "")
        rows = [
            ("pooled odds ratio", f"{self.odds_ratio:.4g}"),
            (f"{level:g}% CI", f"{self.ci_low:.4g} to {self.ci_high:.4g}"),
            ("crude odds ratio", f"{self.crude_odds_ratio:.4g}"),
            ("CMH test of OR = 1", f"chi2 = {self.cmh_chi2:.4g}, p = {self.cmh_p_value:.4g}"),
            (
                f"{bd} homogeneity",
                f"chi2 = {self.breslow_day_chi2:.4g}, df = {self.breslow_day_df}, "
                f"p = {self.breslow_day_p_value:.4g}",
            ),
            (
                "subjects / strata",
                f"{self.n} / {self.n_strata} ({self.n_strata_informative} informative)",
            ),
        ]
        lines = ["Mantel-Haenszel pooled odds ratio", *(f"  {k:<34}{v}" for k, v in rows)]
        if self.n_dropped:
            lines.append(f"Note: {self.n_dropped} record(s) with missing values were excluded.")
        return "\n".join(lines)


def mantel_haenszel(
    df: pd.DataFrame,
    *,
    exposure: Hashable,
    outcome: Hashable,
    strata: Hashable,
    exposure_level: object = None,
    outcome_level: object = None,
    alpha: float = 0.05,
    tarone: bool = False,
    continuity_correction: bool = False,
) -> MantelHaenszelResult:
    """Pool the exposure-outcome odds ratio over strata with the Mantel-Haenszel method.

    Parameters
    ----------
    df : DataFrame
        One row per subject.
    exposure, outcome : str
        Binary exposure and outcome (case = 1) columns; 0/1 or True/False
        unless ``exposure_level`` / ``outcome_level`` name the value that
        counts as 1.
    strata : str
        Column whose values define the strata (e.g. country, sex, age band).
    exposure_level, outcome_level : object, optional
        Value meaning "exposed" / "case" when the column is not 0/1.
    alpha : float, default 0.05
        Significance level of the confidence interval.
    tarone : bool, default False
        Apply Tarone's adjustment to the Breslow-Day statistic.
    continuity_correction : bool, default False
        Apply the continuity correction to the CMH test of OR = 1.

    Returns
    -------
    MantelHaenszelResult

    Raises
    ------
    ValueError
        If a column is missing or not binary, no stratum is informative, or
        the pooled odds ratio is zero or infinite.

    Notes
    -----
    Computation uses :class:`statsmodels.stats.contingency_tables.StratifiedTable`
    on the informative strata.  Strata lacking exposed or unexposed subjects,
    or cases or controls, add nothing to the Mantel-Haenszel estimate, its
    variance or the CMH statistic; they are left out so that the Breslow-Day
    test (which is undefined for them) uses the correct degrees of freedom.
    """
    check_dataframe(df)
    alpha = check_alpha(alpha)
    check_columns(df, {"exposure": exposure, "outcome": outcome, "strata": strata})
    coded = pd.DataFrame(
        {
            "exposure": to_binary(df[exposure], exposure, exposure_level),
            "outcome": to_binary(df[outcome], outcome, outcome_level),
            "stratum": df[strata],
        },
        index=df.index,
    )
    coded, n_dropped = complete_rows(coded, ["exposure", "outcome", "stratum"])
    if coded.empty:
        raise ValueError("no complete records to analyse")

    rows = []
    tables = []
    for stratum, part in coded.groupby("stratum", sort=True):
        e = part["exposure"].to_numpy() == 1
        o = part["outcome"].to_numpy() == 1
        t = np.array(
            [[np.sum(e & o), np.sum(e & ~o)], [np.sum(~e & o), np.sum(~e & ~o)]], dtype=np.int64
        )
        informative = bool((t.sum(axis=0) > 0).all() and (t.sum(axis=1) > 0).all())
        with np.errstate(divide="ignore", invalid="ignore"):
            stratum_or = (t[0, 0] * t[1, 1]) / (t[0, 1] * t[1, 0]) if informative else np.nan
        rows.append(
            {
                "stratum": stratum,
                "a": int(t[0, 0]),
                "b": int(t[0, 1]),
                "c": int(t[1, 0]),
                "d": int(t[1, 1]),
                "n": int(t.sum()),
                "odds_ratio": float(stratum_or),
                "informative": informative,
            }
        )
        if informative:
            tables.append(t)
    strata_table = pd.DataFrame(rows)
    if not tables:
        raise ValueError(
            f"no stratum of {strata!r} contains both exposed and unexposed subjects and "
            "both cases and controls, so there is nothing to pool"
        )
    stacked = np.stack(tables, axis=2).astype(float)
    st = StratifiedTable(stacked)
    with np.errstate(divide="ignore", invalid="ignore"):
        pooled = float(st.oddsratio_pooled)
    if not (math.isfinite(pooled) and pooled > 0):
        raise ValueError(
            f"the pooled odds ratio is {pooled!r}: within every informative stratum one "
            "of the discordant cells is empty. Use odds_ratio(method='exact') per stratum"
        )
    ci_low, ci_high = st.oddsratio_pooled_confint(alpha=alpha)
    null = st.test_null_odds(correction=continuity_correction)
    cmh_chi2 = float(null.statistic)
    if len(tables) >= 2:
        with np.errstate(divide="ignore", invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            homog = st.test_equal_odds(adjust=tarone)
        bd_chi2 = float(homog.statistic)
        # chi2.sf keeps precision for tiny p-values (statsmodels uses 1 - cdf)
        bd_p = float(stats.chi2.sf(bd_chi2, len(tables) - 1))
    else:
        bd_chi2, bd_p = math.nan, math.nan
    crude_table = np.array(
        [
            [strata_table["a"].sum(), strata_table["b"].sum()],
            [strata_table["c"].sum(), strata_table["d"].sum()],
        ],
        dtype=np.int64,
    )
    crude = odds_ratio_from_table(crude_table, alpha=alpha, method="woolf").odds_ratio
    return MantelHaenszelResult(
        odds_ratio=pooled,
        ci_low=float(ci_low),
        ci_high=float(ci_high),
        cmh_chi2=cmh_chi2,
        cmh_p_value=float(stats.chi2.sf(cmh_chi2, 1)),
        breslow_day_chi2=bd_chi2,
        breslow_day_p_value=bd_p,
        breslow_day_df=len(tables) - 1,
        crude_odds_ratio=crude,
        n=int(strata_table["n"].sum()),
        n_strata=len(strata_table),
        n_strata_informative=len(tables),
        n_dropped=n_dropped,
        alpha=alpha,
        tarone=tarone,
        continuity_correction=continuity_correction,
        strata_table=strata_table,
    )
