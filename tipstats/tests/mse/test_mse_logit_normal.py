"""The logit-normal (mixed logit) heterogeneity model of Coull & Agresti (1999)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.polynomial import hermite_e
from scipy import stats

from tipstats import mse
from tipstats.mse._data import capture_data_from_table
from tipstats.mse._logit_normal import _fit_fixed_n, _Problem, cell_log_probs

RESULTS = Path(__file__).parent / "results"

# Rcapture 1.4-4, closedpCI.t(hare, m = "Mth", h = "Normal") (results/SOURCE.md): the
# same model in Rivest's (2011) log-linear parametrisation, fitted by Poisson likelihood.
RCAPTURE_HARE = {
    "abundance": 92.00589,
    "intercept": 3.1782992,
    "beta": [-1.8279316, -0.98179053, -1.5107839, -1.10486084, -1.29977069, -0.74805666],
    "sigma": 0.96528306,
    "deviance": 50.858,
    "df": 55,
}


def table_from(x: np.ndarray, names: str = "ABCDEF") -> pd.DataFrame:
    x = x[x.sum(axis=1) > 0]
    frame = pd.DataFrame(x, columns=list(names[: x.shape[1]]))
    return frame.value_counts().rename("count").reset_index()


def logit_normal_table(seed: int, n: int, sigma: float, mu) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    e = rng.normal(0.0, sigma, n)
    p = 1.0 / (1.0 + np.exp(-(np.asarray(mu)[None, :] + e[:, None])))
    return table_from((rng.random(p.shape) < p).astype(int))


def hare() -> pd.DataFrame:
    table = pd.read_csv(RESULTS / "hare.csv")
    assert int(table["count"].sum()) == 68 and table.shape[1] == 7
    return table


def test_model_is_the_one_rcapture_fits_on_the_snowshoe_hare_data():
    # At Rcapture's estimates (its beta_j are our alpha_j), our cell probabilities give
    # exactly Rcapture's fitted Poisson deviance: same model, same quadrature accuracy.
    data = capture_data_from_table(hare())
    ref = RCAPTURE_HARE
    total = 68 + math.exp(ref["intercept"])
    assert total == pytest.approx(ref["abundance"], abs=1e-4)
    logp = cell_log_probs(data.patterns.astype(float), np.array(ref["beta"]), ref["sigma"])
    mu = total * np.exp(logp)
    y = data.counts
    safe = np.where(y > 0, y, 1.0)
    dev = 2 * np.sum(np.where(y > 0, y * np.log(safe / mu), 0.0) - (y - mu))
    assert dev == pytest.approx(ref["deviance"], abs=5e-4)


def test_snowshoe_hare_estimate_agrees_with_rcapture():
    r = mse.fit(hare(), method="logit_normal")
    ref = RCAPTURE_HARE
    # Rcapture maximises the Poisson (conditional) likelihood: 92.0. We maximise the
    # multinomial likelihood with N continuous, which on 68 animals lands 3 lower (89.0);
    # the two are asymptotically the same estimator (Sanathanan 1972).
    assert abs(r.population_estimate / ref["abundance"] - 1) < 0.04
    assert r.model_params["sigma"] == pytest.approx(ref["sigma"], abs=0.08)
    for name, beta in zip(("c1", "c2", "c3", "c4", "c5", "c6"), ref["beta"], strict=True):
        assert r.model_params[name] == pytest.approx(beta, abs=0.1)
    assert r.df_resid == ref["df"]
    assert r.deviance == pytest.approx(ref["deviance"], abs=0.1)
    assert r.ci_low < r.population_estimate < ref["abundance"] < r.ci_high
    assert math.isfinite(r.ci_high)
    text = r.summary()
    assert "Coull & Agresti" in text and "sigma" in text and "profile likelihood" in text


def test_profile_interval_ends_are_where_the_deviance_crosses_the_chi_square_quantile():
    data = capture_data_from_table(hare())
    r = mse.fit(hare(), method="logit_normal")
    prob = _Problem.from_data(data)
    crit = stats.chi2.ppf(0.95, 1)
    start = np.append(np.array(RCAPTURE_HARE["beta"]), 1.0)
    ll_hat, _ = _fit_fixed_n(prob, r.population_estimate - 68, start)
    for end in (r.ci_low, r.ci_high):
        ll, _ = _fit_fixed_n(prob, end - 68, start)
        assert 2 * (ll_hat - ll) == pytest.approx(crit, abs=0.01)
    inside, _ = _fit_fixed_n(prob, 0.5 * (r.ci_low + r.population_estimate) - 68, start)
    assert 2 * (ll_hat - inside) < crit


def test_quadrature_agrees_with_gauss_hermite_for_moderate_sigma():
    pats = np.array([[0, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 1], [1, 1, 1, 1]], dtype=float)
    alpha = np.array([-1.0, -1.2, -0.8, -1.4])
    z, w = hermite_e.hermegauss(80)
    logw = np.log(w / w.sum())
    for sigma in (0.0, 0.5, 1.0):
        ours = cell_log_probs(pats, alpha, sigma)
        gh = cell_log_probs(pats, alpha, sigma, z=z, logw=logw)
        assert np.allclose(ours, gh, rtol=0, atol=1e-9), sigma
    # Large sigma, where few Gauss-Hermite nodes fail: compare with a much finer rule.
    fine = np.linspace(-9, 9, 4001)
    fine_logw = -0.5 * fine**2 - np.log(np.exp(-0.5 * fine**2).sum())
    for sigma, tol in ((2.0, 1e-11), (5.0, 1e-11), (7.0, 1e-7), (9.99, 1e-5)):
        ours = cell_log_probs(pats, alpha, sigma)
        ref = cell_log_probs(pats, alpha, sigma, z=fine, logw=fine_logw)
        assert np.allclose(ours, ref, rtol=0, atol=tol), sigma
    # The cell probabilities sum to 1 over all 16 patterns.
    every = np.array([[(k >> j) & 1 for j in range(4)] for k in range(16)], dtype=float)
    assert np.exp(cell_log_probs(every, alpha, 1.3)).sum() == pytest.approx(1.0, abs=1e-12)


def test_without_heterogeneity_it_agrees_with_independence():
    rng = np.random.default_rng(5)
    table = table_from((rng.random((4000, 4)) < [0.3, 0.25, 0.35, 0.2]).astype(int))
    ln = mse.fit(table, method="logit_normal")
    me = mse.fit(table, method="main_effects")
    assert ln.model_params["sigma"] < 0.3
    assert abs(ln.population_estimate / me.population_estimate - 1) < 0.03
    assert ln.ci_low <= 4000 <= ln.ci_high


def test_recovers_n_on_one_large_logit_normal_population():
    table = logit_normal_table(seed=7, n=20_000, sigma=1.0, mu=(-1.0, -1.2, -0.8, -1.4))
    r = mse.fit(table, method="logit_normal")
    assert r.ci_low <= 20_000 <= r.ci_high
    assert abs(r.population_estimate / 20_000 - 1) < 0.05
    assert r.model_params["sigma"] == pytest.approx(1.0, abs=0.15)
    # Ignoring the heterogeneity badly underestimates the same population.
    assert mse.fit(table, method="main_effects").ci_high < 20_000


def test_flat_profile_gives_an_infinite_upper_limit_not_a_made_up_number():
    # 120 people, 3 lists, strong heterogeneity: the estimate is finite but the data
    # cannot rule out very large totals.
    table = logit_normal_table(seed=2, n=120, sigma=2.0, mu=(-1.5, -1.5, -1.5))
    r = mse.fit(table, method="logit_normal")
    n = r.n_observed
    assert math.isfinite(r.population_estimate) and r.ci_low <= r.population_estimate
    assert r.ci_high == math.inf
    assert "none: the likelihood does not fall enough" in r.summary()
    assert r.as_dict()["ci_high"] is None
    # The claim is true: a total 50 times the observed count is not rejected.
    prob = _Problem.from_data(capture_data_from_table(table))
    start = np.append([r.model_params[c] for c in "ABC"], 1.0)
    ll_hat, _ = _fit_fixed_n(prob, r.population_estimate - n, start)
    ll_far, _ = _fit_fixed_n(prob, 49 * n, start)
    assert 2 * (ll_hat - ll_far) < stats.chi2.ppf(0.95, 1)


def test_no_finite_estimate_when_the_likelihood_rises_without_bound():
    # Two classes, 90% nearly invisible (the LCMCR paper's design): a normal catchability
    # term fits best with ever more people on no list.
    rng = np.random.default_rng(2016)
    hard = rng.random(2000) < 0.9
    p = np.where(
        hard[:, None],
        np.array([0.033, 0.033, 0.099, 0.132, 0.033])[None, :],
        np.array([0.660, 0.825, 0.759, 0.990, 0.693])[None, :],
    )
    table = table_from((rng.random((2000, 5)) < p).astype(int), names="ABCDE")
    with pytest.raises(mse.EstimateNotAvailableError, match="no finite estimate"):
        mse.fit(table, method="logit_normal")
    view = mse.compare(table, methods=["main_effects", "logit_normal"]).set_index("method")
    assert math.isnan(view.loc["logit_normal", "estimate"])
    assert "sigma" in view.loc["logit_normal", "error"]
    assert view.loc["logit_normal", "interval"] == "profile"
    assert view.loc["main_effects", "error"] == ""


def test_two_lists_are_refused_with_a_reason():
    table = pd.DataFrame({"police": [1, 0, 1], "ngo": [0, 1, 1], "count": [40, 30, 20]})
    with pytest.raises(mse.EstimateNotAvailableError, match=r"at least 3 lists.*police, ngo"):
        mse.fit(table, method="logit_normal")


def test_only_the_profile_interval_is_offered():
    with pytest.raises(ValueError, match="profile-likelihood interval only"):
        mse.fit(hare(), method="logit_normal", interval="bca")


def test_bad_tables_are_rejected_as_for_every_method():
    bad = pd.DataFrame({"A": [1, 0, 2], "B": [0, 1, 1], "C": [1, 1, 0], "count": [5, 6, 7]})
    with pytest.raises(ValueError, match="list column 'A' must contain only 0 and 1"):
        mse.fit(bad, method="logit_normal")
    neg = pd.DataFrame({"A": [1, 0, 1], "B": [0, 1, 1], "C": [1, 1, 0], "count": [5, -6, 7]})
    with pytest.raises(ValueError, match="negative count"):
        mse.fit(neg, method="logit_normal")
