"""Interrupted time series by segmented regression with Newey-West errors (private)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats
from statsmodels.stats.stattools import durbin_watson

MIN_POINTS_PER_SEGMENT = 3
ITS_ERRORS = ("newey_west", "ar1")

_TERMS = ("baseline_level", "pre_slope", "level_change", "slope_change")


@dataclass(frozen=True, eq=False)
class InterruptedTimeSeriesResult:
    """Segmented-regression estimates of an intervention's effect on a time series.

    The model is ``y_t = b0 + b1*t + b2*post_t + b3*(t - t0)*post_t (+ season)``
    where ``t`` counts periods from 0, ``t0`` is the first period after the
    intervention and ``post_t`` is 1 from ``t0`` on.

    Attributes
    ----------
    level_change : float
        ``b2``: immediate jump in the outcome at the first post-intervention period.
    slope_change : float
        ``b3``: change in the trend per period after the intervention.
    pre_slope : float
        ``b1``: trend per period before the intervention.
    post_slope : float
        ``b1 + b3``: trend per period after the intervention.
    baseline_level : float
        ``b0``: modelled outcome in the first period (first season).
    *_ci_low, *_ci_high, *_p_value : float
        ``1 - alpha`` confidence limits and two-sided p-values of the above,
        from Newey-West (HAC) standard errors.
    coefficients : DataFrame
        All model terms (including seasonal ones) with ``estimate``,
        ``std_err``, ``ci_low``, ``ci_high``, ``p_value``.
    series : DataFrame
        One row per period: ``time``, ``t``, ``post``, ``observed``,
        ``fitted``, ``counterfactual`` (trend had the intervention not
        happened: ``b2 = b3 = 0``), ``effect`` (fitted - counterfactual, 0
        before), its ``effect_ci_low`` / ``effect_ci_high``, and
        ``relative_effect`` (effect / counterfactual).
    n, n_pre, n_post : int
        Periods in total, before and after the intervention.
    maxlags : int
        Lags used by the Newey-West estimator.
    seasonal : int or None
        Season length whose dummies were included.
    durbin_watson : float
        Durbin-Watson statistic of the residuals (about 2 when there is no
        first-order autocorrelation).
    r_squared : float
        Share of the variance explained by the model.
    alpha : float
        Significance level.
    statsmodels_result : object
        Underlying statsmodels ``RegressionResults``.
    """

    level_change: float
    level_change_ci_low: float
    level_change_ci_high: float
    level_change_p_value: float
    slope_change: float
    slope_change_ci_low: float
    slope_change_ci_high: float
    slope_change_p_value: float
    pre_slope: float
    pre_slope_ci_low: float
    pre_slope_ci_high: float
    pre_slope_p_value: float
    post_slope: float
    post_slope_ci_low: float
    post_slope_ci_high: float
    post_slope_p_value: float
    baseline_level: float
    coefficients: pd.DataFrame = field(repr=False)
    series: pd.DataFrame = field(repr=False)
    n: int
    n_pre: int
    n_post: int
    maxlags: int
    seasonal: int | None
    durbin_watson: float
    r_squared: float
    alpha: float
    statsmodels_result: Any = field(repr=False)
    errors: str = "newey_west"
    rho: float | None = None

    @property
    def counterfactual(self) -> pd.Series:
        """Counterfactual outcome (no intervention) indexed by time."""
        return self.series.set_index("time")["counterfactual"]

    def summary(self) -> str:
        """Return a plain-text report of the segmented regression."""
        level = round(100 * (1 - self.alpha), 1)
        if self.errors == "ar1":
            method = "AR(1) errors, Prais-Winsten"
            detail = f"rho (bias-corrected): {self.rho:.3f}"
        else:
            method = "Newey-West standard errors"
            detail = f"HAC lags: {self.maxlags}"
        lines = [
            f"Interrupted time series (segmented regression, {method})",
            f"  periods: {self.n} ({self.n_pre} before, {self.n_post} after); "
            f"{detail}; seasonal dummies: {self.seasonal or 'none'}",
            f"  {'':<18}{'estimate':>12}{f'{level:g}% CI':>26}{'p-value':>11}",
        ]
        for name, label in (
            ("pre_slope", "trend before"),
            ("level_change", "level change"),
            ("slope_change", "trend change"),
            ("post_slope", "trend after"),
        ):
            est = getattr(self, name)
            low = getattr(self, f"{name}_ci_low")
            high = getattr(self, f"{name}_ci_high")
            p = getattr(self, f"{name}_p_value")
            ci = f"{low:.4g} to {high:.4g}"
            lines.append(f"  {label:<18}{est:>12.4g}{ci:>26}{p:>11.4g}")
        last = self.series.iloc[-1]
        lines.append(
            f"  effect at the last period: {last['effect']:.4g} "
            f"({level:g}% CI {last['effect_ci_low']:.4g} to {last['effect_ci_high']:.4g}) "
            f"against a counterfactual of {last['counterfactual']:.4g} "
            f"({100 * last['relative_effect']:+.1f}%)"
        )
        lines.append(f"  Durbin-Watson {self.durbin_watson:.3f}; R-squared {self.r_squared:.3f}")
        return "\n".join(lines)


def _positions(time: pd.Series, column: Hashable) -> np.ndarray:
    """Return 0..n-1 period positions of sorted, regularly spaced time values."""
    n = len(time)
    if isinstance(time.dtype, pd.PeriodDtype):
        values = np.array([p.ordinal for p in time], dtype=float)
    elif pd.api.types.is_datetime64_any_dtype(time.dtype):
        with warnings.catch_warnings():  # pandas 3 warns about infer_freq's return type
            warnings.simplefilter("ignore")
            freq = pd.infer_freq(pd.DatetimeIndex(time)) if n >= 3 else "single"
        if freq is None:
            raise ValueError(
                f"time column {column!r} is not regularly spaced (a period is missing or "
                "the dates are irregular); aggregate to one row per period first"
            )
        return np.arange(n, dtype=float)
    elif pd.api.types.is_numeric_dtype(time.dtype) and not pd.api.types.is_bool_dtype(time):
        values = time.to_numpy(dtype=float)
    else:
        raise ValueError(
            f"time column {column!r} must be numeric, datetime or pandas Period; "
            f"got dtype {time.dtype}"
        )
    steps = np.diff(values)
    if n >= 2:
        step = steps[0]
        bad = ~np.isclose(steps, step, rtol=1e-9, atol=1e-12)
        if bad.any():
            at = time.iloc[int(np.argmax(bad)) + 1]
            raise ValueError(
                f"time column {column!r} is not regularly spaced: gap before {at}; "
                "the series must have one row per period with no missing periods"
            )
    return np.arange(n, dtype=float)


def default_maxlags(n: int) -> int:
    """Newey-West (1994) rule of thumb ``floor(4 * (n / 100) ** (2 / 9))``."""
    return math.floor(4 * (n / 100) ** (2 / 9))


def interrupted_time_series(
    df: pd.DataFrame,
    *,
    time: Hashable,
    outcome: Hashable,
    intervention_at: object,
    maxlags: int | None = None,
    seasonal: int | None = None,
    alpha: float = 0.05,
    errors: str = "newey_west",
) -> InterruptedTimeSeriesResult:
    """Estimate the level and trend change of a series at an intervention.

    Parameters
    ----------
    df : DataFrame
        One row per period (month, quarter, year...) with no missing periods.
    time : str
        Column with the period: numbers (e.g. 1, 2, 3 or years), dates or
        pandas Periods, regularly spaced.  Rows are sorted by it.
    outcome : str
        Numeric outcome column (e.g. victims identified per month).
    intervention_at : object
        First period in which the intervention is in effect, comparable with
        the ``time`` values (a date string works for datetime columns).
        Periods at or after it are "post".
    maxlags : int, optional
        Number of lags in the Newey-West estimator.  Default: the rule of
        thumb ``floor(4 * (n/100) ** (2/9))``.
    seasonal : int, optional
        Season length in periods (12 for monthly data, 4 for quarterly) to
        add season dummies; the season of a period is its position modulo
        ``seasonal``.
    alpha : float, default 0.05
        Significance level.
    errors : {"newey_west", "ar1"}, default "newey_west"
        ``"newey_west"``: ordinary least squares with Newey-West standard
        errors. ``"ar1"``: the errors follow an AR(1) process, estimated by
        Prais-Winsten feasible GLS with a small-sample bias correction of the
        autocorrelation; for short series (a few dozen periods) with
        autocorrelated errors this keeps the intervals near their nominal
        coverage where Newey-West falls well short (see
        ``docs/methods/effects.md``).

    Returns
    -------
    InterruptedTimeSeriesResult

    Raises
    ------
    ValueError
        If a column is missing, time values are duplicated, missing or
        irregular, the outcome is missing or non-numeric (the period is named),
        fewer than 3 periods fall on either side of the intervention, or the
        options are invalid.

    Notes
    -----
    Ordinary least squares with heteroskedasticity- and autocorrelation-
    consistent (Newey-West, Bartlett kernel) covariance
    (``statsmodels`` ``cov_type="HAC"``), the small-sample correction
    ``n / (n - k)`` and t reference distribution with ``n - k`` degrees of
    freedom.  Slopes are per period of the series.
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    for argument, column in {"time": time, "outcome": outcome}.items():
        if column not in df.columns:
            raise ValueError(
                f"{argument}={column!r} is not a column of the DataFrame; "
                f"available columns: {list(df.columns)!r}"
            )
    if errors not in ITS_ERRORS:
        raise ValueError(f"errors must be one of {ITS_ERRORS}; got {errors!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1; got {alpha!r}")
    if seasonal is not None and (
        isinstance(seasonal, bool) or not isinstance(seasonal, int) or seasonal < 2
    ):
        raise ValueError(f"seasonal must be an integer of at least 2 or None; got {seasonal!r}")

    data = df[[time, outcome]].copy()
    if data[time].isna().any():
        row = data.index[data[time].isna().to_numpy()][0]
        raise ValueError(f"time column {time!r} is missing in row {row!r}")
    duplicated = data[time].duplicated()
    if duplicated.any():
        raise ValueError(
            f"time column {time!r} has more than one row for {data[time][duplicated].iloc[0]!r}; "
            "aggregate to one row per period first"
        )
    data = data.sort_values(time, kind="stable")
    y_raw = data[outcome]
    if not pd.api.types.is_numeric_dtype(y_raw.dtype) or pd.api.types.is_bool_dtype(y_raw):
        raise ValueError(f"outcome column {outcome!r} must be numeric; got dtype {y_raw.dtype}")
    if y_raw.isna().any():
        at = data.loc[y_raw.isna(), time].iloc[0]
        raise ValueError(
            f"outcome column {outcome!r} is missing for period {at}; a time series needs a "
            "value for every period"
        )
    infinite = ~np.isfinite(y_raw.to_numpy(dtype=float))
    if infinite.any():
        at = data[time].to_numpy()[infinite][0]
        raise ValueError(
            f"outcome column {outcome!r} is infinite for period {at}; a time series needs a "
            "finite value for every period"
        )
    t = _positions(data[time], time)
    try:
        post = (data[time] >= _coerce_like(intervention_at, data[time])).to_numpy()
    except (TypeError, ValueError) as exc:
        raise ValueError(
            f"intervention_at={intervention_at!r} cannot be compared with time column "
            f"{time!r}: {exc}"
        ) from None
    n = len(t)
    n_post = int(post.sum())
    n_pre = n - n_post
    if n_pre < MIN_POINTS_PER_SEGMENT or n_post < MIN_POINTS_PER_SEGMENT:
        raise ValueError(
            f"need at least {MIN_POINTS_PER_SEGMENT} periods before and after "
            f"intervention_at={intervention_at!r}; got {n_pre} before and {n_post} after"
        )
    if post[:n_pre].any():  # sorted, so post must be a suffix
        raise ValueError("post-intervention periods must all follow the pre-intervention ones")
    t0 = t[n_pre]

    columns = {
        "baseline_level": np.ones(n),
        "pre_slope": t,
        "level_change": post.astype(float),
        "slope_change": (t - t0) * post,
    }
    if seasonal is not None:
        season = (np.arange(n) % seasonal).astype(int)
        for s in range(1, seasonal):
            columns[f"season_{s + 1}"] = (season == s).astype(float)
    X = pd.DataFrame(columns)
    k = X.shape[1]
    if n - k < 1 or np.linalg.matrix_rank(X.to_numpy()) < k:
        raise ValueError(
            f"{n} periods are too few to estimate {k} coefficients"
            + (f" with seasonal={seasonal}" if seasonal else "")
        )
    if maxlags is None:
        maxlags = default_maxlags(n)
    elif isinstance(maxlags, bool) or not isinstance(maxlags, int) or not 0 <= maxlags < n:
        raise ValueError(f"maxlags must be an integer from 0 to {n - 1}; got {maxlags!r}")

    y = y_raw.to_numpy(dtype=float)
    ols = sm.OLS(y, X).fit()
    rho = None
    if errors == "newey_west":
        fit = sm.OLS(y, X).fit(
            cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True}, use_t=True
        )
        params = fit.params.to_numpy()
        cov = np.asarray(fit.cov_params())
        dof = float(fit.df_resid)
    else:
        if n - k - 1 < 1:
            raise ValueError(f"{n} periods are too few to estimate {k} coefficients and rho")
        fit, rho = _prais_winsten(y, X)
        params = fit.params.to_numpy()
        cov = np.asarray(fit.cov_params()) * (n - k) / (n - k - 1)
        dof = float(n - k - 1)  # one more parameter: rho
    crit = stats.t.ppf(1 - alpha / 2, dof)
    std_err = np.sqrt(np.diag(cov))
    with np.errstate(divide="ignore", invalid="ignore"):
        p_values = 2 * stats.t.sf(np.abs(params) / std_err, dof)

    def contrast(weights: np.ndarray) -> tuple[float, float, float, float]:
        est = float(weights @ params)
        se = float(np.sqrt(weights @ cov @ weights))
        p = float(2 * stats.t.sf(abs(est) / se, dof)) if se > 0 else math.nan
        return est, est - crit * se, est + crit * se, p

    coefficients = pd.DataFrame(
        {
            "estimate": params,
            "std_err": std_err,
            "ci_low": params - crit * std_err,
            "ci_high": params + crit * std_err,
            "p_value": p_values,
        },
        index=pd.Index(X.columns, name="term"),
    )
    estimates: dict[str, float] = {}
    for name in ("level_change", "slope_change", "pre_slope"):
        row = coefficients.loc[name]
        estimates[name] = float(row["estimate"])
        estimates[f"{name}_ci_low"] = float(row["ci_low"])
        estimates[f"{name}_ci_high"] = float(row["ci_high"])
        estimates[f"{name}_p_value"] = float(row["p_value"])
    w_post = np.zeros(k)
    w_post[1] = w_post[3] = 1.0
    est, low, high, p = contrast(w_post)
    estimates.update(
        post_slope=est, post_slope_ci_low=low, post_slope_ci_high=high, post_slope_p_value=p
    )

    Xm = X.to_numpy()
    fitted = Xm @ params
    counterfactual_X = Xm.copy()
    counterfactual_X[:, 2:4] = 0.0
    counterfactual = counterfactual_X @ params
    effect_X = Xm - counterfactual_X  # only the level/slope change columns remain
    effect = effect_X @ params
    effect_se = np.sqrt(np.einsum("ij,jk,ik->i", effect_X, cov, effect_X))
    with np.errstate(divide="ignore", invalid="ignore"):
        relative = np.where(counterfactual != 0, effect / counterfactual, np.nan)
    series = pd.DataFrame(
        {
            "time": data[time].to_numpy(),
            "t": t.astype(int),
            "post": post,
            "observed": y,
            "fitted": fitted,
            "counterfactual": counterfactual,
            "effect": effect,
            "effect_ci_low": effect - crit * effect_se,
            "effect_ci_high": effect + crit * effect_se,
            "relative_effect": relative,
        }
    )
    return InterruptedTimeSeriesResult(
        **estimates,
        baseline_level=float(params[0]),
        coefficients=coefficients,
        series=series,
        n=n,
        n_pre=n_pre,
        n_post=n_post,
        maxlags=maxlags,
        seasonal=seasonal,
        durbin_watson=float(durbin_watson(ols.resid)),
        r_squared=float(ols.rsquared),
        alpha=float(alpha),
        statsmodels_result=fit,
        errors=errors,
        rho=rho,
    )


def _prais_winsten(y: np.ndarray, X: pd.DataFrame, max_iter: int = 50):
    """Iterated Prais-Winsten FGLS with a small-sample bias correction of rho.

    The lag-1 autocorrelation of regression residuals is biased towards 0 in
    short series, by about ``(1 + 3 rho) / n`` for the AR(1) coefficient
    (Marriott & Pope 1954) plus about ``k / n`` for the ``k`` fitted
    coefficients; both are added back before transforming. Returns the OLS
    fit on the transformed data and rho.
    """
    n, k = X.shape
    Xm = X.to_numpy(dtype=float)
    beta = np.linalg.lstsq(Xm, y, rcond=None)[0]
    rho = 0.0
    for _ in range(max_iter):
        resid = y - Xm @ beta
        raw = float(resid[1:] @ resid[:-1] / (resid @ resid)) if resid @ resid > 0 else 0.0
        rho = min(max(raw + (1 + 3 * raw) / n + k / n, -0.99), 0.99)
        scale = math.sqrt(1 - rho * rho)
        ys = np.r_[scale * y[0], y[1:] - rho * y[:-1]]
        Xs = np.vstack([scale * Xm[0], Xm[1:] - rho * Xm[:-1]])
        new = np.linalg.lstsq(Xs, ys, rcond=None)[0]
        done = np.allclose(new, beta, rtol=1e-10, atol=1e-12)
        beta = new
        if done:
            break
    fit = sm.OLS(ys, pd.DataFrame(Xs, columns=X.columns)).fit()
    return fit, rho


def _coerce_like(value: object, time: pd.Series) -> object:
    """Convert ``intervention_at`` to the type of the time column where that is unambiguous."""
    if isinstance(time.dtype, pd.PeriodDtype) and not isinstance(value, pd.Period):
        return pd.Period(value, freq=time.dtype.freq)
    if pd.api.types.is_datetime64_any_dtype(time.dtype) and not isinstance(value, pd.Timestamp):
        stamp = pd.Timestamp(value)
        tz = getattr(time.dtype, "tz", None)
        if tz is not None and stamp.tzinfo is None:
            stamp = stamp.tz_localize(tz)
        return stamp
    return value
