"""Tests for tipstats.effects.before_after against a hand-computed example and OLS."""

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from tipstats.effects import BeforeAfterResult, before_after


@pytest.fixture
def monthly_counts():
    # government: before 1, 2, 3 (mean 2, var 1); after 4, 5, 6 (mean 5, var 1)
    # non-government: before 1, 3 (mean 2, var 2); after 2, 4 (mean 3, var 2)
    return pd.DataFrame(
        {
            "source": ["government"] * 6 + ["non_government"] * 4,
            "phase": ["before"] * 3 + ["after"] * 3 + ["before"] * 2 + ["after"] * 2,
            "cases": [1, 2, 3, 4, 5, 6, 1, 3, 2, 4],
        }
    )


def test_hand_computed_difference_in_differences(monthly_counts):
    r = before_after(monthly_counts, group="source", period="phase", outcome="cases")
    assert isinstance(r, BeforeAfterResult)
    assert r.difference_in_differences == pytest.approx((5 - 2) - (3 - 2))  # 2
    # SE = sqrt(1/3 + 1/3 + 2/2 + 2/2) = sqrt(8/3)
    assert r.std_err == pytest.approx(math.sqrt(8 / 3))
    # Welch-Satterthwaite df = (8/3)^2 / ((1/3)^2/2 + (1/3)^2/2 + 1^2/1 + 1^2/1) = 64/19
    assert r.df == pytest.approx(64 / 19)
    crit = stats.t.ppf(0.975, 64 / 19)
    assert r.ci_low == pytest.approx(2 - crit * math.sqrt(8 / 3))
    assert r.ci_high == pytest.approx(2 + crit * math.sqrt(8 / 3))
    assert r.p_value == pytest.approx(2 * stats.t.sf(2 / math.sqrt(8 / 3), 64 / 19))
    gov, ngo = r.changes.to_dict("records")
    assert gov["group"] == "government"
    assert (gov["mean_before"], gov["mean_after"], gov["change"]) == (2, 5, 3)
    assert gov["percent_change"] == pytest.approx(150)
    assert ngo["percent_change"] == pytest.approx(50)
    assert (ngo["n_before"], ngo["n_after"]) == (2, 2)
    # per-group change CI: Welch interval for 5 - 2 with SE sqrt(2/3), df 4
    crit = stats.t.ppf(0.975, 4)
    assert gov["change_ci_low"] == pytest.approx(3 - crit * math.sqrt(2 / 3))
    # percent change CI from the delta method on log(5/2)
    se_log = math.sqrt((1 / 3) / 4 + (1 / 3) / 25)
    dof = (1 / 12 + 1 / 75) ** 2 / ((1 / 12) ** 2 / 2 + (1 / 75) ** 2 / 2)
    crit = stats.t.ppf(0.975, dof)
    assert gov["percent_change_ci_low"] == pytest.approx(
        100 * (math.exp(math.log(2.5) - crit * se_log) - 1)
    )
    assert "Difference in differences" in r.summary()


def test_matches_ols_interaction_with_hc2(monthly_counts):
    rng = np.random.default_rng(3)
    n = 40
    df = pd.DataFrame(
        {
            "source": rng.choice(["government", "non_government"], n),
            "phase": rng.choice(["before", "after"], n),
        }
    )
    df["cases"] = (
        20
        + 5 * (df["phase"] == "after")
        + 3 * ((df["phase"] == "after") & (df["source"] == "government"))
        + rng.normal(0, 2, n)
    )
    r = before_after(df, group="source", period="phase", outcome="cases", alpha=0.1)
    gov = (df["source"] == "government").astype(float)
    after = (df["phase"] == "after").astype(float)
    X = np.column_stack([np.ones(n), gov, after, gov * after])
    fit = sm.OLS(df["cases"].to_numpy(), X).fit(cov_type="HC2")
    assert r.difference_in_differences == pytest.approx(fit.params[3])
    assert r.std_err == pytest.approx(fit.bse[3])


def test_group_order_and_labels(monthly_counts):
    df = monthly_counts.replace({"phase": {"before": 2019, "after": 2021}})
    r = before_after(
        df,
        group="source",
        period="phase",
        outcome="cases",
        groups=("non_government", "government"),
        periods=(2019, 2021),
    )
    assert r.difference_in_differences == pytest.approx(-2)
    assert r.changes["group"].tolist() == ["non_government", "government"]


def test_missing_values_dropped_and_zero_baseline(monthly_counts):
    extra = pd.DataFrame(
        {"source": ["government", None], "phase": ["after", "before"], "cases": [np.nan, 3]}
    )
    r = before_after(
        pd.concat([monthly_counts, extra], ignore_index=True),
        group="source",
        period="phase",
        outcome="cases",
    )
    assert r.n_dropped == 2
    assert r.difference_in_differences == pytest.approx(2)
    zero = monthly_counts.copy()
    zero.loc[[6, 7], "cases"] = 0
    r = before_after(zero, group="source", period="phase", outcome="cases")
    ngo = r.changes.iloc[1]
    assert math.isnan(ngo["percent_change"])
    assert math.isnan(ngo["percent_change_ci_low"])


def test_errors(monthly_counts):
    kwargs = {"group": "source", "period": "phase", "outcome": "cases"}
    other = monthly_counts.copy()
    other.loc[4, "source"] = "un_agency"
    with pytest.raises(ValueError, match="row 4: column 'source' has value 'un_agency'"):
        before_after(other, **kwargs)
    with pytest.raises(ValueError, match="'non_government' has 1 observation"):
        before_after(monthly_counts.drop(index=9), **kwargs)
    with pytest.raises(ValueError, match="outcome='victims' is not a column"):
        before_after(monthly_counts, group="source", period="phase", outcome="victims")
    with pytest.raises(ValueError, match="periods must be two different values"):
        before_after(monthly_counts, periods=("before",), **kwargs)
    with pytest.raises(ValueError, match="must be numeric"):
        before_after(monthly_counts.assign(cases="many"), **kwargs)
