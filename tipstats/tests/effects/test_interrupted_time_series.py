"""Tests for tipstats.effects.interrupted_time_series against statsmodels OLS."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from tipstats.effects import (
    InterruptedTimeSeriesResult,
    default_maxlags,
    interrupted_time_series,
)

N, T0 = 36, 18


@pytest.fixture
def monthly():
    rng = np.random.default_rng(7)
    t = np.arange(N)
    post = t >= T0
    noise = np.zeros(N)
    for i in range(1, N):  # AR(1) errors, as is typical for monthly counts
        noise[i] = 0.5 * noise[i - 1] + rng.normal(0, 1.5)
    y = 40 + 0.4 * t - 6 * post - 0.5 * (t - T0) * post + noise
    return pd.DataFrame({"month": pd.date_range("2021-01-01", periods=N, freq="MS"), "cases": y})


def reference_fit(y, maxlags, seasonal=None):
    t = np.arange(len(y), dtype=float)
    post = (t >= T0).astype(float)
    X = np.column_stack([np.ones(len(y)), t, post, (t - T0) * post])
    if seasonal:
        season = np.arange(len(y)) % seasonal
        X = np.column_stack([X, *[(season == s).astype(float) for s in range(1, seasonal)]])
    return sm.OLS(y, X).fit(
        cov_type="HAC", cov_kwds={"maxlags": maxlags, "use_correction": True}, use_t=True
    )


@pytest.mark.parametrize("maxlags", [None, 0, 2, 5])
def test_matches_statsmodels_hac_ols(monthly, maxlags):
    r = interrupted_time_series(
        monthly, time="month", outcome="cases", intervention_at="2022-07-01", maxlags=maxlags
    )
    assert isinstance(r, InterruptedTimeSeriesResult)
    lags = default_maxlags(N) if maxlags is None else maxlags
    assert r.maxlags == lags
    ref = reference_fit(monthly["cases"].to_numpy(), lags)
    ci = ref.conf_int(alpha=0.05)
    for i, name in enumerate(["baseline_level", "pre_slope", "level_change", "slope_change"]):
        assert r.coefficients.loc[name, "estimate"] == pytest.approx(ref.params[i])
        assert r.coefficients.loc[name, "std_err"] == pytest.approx(ref.bse[i])
        assert r.coefficients.loc[name, "p_value"] == pytest.approx(ref.pvalues[i])
        assert r.coefficients.loc[name, "ci_low"] == pytest.approx(ci[i, 0])
    assert r.level_change == pytest.approx(ref.params[2])
    assert r.level_change_ci_high == pytest.approx(ci[2, 1])
    assert r.slope_change_p_value == pytest.approx(ref.pvalues[3])
    assert r.pre_slope_ci_low == pytest.approx(ci[1, 0])
    # post slope b1 + b3 via the HAC covariance
    test = ref.t_test([0, 1, 0, 1])
    assert r.post_slope == pytest.approx(ref.params[1] + ref.params[3])
    assert r.post_slope_p_value == pytest.approx(float(test.pvalue))
    low, high = np.asarray(test.conf_int(alpha=0.05)).ravel()
    assert (r.post_slope_ci_low, r.post_slope_ci_high) == (pytest.approx(low), pytest.approx(high))
    assert (r.n, r.n_pre, r.n_post) == (N, T0, N - T0)


def test_recovers_exact_noise_free_segments():
    t = np.arange(20)
    y = 10 + 2 * t + np.where(t >= 12, -5 + 1.5 * (t - 12), 0.0)
    df = pd.DataFrame({"period": t + 1, "y": y})
    r = interrupted_time_series(df, time="period", outcome="y", intervention_at=13)
    assert r.baseline_level == pytest.approx(10)
    assert r.pre_slope == pytest.approx(2)
    assert r.level_change == pytest.approx(-5)
    assert r.slope_change == pytest.approx(1.5)
    assert r.post_slope == pytest.approx(3.5)
    s = r.series
    np.testing.assert_allclose(s["fitted"], y, atol=1e-9)
    np.testing.assert_allclose(s["counterfactual"], 10 + 2 * t, atol=1e-9)
    np.testing.assert_allclose(s["effect"], np.where(t >= 12, -5 + 1.5 * (t - 12), 0), atol=1e-9)
    assert r.counterfactual.index.name == "time"
    assert r.counterfactual.loc[20] == pytest.approx(10 + 2 * 19)


def test_counterfactual_series_and_effect_interval(monthly):
    r = interrupted_time_series(
        monthly, time="month", outcome="cases", intervention_at="2022-07-01", maxlags=2
    )
    ref = reference_fit(monthly["cases"].to_numpy(), 2)
    b = ref.params
    t = np.arange(N)
    post = t >= T0
    s = r.series
    np.testing.assert_allclose(s["counterfactual"], b[0] + b[1] * t)
    np.testing.assert_allclose(s["fitted"], ref.fittedvalues)
    np.testing.assert_allclose(s["effect"], np.where(post, b[2] + b[3] * (t - T0), 0.0))
    # effect CI at the last period from the contrast [0, 0, 1, t - t0]
    last = ref.t_test([0, 0, 1, N - 1 - T0])
    low, high = np.asarray(last.conf_int(alpha=0.05)).ravel()
    assert s["effect_ci_low"].iloc[-1] == pytest.approx(low)
    assert s["effect_ci_high"].iloc[-1] == pytest.approx(high)
    assert s["post"].tolist() == post.tolist()
    assert s["time"].iloc[T0] == pd.Timestamp("2022-07-01")
    assert s["relative_effect"].iloc[-1] == pytest.approx(
        s["effect"].iloc[-1] / s["counterfactual"].iloc[-1]
    )
    assert 0 < r.durbin_watson < 4
    assert r.r_squared == pytest.approx(ref.rsquared)
    assert "level change" in r.summary()


def test_seasonal_dummies_match_statsmodels(monthly):
    r = interrupted_time_series(
        monthly,
        time="month",
        outcome="cases",
        intervention_at="2022-07-01",
        seasonal=12,
        maxlags=1,
    )
    ref = reference_fit(monthly["cases"].to_numpy(), 1, seasonal=12)
    assert len(r.coefficients) == 4 + 11
    np.testing.assert_allclose(r.coefficients["estimate"], ref.params)
    np.testing.assert_allclose(r.coefficients["std_err"], ref.bse)
    assert r.seasonal == 12


def test_unsorted_numeric_and_period_time(monthly):
    shuffled = monthly.sample(frac=1, random_state=1)
    a = interrupted_time_series(
        monthly, time="month", outcome="cases", intervention_at="2022-07-01", maxlags=1
    )
    b = interrupted_time_series(
        shuffled, time="month", outcome="cases", intervention_at="2022-07-01", maxlags=1
    )
    assert a.level_change == pytest.approx(b.level_change)
    periods = monthly.assign(month=monthly["month"].dt.to_period("M"))
    c = interrupted_time_series(
        periods, time="month", outcome="cases", intervention_at="2022-07", maxlags=1
    )
    assert c.level_change == pytest.approx(a.level_change)
    years = pd.DataFrame({"year": np.arange(2000, 2000 + N), "cases": monthly["cases"]})
    d = interrupted_time_series(
        years, time="year", outcome="cases", intervention_at=2000 + T0, maxlags=1
    )
    assert d.slope_change == pytest.approx(a.slope_change)
    assert d.baseline_level == pytest.approx(a.baseline_level)


def test_default_maxlags_rule():
    assert default_maxlags(100) == 4
    assert default_maxlags(36) == math.floor(4 * 0.36 ** (2 / 9))


def test_errors(monthly):
    kwargs = {"time": "month", "outcome": "cases"}
    with pytest.raises(ValueError, match="at least 3 periods before and after"):
        interrupted_time_series(monthly, intervention_at="2023-11-01", **kwargs)
    gap = monthly.drop(index=10)
    with pytest.raises(ValueError, match="not regularly spaced"):
        interrupted_time_series(gap, intervention_at="2022-07-01", **kwargs)
    years = pd.DataFrame({"year": [1, 2, 3, 5, 6, 7, 8], "cases": np.arange(7.0)})
    with pytest.raises(ValueError, match="gap before 5"):
        interrupted_time_series(years, time="year", outcome="cases", intervention_at=5)
    dup = pd.concat([monthly, monthly.iloc[[3]]])
    with pytest.raises(ValueError, match="more than one row"):
        interrupted_time_series(dup, intervention_at="2022-07-01", **kwargs)
    missing = monthly.copy()
    missing.loc[5, "cases"] = np.nan
    with pytest.raises(ValueError, match="missing for period 2021-06-01"):
        interrupted_time_series(missing, intervention_at="2022-07-01", **kwargs)
    with pytest.raises(ValueError, match="outcome='victims' is not a column"):
        interrupted_time_series(monthly, time="month", outcome="victims", intervention_at=1)
    with pytest.raises(ValueError, match="maxlags"):
        interrupted_time_series(monthly, intervention_at="2022-07-01", maxlags=-1, **kwargs)
    with pytest.raises(ValueError, match="seasonal"):
        interrupted_time_series(monthly, intervention_at="2022-07-01", seasonal=1, **kwargs)
    short = monthly.iloc[:8]
    with pytest.raises(ValueError, match="too few"):
        interrupted_time_series(short, intervention_at="2021-05-01", seasonal=4, **kwargs)
    with pytest.raises(ValueError, match="cannot be compared"):
        interrupted_time_series(monthly, intervention_at="not a date", **kwargs)
    text = monthly.assign(cases=monthly["cases"].astype(str))
    with pytest.raises(ValueError, match="must be numeric"):
        interrupted_time_series(text, intervention_at="2022-07-01", **kwargs)


@pytest.mark.parametrize("bad", [np.inf, -np.inf])
def test_an_infinite_outcome_is_refused_naming_the_period(bad):
    # Reported: an infinite outcome gave a level change of -inf with warnings.
    y = np.arange(10, dtype=float)
    y[5] = bad
    df = pd.DataFrame({"t": range(10), "y": y})
    with pytest.raises(ValueError, match="outcome column 'y' is infinite for period 5"):
        interrupted_time_series(df, time="t", outcome="y", intervention_at=5)


def _coverage(phi: float, errors: str, n_sim: int, seed: int) -> dict[str, float]:
    """Share of 95% intervals covering the true level and trend change, 24 periods."""
    rng = np.random.default_rng(seed)
    n, t0 = 24, 12
    t = np.arange(n)
    truth = {"level_change": 3.0, "slope_change": 0.2}
    mean = 10 + 0.5 * t + (t >= t0) * (3.0 + 0.2 * (t - t0))
    hits = dict.fromkeys(truth, 0)
    for _ in range(n_sim):
        e = np.empty(n)
        e[0] = rng.standard_normal() / math.sqrt(1 - phi**2)
        for i in range(1, n):
            e[i] = phi * e[i - 1] + rng.standard_normal()
        df = pd.DataFrame({"t": t, "y": mean + e})
        res = interrupted_time_series(df, time="t", outcome="y", intervention_at=t0, errors=errors)
        for name, value in truth.items():
            hits[name] += getattr(res, f"{name}_ci_low") <= value <= getattr(res, f"{name}_ci_high")
    return {name: h / n_sim for name, h in hits.items()}


@pytest.mark.slow
@pytest.mark.parametrize("phi", [0.0, 0.6])
def test_ar1_errors_keep_coverage_at_24_periods(phi):
    # Reported: Newey-West with the default lag covered 85% with independent errors and
    # 64-72% with AR(1) 0.6 at 24 periods. Prais-Winsten with a bias-corrected rho
    # reaches at least 90% in both (1,000 seeded series; Monte Carlo error about 0.009).
    ar1 = _coverage(phi, "ar1", 1000, seed=2026)
    assert min(ar1.values()) >= 0.90, ar1
    newey_west = _coverage(phi, "newey_west", 300, seed=2026)
    assert min(newey_west.values()) < min(ar1.values())  # why the option exists


def test_ar1_errors_option_reports_rho_and_is_checked():
    rng = np.random.default_rng(3)
    e = np.zeros(40)
    for i in range(1, 40):
        e[i] = 0.7 * e[i - 1] + rng.standard_normal()
    df = pd.DataFrame({"t": range(40), "y": 5 + 0.1 * np.arange(40) + e})
    res = interrupted_time_series(df, time="t", outcome="y", intervention_at=20, errors="ar1")
    assert res.errors == "ar1" and 0.3 < res.rho < 0.99
    assert res.level_change_ci_low < res.level_change < res.level_change_ci_high
    assert "Prais-Winsten" in res.summary()
    with pytest.raises(ValueError, match="errors must be one of"):
        interrupted_time_series(df, time="t", outcome="y", intervention_at=20, errors="gls")
