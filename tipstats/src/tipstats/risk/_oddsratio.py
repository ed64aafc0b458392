"""Odds ratio of a single 2x2 table (private; see :mod:`tipstats.risk`)."""

from __future__ import annotations

import math
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats
from scipy.stats.contingency import odds_ratio as _scipy_odds_ratio

from ._validation import check_alpha, check_columns, complete_rows, to_binary

HALDANE_ANSCOMBE_CORRECTION = 0.5
"""Amount added to every cell of a 2x2 table that has a zero cell (Woolf method only)."""

_CELL_NAMES = (
    ("exposed cases", "exposed controls"),
    ("unexposed cases", "unexposed controls"),
)


@dataclass(frozen=True)
class OddsRatioResult:
    """Odds ratio of exposure among cases versus controls, with confidence interval.

    Attributes
    ----------
    odds_ratio : float
        Odds of exposure among cases divided by odds of exposure among
        controls.  For ``method="woolf"`` this is the sample odds ratio
        ``ad / bc`` (computed on the corrected table if
        ``haldane_corrected``); for ``method="exact"`` it is the conditional
        maximum likelihood estimate.
    ci_low, ci_high : float
        Lower and upper limits of the ``1 - alpha`` confidence interval.
    p_value : float
        Two-sided p-value for the null hypothesis ``odds_ratio == 1``
        (Wald test on the log odds ratio for Woolf, Fisher's exact test for
        exact).
    log_odds_ratio_se : float
        Standard error of the log odds ratio (Woolf only, NaN for exact).
    exposed_cases, exposed_controls, unexposed_cases, unexposed_controls : int
        The observed (uncorrected) cell counts ``a``, ``b``, ``c``, ``d``.
    method : str
        ``"woolf"`` or ``"exact"``.
    alpha : float
        Significance level; the interval has ``1 - alpha`` coverage.
    haldane_corrected : bool
        True when 0.5 was added to every cell because one cell was zero.
    n_dropped : int
        Records excluded because the exposure or outcome was missing.
    """

    odds_ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    log_odds_ratio_se: float
    exposed_cases: int
    exposed_controls: int
    unexposed_cases: int
    unexposed_controls: int
    method: str
    alpha: float
    haldane_corrected: bool
    n_dropped: int = 0

    @property
    def n_cases(self) -> int:
        """Number of cases (outcome present)."""
        return self.exposed_cases + self.unexposed_cases

    @property
    def n_controls(self) -> int:
        """Number of controls (outcome absent)."""
        return self.exposed_controls + self.unexposed_controls

    @property
    def n(self) -> int:
        """Total number of subjects in the table."""
        return self.n_cases + self.n_controls

    def to_table(self) -> pd.DataFrame:
        """Return the observed 2x2 table as a DataFrame (exposure rows, outcome columns)."""
        return pd.DataFrame(
            [
                [self.exposed_cases, self.exposed_controls],
                [self.unexposed_cases, self.unexposed_controls],
            ],
            index=pd.Index(["exposed", "unexposed"], name="exposure"),
            columns=pd.Index(["case", "control"], name="outcome"),
        )

    def summary(self) -> str:
        """Return a plain-text report of the estimate and the table."""
        level = round(100 * (1 - self.alpha), 1)
        method = "Woolf (log) interval" if self.method == "woolf" else "exact conditional"
        rows = [
            ("odds ratio", f"{self.odds_ratio:.4g}"),
            (f"{level:g}% CI", f"{self.ci_low:.4g} to {self.ci_high:.4g}"),
            ("p-value (OR = 1)", f"{self.p_value:.4g}"),
            ("cases / controls", f"{self.n_cases} / {self.n_controls}"),
        ]
        lines = [f"Odds ratio ({method})", *(f"  {k:<20}{v}" for k, v in rows)]
        lines += [
            "",
            "              case  control",
            f"  exposed    {self.exposed_cases:>6} {self.exposed_controls:>8}",
            f"  unexposed  {self.unexposed_cases:>6} {self.unexposed_controls:>8}",
        ]
        if self.haldane_corrected:
            lines.append(
                "Note: a cell was zero, so 0.5 was added to every cell (Haldane-Anscombe)."
            )
        if self.n_dropped:
            lines.append(f"Note: {self.n_dropped} record(s) with missing values were excluded.")
        return "\n".join(lines)


MAX_COUNT = 2**53


def _as_table(table: object) -> np.ndarray:
    """Validate a 2x2 table of non-negative integer counts and return it as int64."""
    try:
        arr = np.asarray(table, dtype=float)
    except (TypeError, ValueError):
        raise ValueError("table must be a 2x2 array of non-negative counts") from None
    if arr.shape != (2, 2):
        raise ValueError(
            f"table must be 2x2 (rows exposed/unexposed, columns case/control); got shape "
            f"{arr.shape}. To analyse case records pass a DataFrame with exposure= and outcome="
        )
    for i in range(2):
        for j in range(2):
            value = arr[i, j]
            if not math.isfinite(value) or value < 0 or value != round(value):
                raise ValueError(
                    f"table cell [{i}, {j}] ({_CELL_NAMES[i][j]}) must be a non-negative "
                    f"integer count; got {value!r}"
                )
            if value > MAX_COUNT:
                raise ValueError(
                    f"table cell [{i}, {j}] ({_CELL_NAMES[i][j]}) is {value:.4g}, above "
                    f"{MAX_COUNT} (2**53), the largest count held exactly; no table of "
                    "people is that large: check the input"
                )
    return arr.astype(np.int64)


def _check_margins(arr: np.ndarray) -> None:
    margins = {
        "exposed": arr[0].sum(),
        "unexposed": arr[1].sum(),
        "case": arr[:, 0].sum(),
        "control": arr[:, 1].sum(),
    }
    for name, total in margins.items():
        if total == 0:
            raise ValueError(
                f"the 2x2 table has no {name} subjects, so the odds ratio is undefined"
            )


def table_from_records(
    df: pd.DataFrame,
    *,
    exposure: Hashable,
    outcome: Hashable,
    exposure_level: object = None,
    outcome_level: object = None,
) -> tuple[np.ndarray, int]:
    """Cross-tabulate binary exposure by outcome; return the 2x2 table and rows dropped."""
    check_columns(df, {"exposure": exposure, "outcome": outcome})
    coded = pd.DataFrame(
        {
            "exposure": to_binary(df[exposure], exposure, exposure_level),
            "outcome": to_binary(df[outcome], outcome, outcome_level),
        },
        index=df.index,
    )
    coded, n_dropped = complete_rows(coded, ["exposure", "outcome"])
    e = coded["exposure"].to_numpy() == 1
    o = coded["outcome"].to_numpy() == 1
    table = np.array(
        [[np.sum(e & o), np.sum(e & ~o)], [np.sum(~e & o), np.sum(~e & ~o)]], dtype=np.int64
    )
    return table, n_dropped


def odds_ratio(
    data: pd.DataFrame | np.ndarray | list,
    *,
    exposure: Hashable | None = None,
    outcome: Hashable | None = None,
    exposure_level: object = None,
    outcome_level: object = None,
    alpha: float = 0.05,
    method: Literal["woolf", "exact"] = "woolf",
) -> OddsRatioResult:
    """Estimate the odds ratio of an exposure between cases and controls.

    Parameters
    ----------
    data : DataFrame or array_like
        Either one row per subject (then ``exposure`` and ``outcome`` are
        required) or a 2x2 table of counts laid out as::

                         case  control
            exposed        a      b
            unexposed      c      d

    exposure, outcome : str, optional
        Column names of a binary exposure and a binary outcome (case = 1).
        Columns must hold 0/1 or True/False unless ``exposure_level`` /
        ``outcome_level`` say which value counts as 1.
    exposure_level, outcome_level : object, optional
        Value of the column that means "exposed" / "case"; every other
        non-missing value counts as 0.
    alpha : float, default 0.05
        Significance level; the confidence interval has ``1 - alpha`` coverage.
    method : {"woolf", "exact"}, default "woolf"
        ``"woolf"``: sample odds ratio ``ad/bc`` with the Woolf (log) interval
        ``exp(log OR +/- z * sqrt(1/a + 1/b + 1/c + 1/d))`` and a Wald test.  If
        any cell is zero, 0.5 is added to every cell first (Haldane-Anscombe
        correction) and ``haldane_corrected`` is set.  ``"exact"``: conditional
        maximum likelihood odds ratio with the exact conditional interval
        (``scipy.stats.contingency.odds_ratio(kind="conditional")``) and Fisher's
        exact two-sided p-value; no correction is applied.

    Returns
    -------
    OddsRatioResult

    Raises
    ------
    ValueError
        If a column is missing or not binary, a cell is not a non-negative
        integer, a whole row or column of the table is empty, or ``method`` or
        ``alpha`` is invalid.

    Notes
    -----
    Records with a missing exposure or outcome are excluded and counted in
    ``n_dropped``.

    Examples
    --------
    >>> r = odds_ratio([[10, 5], [3, 12]])
    >>> round(r.odds_ratio, 2)
    8.0
    """
    alpha = check_alpha(alpha)
    if method not in ("woolf", "exact"):
        raise ValueError(f"method must be 'woolf' or 'exact'; got {method!r}")
    if exposure is not None or outcome is not None:
        if exposure is None or outcome is None:
            raise ValueError("pass both exposure= and outcome= to analyse subject records")
        if not isinstance(data, pd.DataFrame):
            raise ValueError("exposure= and outcome= need data to be a pandas DataFrame")
        table, n_dropped = table_from_records(
            data,
            exposure=exposure,
            outcome=outcome,
            exposure_level=exposure_level,
            outcome_level=outcome_level,
        )
    else:
        table, n_dropped = _as_table(data), 0
    return odds_ratio_from_table(table, alpha=alpha, method=method, n_dropped=n_dropped)


def odds_ratio_from_table(
    table: np.ndarray, *, alpha: float, method: str, n_dropped: int = 0
) -> OddsRatioResult:
    """Compute the odds ratio of a validated 2x2 integer table."""
    _check_margins(table)
    a, b, c, d = (int(v) for v in table.ravel())
    counts = {
        "exposed_cases": a,
        "exposed_controls": b,
        "unexposed_cases": c,
        "unexposed_controls": d,
    }
    if method == "exact":
        res = _scipy_odds_ratio(table, kind="conditional")
        ci = res.confidence_interval(confidence_level=1 - alpha, alternative="two-sided")
        p_value = stats.fisher_exact(table, alternative="two-sided").pvalue
        return OddsRatioResult(
            odds_ratio=float(res.statistic),
            ci_low=float(ci.low),
            ci_high=float(ci.high),
            p_value=float(p_value),
            log_odds_ratio_se=math.nan,
            method="exact",
            alpha=alpha,
            haldane_corrected=False,
            n_dropped=n_dropped,
            **counts,
        )
    corrected = bool((table == 0).any())
    cells = table.astype(float) + (HALDANE_ANSCOMBE_CORRECTION if corrected else 0.0)
    (ca, cb), (cc, cd) = cells
    log_or = math.log(ca) + math.log(cd) - math.log(cb) - math.log(cc)
    se = math.sqrt(1 / ca + 1 / cb + 1 / cc + 1 / cd)
    z = stats.norm.ppf(1 - alpha / 2)
    p_value = 2 * stats.norm.sf(abs(log_or) / se)
    return OddsRatioResult(
        odds_ratio=math.exp(log_or),
        ci_low=math.exp(log_or - z * se),
        ci_high=math.exp(log_or + z * se),
        p_value=float(p_value),
        log_odds_ratio_se=se,
        method="woolf",
        alpha=alpha,
        haldane_corrected=corrected,
        n_dropped=n_dropped,
        **counts,
    )
