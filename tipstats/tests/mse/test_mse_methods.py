"""Hand-checked unit tests of the MSE models, selection rules and intervals."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import optimize, stats
from scipy.special import gammaln

from tipstats import mse
from tipstats.mse._data import capture_data_from_table
from tipstats.mse._design import build_design
from tipstats.mse._existence import check_model, lp_max_min_cell, positive_table_certificate
from tipstats.mse._glm import fit_poisson
from tipstats.mse._intervals import bca_limits, jackknife_acceleration
from tipstats.mse._selection import main_effects, sparse_stepwise


def table(cells: dict[str, int], lists: str = "ABC") -> pd.DataFrame:
    """``{"101": 25}`` -> a capture-history frame with columns A, B, C, count."""
    rows = [dict(zip(lists, map(int, k), strict=True)) | {"count": v} for k, v in cells.items()]
    return pd.DataFrame(rows, columns=[*lists, "count"])


# --------------------------------------------------------------------------- two lists


def test_two_lists_main_effects_is_lincoln_petersen():
    # n1 = 40 + 20 = 60 on A, n2 = 30 + 20 = 50 on B, m = 20 on both.
    result = mse.fit(table({"10": 40, "01": 30, "11": 20}, "AB"), method="main_effects")
    assert result.population_estimate == pytest.approx(60 * 50 / 20, rel=1e-10)
    assert result.n_unobserved_estimate == pytest.approx(40 * 30 / 20, rel=1e-10)
    assert result.n_observed == 90


def test_two_lists_profile_interval_matches_closed_form_multinomial_profile():
    """For two lists the multinomial profile likelihood of N has a closed form."""
    n1, n2, n = 60, 50, 90

    def loglik(N: float) -> float:
        out = gammaln(N + 1) - gammaln(N - n + 1)
        for k in (n1, n2):
            out += k * math.log(k / N) + (N - k) * math.log(1 - k / N)
        return out

    mle = optimize.minimize_scalar(lambda N: -loglik(N), bounds=(n + 1e-6, 1000), method="bounded")
    target = -mle.fun - stats.chi2.ppf(0.95, 1) / 2
    low = optimize.brentq(lambda N: loglik(N) - target, n + 1e-6, mle.x)
    high = optimize.brentq(lambda N: loglik(N) - target, mle.x, 1000)

    result = mse.fit(table({"10": 40, "01": 30, "11": 20}, "AB"), method="main_effects")
    assert result.ci_low == pytest.approx(low, rel=1e-6)
    assert result.ci_high == pytest.approx(high, rel=1e-6)
    assert result.profile_mle == pytest.approx(mle.x, rel=1e-5)
    assert result.ci_low < result.population_estimate < result.ci_high


def test_two_lists_stepwise_cannot_add_the_unidentifiable_interaction():
    # A strongly "significant" overlap, but 4 parameters for 3 cells.
    result = mse.fit(table({"10": 10, "01": 10, "11": 80}, "AB"), threshold=0.5)
    assert result.interactions == ()
    assert result.population_estimate == pytest.approx(90 * 90 / 80)


@pytest.mark.parametrize("method", mse.LOGLINEAR_METHODS)
@pytest.mark.parametrize("interval", ["profile", "bca"])
def test_two_lists_every_method_gives_lincoln_petersen(method, interval):
    # Reported: aic_stepwise fitted the two-list interaction (4 parameters, 3 cells)
    # before checking it and died with a numpy broadcasting error.
    frame = pd.DataFrame({"A": [1, 0, 1], "B": [0, 1, 1], "count": [40, 30, 20]})
    kwargs = {"n_boot": 50, "seed": 1} if interval == "bca" else {}
    result = mse.fit(frame, count="count", method=method, interval=interval, **kwargs)
    assert result.interactions == ()
    assert result.population_estimate == pytest.approx(60 * 50 / 20, rel=1e-10)


def test_two_lists_without_overlap_has_no_estimate():
    with pytest.raises(mse.EstimateNotAvailableError, match="does not exist"):
        mse.fit(table({"10": 10, "01": 12}, "AB"), method="main_effects")


# --------------------------------------------------------------------------- three lists

# Expected counts of 1,000 people on lists with capture probabilities .5, .4, .2,
# independently: the unobserved cell is 1000 * .5 * .6 * .8 = 240.
INDEPENDENT = {"100": 240, "010": 160, "001": 60, "110": 160, "101": 60, "011": 40, "111": 40}


@pytest.mark.parametrize("method", ["main_effects", "sparse_stepwise", "aic_stepwise"])
def test_three_lists_exactly_independent(method):
    result = mse.fit(table(INDEPENDENT), method=method)
    assert result.population_estimate == pytest.approx(1000, rel=1e-9)
    assert result.n_unobserved_estimate == pytest.approx(240, rel=1e-9)
    assert result.interactions == ()
    assert result.deviance == pytest.approx(0, abs=1e-8)
    # main-effect coefficients are the log odds of being on each list
    assert result.model_params["A"] == pytest.approx(math.log(0.5 / 0.5))
    assert result.model_params["B"] == pytest.approx(math.log(0.4 / 0.6))
    assert result.model_params["C"] == pytest.approx(math.log(0.2 / 0.8))


def test_three_lists_all_pairs_no_three_way_interaction():
    """With every pair in, mu_000 = n100 n010 n001 n111 / (n110 n101 n011).

    SparseMSE's threshold 1 first tries the model with every pair.
    """
    cells = {"100": 50, "010": 40, "001": 30, "110": 10, "101": 8, "011": 6, "111": 2}
    result = mse.fit(table(cells), threshold=1.0)
    hidden = 50 * 40 * 30 * 2 / (10 * 8 * 6)
    assert result.interactions == (("A", "B"), ("A", "C"), ("B", "C"))
    assert result.n_unobserved_estimate == pytest.approx(hidden, rel=1e-9)
    assert result.population_estimate == pytest.approx(146 + hidden, rel=1e-9)
    assert result.df_resid == 0


def test_threshold_zero_gives_main_effects():
    cells = {"100": 50, "010": 40, "001": 30, "110": 10, "101": 8, "011": 6, "111": 2}
    assert mse.fit(table(cells), threshold=0.0).interactions == ()


# --------------------------------------------------------------------------- non-overlap


NON_OVERLAP = {"100": 100, "010": 100, "001": 50, "101": 25, "011": 25}  # nobody on A and B


def test_non_overlapping_pair_gets_minus_infinity():
    """A and B never overlap although independence expects ~2 of 300 each way.

    Step 1: A:B enters with p = exp(-lambda), lambda the main-effects fitted
    count on both A and B; its patterns (110, 111) become structural zeros.
    On the other five patterns, by hand: u(a+b)(1+g) + ug = 300 with
    ua(1+g) = ub(1+g) = 125 and ug(1+a+b) = 100 give ug = 50, a = b = 1/2,
    u = 200. So the unobserved count is 200 and N = 500. A:C and B:C then
    fit exactly (observed 25 = expected 25) and are not added.
    """
    result = mse.fit(table(NON_OVERLAP))
    assert result.interactions == (("A", "B"),)
    assert result.empty_overlaps == (("A", "B"),)
    assert result.model_params["A:B"] == -math.inf
    assert result.n_unobserved_estimate == pytest.approx(200, rel=1e-9)
    assert result.population_estimate == pytest.approx(500, rel=1e-9)
    assert result.model_params["A"] == pytest.approx(math.log(0.5))
    assert result.model_params["C"] == pytest.approx(math.log(0.25))

    # Independent check of the first step's p-value with statsmodels.
    data = capture_data_from_table(table(NON_OVERLAP))
    X = build_design(data, []).X
    ref = sm.GLM(data.counts, X, family=sm.families.Poisson()).fit()
    both = (data.patterns[:, 0] & data.patterns[:, 1]) == 1
    lam = ref.fittedvalues[both].sum()
    assert result.selection_path[0].p_value == pytest.approx(math.exp(-lam), rel=1e-6)
    assert result.selection_path[0].p_value < 0.02


def test_non_overlapping_pair_drops_cells_from_design():
    data = capture_data_from_table(table(NON_OVERLAP))
    design = build_design(data, [(0, 1)])
    assert design.empty_pairs == ((0, 1),)
    assert design.fitted_pairs == ()
    kept = {"".join(map(str, p)) for p in data.patterns[design.keep]}
    assert kept == {"100", "010", "001", "101", "011"}
    assert design.column_names == ("(Intercept)", "A", "B", "C")
    # Without structural zeros (AIC stepwise) the pair gets a column instead.
    plain = build_design(data, [(0, 1)], structural_zeros=False)
    assert plain.keep.all()
    assert plain.column_names[-1] == "A:B"


def test_aic_stepwise_does_not_use_structural_zeros():
    """Bales et al.'s rule fits the plain model: A:B's MLE is -inf, its Wald p ~ 1."""
    result = mse.fit(table(NON_OVERLAP), method="aic_stepwise", threshold=0.05)
    assert ("A", "B") not in result.interactions


# --------------------------------------------------------------------------- LP check

# Everyone on A is also on B, so under a model with A:B the fitted A-not-B
# cells would have to be zero: gamma_AB = +inf and the MLE does not exist.
NESTED = {"110": 5, "111": 3, "010": 20, "001": 30, "011": 4}


def test_lp_check_rejects_model_whose_mle_does_not_exist():
    data = capture_data_from_table(table(NESTED))
    bad = check_model(data, [(0, 1)])
    assert not bad.exists
    assert bad.identifiable
    assert bad.error_code == 1
    assert bad.lp_value == pytest.approx(0, abs=1e-9)
    good = check_model(data, [])
    assert good.exists and good.ok
    assert good.lp_value > 0.5


def test_lp_value_is_the_largest_minimum_cell():
    # Main effects for two lists with cells (10, 01, 11) = (4, 6, 2): the
    # margins fix the table completely, so the best minimum cell is 2.
    data = capture_data_from_table(table({"10": 4, "01": 6, "11": 2}, "AB"))
    design = build_design(data, [])
    assert lp_max_min_cell(design.X, design.y) == pytest.approx(2.0)


def test_stepwise_skips_significant_pair_whose_mle_does_not_exist():
    data = capture_data_from_table(table(NESTED))
    base = main_effects(data)
    both = (data.patterns[:, 0] & data.patterns[:, 1]) == 1
    lam = base.fit.mu[both[base.design.keep]].sum()
    p_ab = min(stats.poisson.cdf(8, lam), stats.poisson.sf(7, lam))
    assert p_ab < 0.02  # A:B would be chosen on its p-value alone ...
    model = sparse_stepwise(data, 0.02)
    assert (0, 1) not in model.pairs  # ... but the LP check rules it out


def test_certificate_never_contradicts_the_lp():
    data = capture_data_from_table(table(NESTED))
    design = build_design(data, [(0, 1)])
    fit = fit_poisson(design.X, design.y)
    assert not positive_table_certificate(design.X, design.y, fit.mu)
    ok_design = build_design(data, [])
    ok_fit = fit_poisson(ok_design.X, ok_design.y)
    if positive_table_certificate(ok_design.X, ok_design.y, ok_fit.mu):
        assert check_model(data, []).exists


# --------------------------------------------------------------------------- fitting


@pytest.mark.parametrize("pairs", [[], [(3, 4)], [(0, 1), (3, 4), (2, 6)]])
def test_poisson_fit_matches_statsmodels(pairs):
    from pathlib import Path

    frame = pd.read_csv(Path(__file__).parent / "results" / "NewOrl.csv")
    data = capture_data_from_table(frame)
    design = build_design(data, pairs)
    ours = fit_poisson(design.X, design.y)
    ref = sm.GLM(design.y, design.X, family=sm.families.Poisson()).fit(tol=1e-12)
    assert ours.converged
    np.testing.assert_allclose(ours.coef, ref.params, rtol=1e-6, atol=1e-7)
    # Like R's glm, our standard errors use the weights of the last IRLS
    # iteration, statsmodels those at the final estimate: agree to ~1e-5.
    np.testing.assert_allclose(ours.std_errors, ref.bse, rtol=1e-4)
    assert ours.deviance == pytest.approx(ref.deviance, rel=1e-8)
    assert ours.aic == pytest.approx(ref.aic, rel=1e-10)


# --------------------------------------------------------------------------- BCa pieces


def test_bca_without_bias_or_acceleration_is_the_percentile_interval():
    rng = np.random.default_rng(0)
    est = rng.permutation(np.arange(1.0, 1001.0))
    (low, high), z0 = bca_limits(est, 500.5, 0.0, np.array([0.025, 0.975]))
    assert z0 == 0.0
    expected = np.quantile(est, [0.025, 0.975], method="median_unbiased")
    assert (low, high) == pytest.approx(tuple(expected))


def test_bca_shifts_levels_by_bias_correction():
    est = np.arange(1.0, 1001.0)
    point = est[round(stats.norm.cdf(1.0) * 1000)]  # ~84% of estimates below
    (low, _), z0 = bca_limits(est, point, 0.0, np.array([0.025, 0.975]))
    assert z0 == pytest.approx(stats.norm.ppf(np.mean(est < point)))
    level = stats.norm.cdf(2 * z0 + stats.norm.ppf(0.025))
    assert low == pytest.approx(np.quantile(est, level, method="median_unbiased"))


def test_jackknife_acceleration_formula():
    counts = np.array([3.0, 1.0])
    jack = np.array([10.0, 14.0])
    # weighted mean 11; residuals (1, -3); sum w r^3 = 3 - 27; sum w r^2 = 3 + 9
    assert jackknife_acceleration(counts, jack) == pytest.approx(-24 / (6 * 12**1.5))
    assert jackknife_acceleration(counts, np.array([5.0, 5.0])) == 0.0


# --------------------------------------------------------------------------- bootstrap API


def test_bootstrap_is_reproducible_and_independent_of_n_jobs():
    calls: list[tuple[int, int]] = []
    one = mse.fit(table(NON_OVERLAP), interval="bca", n_boot=40, seed=7, n_jobs=1)
    two = mse.fit(
        table(NON_OVERLAP),
        interval="bca",
        n_boot=40,
        seed=7,
        n_jobs=2,
        progress=lambda done, total: calls.append((done, total)),
    )
    np.testing.assert_array_equal(one.bootstrap_estimates, two.bootstrap_estimates)
    assert (one.ci_low, one.ci_high) == (two.ci_low, two.ci_high)
    assert one.seed == two.seed == 7
    assert calls[-1] == (40, 40)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    other = mse.fit(table(NON_OVERLAP), interval="bca", n_boot=40, seed=8)
    assert not np.array_equal(one.bootstrap_estimates, other.bootstrap_estimates)


def test_bootstrap_without_seed_records_the_entropy_used():
    first = mse.fit(table(INDEPENDENT), method="main_effects", interval="bca", n_boot=20)
    assert isinstance(first.seed, int)
    again = mse.fit(
        table(INDEPENDENT), method="main_effects", interval="bca", n_boot=20, seed=first.seed
    )
    np.testing.assert_array_equal(first.bootstrap_estimates, again.bootstrap_estimates)
    assert first.ci_low <= first.population_estimate <= first.ci_high


def test_single_worker_progress():
    calls: list[tuple[int, int]] = []
    mse.fit(
        table(INDEPENDENT),
        method="main_effects",
        interval="bca",
        n_boot=30,
        seed=1,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert calls and calls[-1] == (30, 30)
    assert all(t == 30 for _, t in calls)


# --------------------------------------------------------------------------- result object


def test_result_summary_and_dict():
    result = mse.fit(table(NON_OVERLAP))
    text = result.summary()
    assert "Estimated population: 500" in text
    assert "A:B" in text and "Non-overlapping" in text
    assert "95% interval" in text and "profile likelihood" in text
    assert text.count("\n") >= 8
    payload = json.loads(json.dumps(result.as_dict()))
    assert payload["population_estimate"] == pytest.approx(500)
    assert payload["model_params"]["A:B"] is None  # -inf is not JSON
    assert payload["interactions"] == [["A", "B"]]
    with pytest.raises(AttributeError):
        result.population_estimate = 1.0  # type: ignore[misc]


def test_estimator_configuration_is_separate_from_result():
    est = mse.MSEEstimator(method="main_effects")
    r1 = est.fit(table(INDEPENDENT))
    r2 = est.fit(table({"100": 10, "010": 10, "001": 10, "110": 2, "011": 2, "101": 2}))
    assert r1.method == r2.method == "main_effects"
    assert r1.population_estimate != r2.population_estimate
    assert est == mse.MSEEstimator(method="main_effects")


def test_custom_count_column_and_list_order():
    frame = table(INDEPENDENT).rename(columns={"count": "n"})[["n", "C", "A", "B"]]
    result = mse.fit(frame, count="n", method="main_effects")
    assert result.lists == ("C", "A", "B")
    assert result.population_estimate == pytest.approx(1000)


def test_progress_callback_can_cancel_a_parallel_bootstrap():
    class Stop(Exception):
        pass

    def cancel(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        mse.fit(table(NON_OVERLAP), interval="bca", n_boot=200, seed=1, n_jobs=2, progress=cancel)


# --------------------------------------------------------------------------- resample edge cases


def _new_orleans() -> pd.DataFrame:
    from pathlib import Path

    return pd.read_csv(Path(__file__).parent / "results" / "NewOrl.csv")


def test_resample_with_an_empty_list_keeps_main_effects_like_sparsemse():
    """SparseMSE's LP fails every model once a list has no cases, so no pair enters."""
    data = capture_data_from_table(_new_orleans())
    counts = data.counts.copy()
    counts[data.patterns[:, 1] == 1] = 0  # list B loses its cases
    model = sparse_stepwise(data.with_counts(counts), 0.02)
    assert model.pairs == ()
    assert np.isfinite(model.population)


def test_existence_certificate_gives_the_same_selections_as_the_lp(monkeypatch):
    import tipstats.mse._existence as existence

    data = capture_data_from_table(_new_orleans())
    rng = np.random.default_rng(11)
    resamples = [
        data.with_counts(rng.multinomial(data.n_observed, data.counts / data.n_observed))
        for _ in range(25)
    ]
    with_certificate = [sparse_stepwise(d, 0.02) for d in resamples]
    monkeypatch.setattr(existence, "positive_table_certificate", lambda *args: False)
    lp_only = [sparse_stepwise(d, 0.02) for d in resamples]
    assert [m.pairs for m in with_certificate] == [m.pairs for m in lp_only]
    assert any(len(m.pairs) > 1 for m in lp_only)
