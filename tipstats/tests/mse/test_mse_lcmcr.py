"""LCMCR, the Bayesian latent-class estimator (Manrique-Vallier 2016), and the
side-by-side comparison of every method."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tipstats import mse

RESULTS = Path(__file__).parent / "results"
# Short chains for the fast tests; the defaults are ten times longer.
SHORT = {"lcmcr_burnin": 500, "lcmcr_samples": 300, "lcmcr_thinning": 3}


def table_from(x: np.ndarray, names: str = "ABCD") -> pd.DataFrame:
    x = x[x.sum(axis=1) > 0]
    frame = pd.DataFrame(x, columns=list(names[: x.shape[1]]))
    return frame.value_counts().rename("count").reset_index()


def latent_class_population(rng, n: int = 2000) -> pd.DataFrame:
    """The simulation of Manrique-Vallier (2016, section 4): 5 lists, 90% of people
    hard for every list to find, 10% easy (the model LCMCR assumes holds)."""
    hard = rng.random(n) < 0.9
    p = np.where(
        hard[:, None],
        np.array([0.033, 0.033, 0.099, 0.132, 0.033])[None, :],
        np.array([0.660, 0.825, 0.759, 0.990, 0.693])[None, :],
    )
    return table_from((rng.random((n, 5)) < p).astype(int), names="ABCDE")


def logit_normal_population(rng, n: int = 5000, sigma: float = 1.0, mu=(-1.0, -1.2, -0.8, -1.4)):
    """Each person's catchability on the logit scale is list effect + a shared N(0, sigma) term."""
    e = rng.normal(0.0, sigma, n)
    p = 1.0 / (1.0 + np.exp(-(np.asarray(mu)[None, :] + e[:, None])))
    return table_from((rng.random(p.shape) < p).astype(int))


def test_lcmcr_result_is_a_posterior_median_and_credible_interval():
    table = pd.read_csv(RESULTS / "NewOrl.csv")
    r = mse.fit(table, method="lcmcr", seed=3, **SHORT)
    assert r.method == "lcmcr" and r.interval == "credible"
    draws = r.posterior_samples
    assert draws is not None and len(draws) == SHORT["lcmcr_samples"]
    assert r.population_estimate == np.median(draws)
    assert r.ci_low == pytest.approx(np.quantile(draws, 0.025))
    assert r.ci_high == pytest.approx(np.quantile(draws, 0.975))
    assert r.n_observed <= r.ci_low <= r.population_estimate <= r.ci_high
    assert r.n_unobserved_estimate == r.population_estimate - r.n_observed
    assert draws.min() >= r.n_observed
    text = r.summary()
    assert "LCMCR" in text and "credible" in text and "seed 3" in text
    d = r.as_dict()
    assert d["method"] == "lcmcr" and d["lcmcr_settings"]["K"] == 10
    assert d["aic"] is None


def test_lcmcr_is_reproducible_with_a_seed_and_differs_without():
    table = pd.read_csv(RESULTS / "NewOrl.csv")
    a = mse.fit(table, method="lcmcr", seed=11, **SHORT)
    b = mse.fit(table, method="lcmcr", seed=11, **SHORT)
    c = mse.fit(table, method="lcmcr", seed=12, **SHORT)
    assert np.array_equal(a.posterior_samples, b.posterior_samples)
    assert not np.array_equal(a.posterior_samples, c.posterior_samples)
    unseeded = mse.fit(table, method="lcmcr", **SHORT)
    again = mse.fit(table, method="lcmcr", seed=unseeded.seed, **SHORT)
    assert np.array_equal(unseeded.posterior_samples, again.posterior_samples)


def test_lcmcr_agrees_with_independence_when_lists_are_independent():
    rng = np.random.default_rng(5)
    table = table_from((rng.random((4000, 4)) < [0.3, 0.25, 0.35, 0.2]).astype(int))
    lc = mse.fit(table, method="lcmcr", seed=1, **SHORT)
    me = mse.fit(table, method="main_effects")
    assert lc.ci_low <= 4000 <= lc.ci_high
    assert abs(lc.population_estimate / me.population_estimate - 1) < 0.05


@pytest.mark.parametrize(
    ("field", "value"),
    [("lcmcr_K", 1), ("lcmcr_burnin", -1), ("lcmcr_samples", 5), ("lcmcr_thinning", 0)],
)
def test_lcmcr_settings_are_validated(field, value):
    table = pd.read_csv(RESULTS / "NewOrl.csv")
    with pytest.raises(ValueError, match=field):
        mse.fit(table, method="lcmcr", **{field: value})


def test_compare_lists_every_method_with_its_interval():
    table = pd.read_csv(RESULTS / "UKdat_5.csv")
    view = mse.compare(table, seed=4, **SHORT)
    assert list(view.columns) == list(mse.COMPARE_COLUMNS)
    assert list(view["method"]) == list(mse.ALL_METHODS)
    by = view.set_index("method")
    # The log-linear rows are exactly what fit() gives with the published thresholds.
    aic = mse.fit(table, method="aic_stepwise", threshold=0.05)
    assert by.loc["aic_stepwise", "estimate"] == pytest.approx(aic.population_estimate)
    assert by.loc["aic_stepwise", "ci_high"] == pytest.approx(aic.ci_high)
    assert by.loc["lcmcr", "interval"] == "credible"
    ln = mse.fit(table, method="logit_normal")
    assert by.loc["logit_normal", "estimate"] == pytest.approx(ln.population_estimate)
    assert by.loc["logit_normal", "interval"] == "profile"
    assert (view["ci_low"] <= view["estimate"]).all() and (
        view["estimate"] <= view["ci_high"]
    ).all()
    assert (view["error"] == "").all()


def test_compare_reports_a_method_that_has_no_estimate_and_keeps_the_others():
    # Two lists with no case in common: the log-linear MLE does not exist.
    table = pd.DataFrame({"A": [1, 0], "B": [0, 1], "count": [30, 40]})
    view = mse.compare(table, methods=["main_effects", "lcmcr"], seed=1, **SHORT).set_index(
        "method"
    )
    assert math.isnan(view.loc["main_effects", "estimate"])
    assert "does not exist" in view.loc["main_effects", "error"]
    assert view.loc["lcmcr", "error"] == ""
    # The logit-normal model needs 3 lists: a row with the reason, not a failed comparison.
    two = mse.compare(table, methods=["logit_normal"]).set_index("method")
    assert "at least 3 lists" in two.loc["logit_normal", "error"]
    with pytest.raises(ValueError, match="method must be one of"):
        mse.compare(table, methods=["bogus"])


# -- coverage by simulation ---------------------------------------------------------------
# Chains short enough for 50 replicates in about a minute on one core; on these
# 4-list tables longer chains change the coverage by less than its Monte Carlo
# error (docs/methods/mse.md gives the figures).
SIM = {"lcmcr_burnin": 1000, "lcmcr_samples": 500, "lcmcr_thinning": 4}
REPLICATES = 50


def coverage(make_table, seed: int, n: int) -> tuple[float, float]:
    rng = np.random.default_rng(seed)
    hits, medians = 0, []
    for rep in range(REPLICATES):
        r = mse.fit(make_table(rng, n), method="lcmcr", seed=rep, **SIM)
        hits += r.ci_low <= n <= r.ci_high
        medians.append(r.population_estimate)
    return hits / REPLICATES, float(np.median(medians))


@pytest.mark.slow
def test_lcmcr_covers_n_when_catchability_comes_in_classes_shared_across_lists():
    cov, median = coverage(latent_class_population, seed=2016, n=2000)
    assert cov >= 0.85, (cov, median)
    assert abs(median / 2000 - 1) < 0.1


def uncatchable_share(sigma: float, mu=(-1.0, -1.2, -0.8, -1.4), below: float = 0.05) -> float:
    """Share of the logit-normal population whose chance of being on any list is under ``below``
    (by quadrature over the normal term)."""
    e = np.linspace(-8 * sigma, 8 * sigma, 4001)
    w = np.exp(-0.5 * (e / sigma) ** 2)
    w /= w.sum()
    p = 1.0 / (1.0 + np.exp(-(np.asarray(mu)[None, :] + e[:, None])))
    caught = 1.0 - np.prod(1.0 - p, axis=1)
    return float(w[caught < below].sum())


def test_the_logit_normal_design_has_almost_nobody_who_cannot_be_caught():
    # The sigma = 1 design below is not one where people are invisible: one person in a
    # thousand has under a 5% chance of being on any list, and about 1 in 200 under 10%.
    # So LCMCR's shortfall there is not "no model can see them"; see the comment below.
    assert uncatchable_share(1.0, below=0.05) < 0.002
    assert uncatchable_share(1.0, below=0.10) < 0.01
    # The quadrature is right: with no heterogeneity nobody is below the smallest chance.
    assert uncatchable_share(1e-6, below=0.6) == 0.0


# LCMCR itself does not meet the must-show under this design: measured, its 95% interval
# covers N = 5,000 in 24-34% of 50 replicates (median estimate about 4,410), and so does
# the reference R package LCMCR 0.4.14 on the same 50 tables (24%, median 4,391); longer
# chains do not change it. Only 0.1% of N is essentially uncatchable here: the shortfall
# is the model's (a few discrete classes fit the observed overlaps with less
# low-catchability mass than the truth), not the sampler's. The robust method for
# continuous shared heterogeneity is the logit-normal model (Coull & Agresti 1999); it
# is the one held to the target, on the same 50 populations. See docs/methods/mse.md.


@pytest.mark.slow
def test_robust_method_covers_n_under_logit_normal_heterogeneity():
    rng = np.random.default_rng(2026)
    hits, estimates = 0, []
    for _ in range(REPLICATES):
        r = mse.fit(logit_normal_population(rng, 5000), method="logit_normal")
        hits += r.ci_low <= 5000 <= r.ci_high
        estimates.append(r.population_estimate)
    cov, median = hits / REPLICATES, float(np.median(estimates))
    assert cov >= 0.85, (cov, median)
    assert abs(median / 5000 - 1) < 0.05, median


# -- the reference implementation on its own example data -------------------------------
# LCMCR 0.4.14's documented Kosovo example, run with the package itself over seeds
# (results/SOURCE.md): mean over seeds and the standard deviation of one run.
KOSOVO_REFERENCE = {0.025: (9_035, 208), 0.5: (10_435, 92), 0.975: (13_910, 565)}


@pytest.mark.slow
def test_lcmcr_reproduces_the_lcmcr_package_on_kosovo():
    table = pd.read_csv(RESULTS / "kosovo.csv")
    assert int(table["count"].sum()) == 4_400 and len(table) == 15
    r = mse.fit(
        table,
        method="lcmcr",
        seed=1999,
        lcmcr_K=10,
        lcmcr_burnin=10_000,
        lcmcr_samples=1_000,
        lcmcr_thinning=100,
    )
    draws = r.posterior_samples
    for q, (mean, sd) in KOSOVO_REFERENCE.items():
        ours = float(np.quantile(draws, q))
        # Two independent runs of the same sampler differ by sqrt(2) sd; allow three of those.
        assert abs(ours - mean) <= 3 * math.sqrt(2) * sd, (q, ours, mean, sd)
