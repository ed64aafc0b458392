"""Tests for tipstats.risk.logistic_regression against statsmodels Logit."""

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from tipstats.risk import LogisticRegressionResult, logistic_regression, odds_ratio


@pytest.fixture
def survey():
    rng = np.random.default_rng(42)
    n = 400
    group = rng.choice(["non_migrant", "successful", "trafficked"], n)
    age = rng.integers(16, 45, n).astype(float)
    debt = rng.random(n) < 0.4
    lin = -1.0 + 0.9 * debt + 0.03 * (age - 30) + np.where(group == "trafficked", 0.7, 0.0)
    outcome = (rng.random(n) < 1 / (1 + np.exp(-lin))).astype(int)
    return pd.DataFrame({"outcome": outcome, "debt": debt, "age": age, "group": group})


def test_matches_statsmodels_logit(survey):
    r = logistic_regression(
        survey,
        outcome="outcome",
        predictors=["debt", "age", "group"],
        categorical=["group"],
        reference={"group": "successful"},
        alpha=0.1,
    )
    assert isinstance(r, LogisticRegressionResult)
    X = pd.DataFrame(
        {
            "const": 1.0,
            "debt": survey["debt"].astype(float),
            "age": survey["age"],
            "non_migrant": (survey["group"] == "non_migrant").astype(float),
            "trafficked": (survey["group"] == "trafficked").astype(float),
        }
    )
    fit = sm.Logit(survey["outcome"].to_numpy(), X).fit(disp=0)
    ci = np.asarray(fit.conf_int(alpha=0.1))
    table = r.odds_ratios
    assert table["term"].tolist() == [
        "Intercept",
        "debt",
        "age",
        "group[non_migrant]",
        "group[trafficked]",
    ]
    np.testing.assert_allclose(table["odds_ratio"], np.exp(fit.params), rtol=1e-6)
    np.testing.assert_allclose(table["ci_low"], np.exp(ci[:, 0]), rtol=1e-6)
    np.testing.assert_allclose(table["ci_high"], np.exp(ci[:, 1]), rtol=1e-6)
    np.testing.assert_allclose(table["p_value"], fit.pvalues, rtol=1e-5)
    assert table.loc[3, "reference"] == "successful"
    assert table.loc[3, "level"] == "non_migrant"
    assert r.n == 400
    assert r.n_events == survey["outcome"].sum()
    assert r.pseudo_r2 == pytest.approx(fit.prsquared)
    assert r.lr_p_value == pytest.approx(fit.llr_pvalue)
    assert r.converged and not r.perfect_separation


def test_single_binary_predictor_reproduces_woolf_odds_ratio():
    # For one binary predictor the logit MLE is the sample OR and its Wald CI is Woolf's.
    table = [[23, 17], [11, 41]]
    rows = []
    for exposed, row in zip((1, 0), table, strict=True):
        for case, count in zip((1, 0), row, strict=True):
            rows += [{"exposed": exposed, "case": case}] * count
    df = pd.DataFrame(rows)
    r = logistic_regression(df, outcome="case", predictors=["exposed"])
    w = odds_ratio(table)
    row = r.odds_ratios.set_index("term").loc["exposed"]
    assert row["odds_ratio"] == pytest.approx(w.odds_ratio, rel=1e-6)
    assert row["ci_low"] == pytest.approx(w.ci_low, rel=1e-6)
    assert row["ci_high"] == pytest.approx(w.ci_high, rel=1e-6)
    assert row["p_value"] == pytest.approx(w.p_value, rel=1e-5)


def test_default_reference_is_first_level_and_categorical_dtype_order(survey):
    r = logistic_regression(survey, outcome="outcome", predictors=["group"], categorical=["group"])
    assert set(r.odds_ratios["reference"].dropna()) == {"non_migrant"}
    survey = survey.assign(
        group=pd.Categorical(
            survey["group"], categories=["trafficked", "successful", "non_migrant"]
        )
    )
    r = logistic_regression(survey, outcome="outcome", predictors=["group"], categorical=["group"])
    assert set(r.odds_ratios["reference"].dropna()) == {"trafficked"}


def test_missing_rows_dropped(survey):
    survey = survey.astype({"age": float})
    survey.loc[[0, 1], "age"] = np.nan
    r = logistic_regression(survey, outcome="outcome", predictors=["age"])
    assert r.n_dropped == 2
    assert r.n == 398
    assert "excluded" in r.summary()


def test_errors(survey):
    with pytest.raises(ValueError, match="'group' is not numeric"):
        logistic_regression(survey, outcome="outcome", predictors=["group"])
    with pytest.raises(ValueError, match=r"predictors\[1\]='income' is not a column"):
        logistic_regression(survey, outcome="outcome", predictors=["age", "income"])
    with pytest.raises(ValueError, match="reference level 'x'"):
        logistic_regression(
            survey,
            outcome="outcome",
            predictors=["group"],
            categorical=["group"],
            reference={"group": "x"},
        )
    with pytest.raises(ValueError, match="'age2' is constant or a linear combination"):
        logistic_regression(
            survey.assign(age2=survey["age"] * 2), outcome="outcome", predictors=["age", "age2"]
        )
    with pytest.raises(ValueError, match="takes only one value"):
        logistic_regression(survey.assign(outcome=1), outcome="outcome", predictors=["age"])
    with pytest.raises(ValueError, match="column 'group' must be binary"):
        logistic_regression(survey, outcome="group", predictors=["age"])


def test_perfect_separation_warns_and_is_flagged():
    df = pd.DataFrame({"y": [0, 0, 0, 0, 1, 1, 1, 1, 0, 1], "x": [0, 0, 0, 0, 1, 1, 1, 1, 0, 1]})
    df["z"] = np.arange(10) % 3
    with pytest.warns(RuntimeWarning, match="perfect separation"):
        r = logistic_regression(df, outcome="y", predictors=["x", "z"])
    assert r.perfect_separation
    assert "not identified" in r.summary()


def test_outcome_level(survey):
    survey = survey.assign(status=np.where(survey["outcome"] == 1, "trafficked", "other"))
    a = logistic_regression(survey, outcome="outcome", predictors=["age"])
    b = logistic_regression(
        survey, outcome="status", predictors=["age"], outcome_level="trafficked"
    )
    np.testing.assert_allclose(a.odds_ratios["odds_ratio"], b.odds_ratios["odds_ratio"])
