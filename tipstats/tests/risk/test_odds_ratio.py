"""Tests for tipstats.risk.odds_ratio against hand calculations, scipy and statsmodels."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from scipy.stats.contingency import odds_ratio as scipy_odds_ratio
from statsmodels.stats.contingency_tables import Table2x2

from tipstats.risk import HALDANE_ANSCOMBE_CORRECTION, OddsRatioResult, odds_ratio

TABLE = [[10, 5], [3, 12]]  # exposed: 10 cases, 5 controls; unexposed: 3 cases, 12 controls


def records_from_table(table):
    """Expand a 2x2 table into one row per subject."""
    rows = []
    for exposed, row in zip((1, 0), table, strict=True):
        for case, count in zip((1, 0), row, strict=True):
            rows += [{"exposed": exposed, "case": case}] * count
    return pd.DataFrame(rows)


def test_woolf_matches_hand_calculation():
    r = odds_ratio(TABLE)
    assert isinstance(r, OddsRatioResult)
    assert r.odds_ratio == pytest.approx(10 * 12 / (5 * 3))  # 8
    se = math.sqrt(1 / 10 + 1 / 5 + 1 / 3 + 1 / 12)
    z = 1.959963984540054
    assert r.log_odds_ratio_se == pytest.approx(se)
    assert r.ci_low == pytest.approx(math.exp(math.log(8) - z * se))
    assert r.ci_high == pytest.approx(math.exp(math.log(8) + z * se))
    assert r.ci_low == pytest.approx(1.5223, abs=1e-4)
    assert r.ci_high == pytest.approx(42.042, abs=1e-3)
    assert r.p_value == pytest.approx(2 * stats.norm.sf(math.log(8) / se))
    assert (r.exposed_cases, r.exposed_controls, r.unexposed_cases, r.unexposed_controls) == (
        10,
        5,
        3,
        12,
    )
    assert (r.n_cases, r.n_controls, r.n) == (13, 17, 30)
    assert not r.haldane_corrected
    assert r.method == "woolf"


@pytest.mark.parametrize("alpha", [0.05, 0.1, 0.01])
def test_woolf_matches_statsmodels_table2x2(alpha):
    table = np.array([[23, 17], [11, 41]])
    r = odds_ratio(table, alpha=alpha)
    sm = Table2x2(table)
    low, high = sm.oddsratio_confint(alpha=alpha)
    assert r.odds_ratio == pytest.approx(sm.oddsratio)
    assert r.ci_low == pytest.approx(low)
    assert r.ci_high == pytest.approx(high)
    assert r.p_value == pytest.approx(sm.log_oddsratio_pvalue())


def test_exact_matches_scipy():
    r = odds_ratio(TABLE, method="exact", alpha=0.1)
    ref = scipy_odds_ratio(TABLE, kind="conditional")
    ci = ref.confidence_interval(confidence_level=0.9)
    assert r.odds_ratio == pytest.approx(ref.statistic)
    assert r.ci_low == pytest.approx(ci.low)
    assert r.ci_high == pytest.approx(ci.high)
    assert r.p_value == pytest.approx(stats.fisher_exact(TABLE).pvalue)
    assert math.isnan(r.log_odds_ratio_se)
    assert r.method == "exact"


def test_haldane_anscombe_correction_when_a_cell_is_zero():
    r = odds_ratio([[10, 0], [3, 12]])
    assert HALDANE_ANSCOMBE_CORRECTION == 0.5
    assert r.haldane_corrected
    assert r.odds_ratio == pytest.approx(10.5 * 12.5 / (0.5 * 3.5))  # 75
    se = math.sqrt(1 / 10.5 + 1 / 0.5 + 1 / 3.5 + 1 / 12.5)
    assert r.log_odds_ratio_se == pytest.approx(se)
    # observed counts are reported uncorrected
    assert r.exposed_controls == 0
    assert "Haldane" in r.summary()


def test_exact_method_needs_no_correction_for_zero_cell():
    r = odds_ratio([[10, 0], [3, 12]], method="exact")
    assert not r.haldane_corrected
    assert math.isinf(r.odds_ratio)
    assert math.isinf(r.ci_high)


def test_records_give_same_result_as_table():
    df = records_from_table(TABLE)
    r_df = odds_ratio(df, exposure="exposed", outcome="case")
    r_tab = odds_ratio(TABLE)
    assert r_df.odds_ratio == pytest.approx(r_tab.odds_ratio)
    assert r_df.ci_low == pytest.approx(r_tab.ci_low)
    assert r_df.n == 30


def test_records_accept_booleans_levels_and_drop_missing():
    df = records_from_table(TABLE)
    df["exposed"] = df["exposed"].astype(bool)
    df["case"] = np.where(df["case"] == 1, "trafficked", "successful")
    extra = pd.DataFrame({"exposed": [None, True], "case": ["trafficked", None]})
    df = pd.concat([df, extra], ignore_index=True)
    r = odds_ratio(df, exposure="exposed", outcome="case", outcome_level="trafficked")
    assert r.odds_ratio == pytest.approx(8)
    assert r.n_dropped == 2
    assert "excluded" in r.summary()


def test_dataframe_2x2_table_is_accepted():
    table = pd.DataFrame(TABLE, index=["exposed", "unexposed"], columns=["case", "control"])
    assert odds_ratio(table).odds_ratio == pytest.approx(8)


def test_to_table_and_summary():
    r = odds_ratio(TABLE)
    t = r.to_table()
    assert t.loc["exposed", "case"] == 10
    assert t.loc["unexposed", "control"] == 12
    text = r.summary()
    assert "95% CI" in text
    assert "8" in text


def test_non_binary_column_names_column_and_row():
    df = pd.DataFrame({"exposed": [0, 1, 2], "case": [1, 0, 1]}, index=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"column 'exposed'.*row 'c'"):
        odds_ratio(df, exposure="exposed", outcome="case")


def test_string_column_without_level_is_rejected():
    df = pd.DataFrame({"exposed": ["yes", "no"], "case": [1, 0]})
    with pytest.raises(ValueError, match="'exposed' must be binary"):
        odds_ratio(df, exposure="exposed", outcome="case")


def test_missing_column_is_named():
    df = pd.DataFrame({"exposed": [0, 1], "case": [1, 0]})
    with pytest.raises(ValueError, match="outcome='victim' is not a column"):
        odds_ratio(df, exposure="exposed", outcome="victim")


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ([[1, 2, 3], [4, 5, 6]], "must be 2x2"),
        ([[1, -2], [3, 4]], r"cell \[0, 1\] \(exposed controls\)"),
        ([[1, 2.5], [3, 4]], "non-negative integer"),
        ([[0, 0], [3, 4]], "no exposed subjects"),
        ([[1, 0], [3, 0]], "no control subjects"),
    ],
)
def test_invalid_tables(table, message):
    with pytest.raises(ValueError, match=message):
        odds_ratio(table)


def test_invalid_options():
    with pytest.raises(ValueError, match="method"):
        odds_ratio(TABLE, method="wald")
    with pytest.raises(ValueError, match="alpha"):
        odds_ratio(TABLE, alpha=1.5)
    with pytest.raises(ValueError, match="both exposure= and outcome="):
        odds_ratio(records_from_table(TABLE), exposure="exposed")


def test_result_is_frozen():
    r = odds_ratio(TABLE)
    with pytest.raises(AttributeError):
        r.odds_ratio = 1.0


@pytest.mark.parametrize("big", [2**63 + 10, 10**30])
def test_counts_too_large_to_hold_exactly_are_refused_by_cell(big):
    # Reported: counts above int64 ended in "math domain error".
    with pytest.raises(ValueError, match=r"cell \[0, 0\] \(exposed cases\).*2\*\*53"):
        odds_ratio([[big, 5], [3, 4]])


def test_large_counts_within_range_give_the_right_odds_ratio():
    big = 2**52
    result = odds_ratio([[big, big // 2], [1000, 1000]])
    assert result.odds_ratio == pytest.approx(2.0, rel=1e-12)
