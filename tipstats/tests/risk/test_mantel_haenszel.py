"""Tests for tipstats.risk.mantel_haenszel against hand calculations and statsmodels."""

import math

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.contingency_tables import StratifiedTable

from tipstats.risk import MantelHaenszelResult, mantel_haenszel, odds_ratio

# stratum -> [[a, b], [c, d]] (rows exposed/unexposed, columns case/control)
STRATA = {
    "KH": [[10, 5], [3, 12]],
    "LA": [[4, 6], [2, 9]],
    "MM": [[8, 20], [5, 30]],
}


def records(strata):
    rows = []
    for name, table in strata.items():
        for exposed, row in zip((1, 0), table, strict=True):
            for case, count in zip((1, 0), row, strict=True):
                rows += [{"country": name, "debt": exposed, "trafficked": case}] * count
    return pd.DataFrame(rows)


def test_pooled_odds_ratio_matches_hand_calculation():
    num = sum(t[0][0] * t[1][1] / np.sum(t) for t in STRATA.values())
    den = sum(t[0][1] * t[1][0] / np.sum(t) for t in STRATA.values())
    r = mantel_haenszel(records(STRATA), exposure="debt", outcome="trafficked", strata="country")
    assert isinstance(r, MantelHaenszelResult)
    assert r.odds_ratio == pytest.approx(num / den)
    assert r.n == sum(np.sum(t) for t in STRATA.values())
    assert r.n_strata == r.n_strata_informative == 3
    assert r.breslow_day_df == 2


@pytest.mark.parametrize("tarone", [False, True])
@pytest.mark.parametrize("correction", [False, True])
def test_matches_statsmodels_stratified_table(tarone, correction):
    st = StratifiedTable(np.stack([np.array(t) for t in STRATA.values()], axis=2))
    r = mantel_haenszel(
        records(STRATA),
        exposure="debt",
        outcome="trafficked",
        strata="country",
        alpha=0.1,
        tarone=tarone,
        continuity_correction=correction,
    )
    low, high = st.oddsratio_pooled_confint(alpha=0.1)
    assert r.odds_ratio == pytest.approx(st.oddsratio_pooled)
    assert r.ci_low == pytest.approx(low)
    assert r.ci_high == pytest.approx(high)
    null = st.test_null_odds(correction=correction)
    assert r.cmh_chi2 == pytest.approx(null.statistic)
    assert r.cmh_p_value == pytest.approx(null.pvalue)
    homog = st.test_equal_odds(adjust=tarone)
    assert r.breslow_day_chi2 == pytest.approx(homog.statistic)
    assert r.breslow_day_p_value == pytest.approx(homog.pvalue)


def test_cmh_statistic_hand_calculation():
    num = 0.0
    var = 0.0
    for t in STRATA.values():
        (a, b), (c, d) = t
        n = a + b + c + d
        num += a - (a + b) * (a + c) / n
        var += (a + b) * (c + d) * (a + c) * (b + d) / (n**2 * (n - 1))
    r = mantel_haenszel(records(STRATA), exposure="debt", outcome="trafficked", strata="country")
    assert r.cmh_chi2 == pytest.approx(num**2 / var)


def test_crude_odds_ratio_is_collapsed_table():
    collapsed = np.sum([np.array(t) for t in STRATA.values()], axis=0)
    r = mantel_haenszel(records(STRATA), exposure="debt", outcome="trafficked", strata="country")
    assert r.crude_odds_ratio == pytest.approx(odds_ratio(collapsed).odds_ratio)


def test_uninformative_stratum_is_reported_but_does_not_change_estimate():
    with_empty = {**STRATA, "VN": [[0, 3], [0, 5]]}  # no cases in VN
    base = mantel_haenszel(records(STRATA), exposure="debt", outcome="trafficked", strata="country")
    r = mantel_haenszel(
        records(with_empty), exposure="debt", outcome="trafficked", strata="country"
    )
    assert r.odds_ratio == pytest.approx(base.odds_ratio)
    assert r.ci_low == pytest.approx(base.ci_low)
    assert r.cmh_chi2 == pytest.approx(base.cmh_chi2)
    assert r.breslow_day_chi2 == pytest.approx(base.breslow_day_chi2)
    assert math.isfinite(r.breslow_day_p_value)
    assert (r.n_strata, r.n_strata_informative, r.breslow_day_df) == (4, 3, 2)
    vn = r.strata_table.set_index("stratum").loc["VN"]
    assert not vn["informative"]
    assert vn["n"] == 8


def test_strata_table_per_stratum_odds_ratios():
    r = mantel_haenszel(records(STRATA), exposure="debt", outcome="trafficked", strata="country")
    table = r.strata_table.set_index("stratum")
    assert table.loc["KH", "odds_ratio"] == pytest.approx(8.0)
    assert table.loc["LA", ["a", "b", "c", "d"]].tolist() == [4, 6, 2, 9]


def test_single_informative_stratum_has_no_homogeneity_test():
    r = mantel_haenszel(
        records({"KH": STRATA["KH"]}), exposure="debt", outcome="trafficked", strata="country"
    )
    assert r.odds_ratio == pytest.approx(8.0)
    assert math.isnan(r.breslow_day_chi2)
    assert "Mantel-Haenszel" in r.summary()


def test_missing_values_are_dropped_and_counted():
    df = records(STRATA)
    df.loc[0, "country"] = None
    df.loc[1, "debt"] = np.nan
    r = mantel_haenszel(df, exposure="debt", outcome="trafficked", strata="country")
    assert r.n_dropped == 2
    assert r.n == len(df) - 2


def test_errors():
    df = records(STRATA)
    with pytest.raises(ValueError, match="strata='region' is not a column"):
        mantel_haenszel(df, exposure="debt", outcome="trafficked", strata="region")
    no_info = records({"KH": [[0, 3], [0, 5]]})
    with pytest.raises(ValueError, match="nothing to pool"):
        mantel_haenszel(no_info, exposure="debt", outcome="trafficked", strata="country")
    infinite = records({"KH": [[3, 0], [2, 4]], "LA": [[5, 2], [0, 3]]})
    with pytest.raises(ValueError, match="pooled odds ratio"):
        mantel_haenszel(infinite, exposure="debt", outcome="trafficked", strata="country")
