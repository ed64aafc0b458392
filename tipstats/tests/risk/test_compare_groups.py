"""Tests for tipstats.risk.compare_groups."""

import numpy as np
import pandas as pd
import pytest

from tipstats.risk import GroupComparisonResult, compare_groups, odds_ratio


def make_survey():
    """Three groups with known counts of a binary factor 'debt' and a categorical 'broker'."""
    spec = {
        # group: (with debt, without debt)
        "trafficked": (12, 8),
        "successful": (6, 14),
        "non_migrant": (3, 27),
    }
    rows = []
    for group, (yes, no) in spec.items():
        rows += [{"group": group, "debt": True}] * yes
        rows += [{"group": group, "debt": False}] * no
    df = pd.DataFrame(rows)
    df["broker"] = np.where(np.arange(len(df)) % 4 == 0, "informal", "none")
    return df


def test_hand_computed_odds_ratios():
    df = make_survey()
    r = compare_groups(df, group="group", reference="trafficked", factors=["debt"])
    assert isinstance(r, GroupComparisonResult)
    t = r.table.set_index("group")
    assert list(t.index) == ["non_migrant", "successful"]  # sorted non-reference groups
    # successful vs trafficked: odds 6/14 over 12/8
    assert t.loc["successful", "odds_ratio"] == pytest.approx((6 / 14) / (12 / 8))
    assert t.loc["non_migrant", "odds_ratio"] == pytest.approx((3 / 27) / (12 / 8))
    assert t.loc["successful", "exposed_in_group"] == 6
    assert t.loc["successful", "n_group"] == 20
    assert t.loc["successful", "exposed_in_reference"] == 12
    assert t.loc["non_migrant", "n_reference"] == 20


def test_trafficked_as_group_matches_odds_ratio_on_subset():
    df = make_survey()
    r = compare_groups(
        df,
        group="group",
        reference="successful",
        factors=["debt"],
        groups=["trafficked"],
        method="exact",
    )
    subset = df[df["group"].isin(["trafficked", "successful"])]
    direct = odds_ratio(
        subset,
        exposure="debt",
        outcome="group",
        outcome_level="trafficked",
        method="exact",
    )
    row = r.table.iloc[0]
    assert row["odds_ratio"] == pytest.approx(direct.odds_ratio)
    assert row["ci_low"] == pytest.approx(direct.ci_low)
    assert row["p_value"] == pytest.approx(direct.p_value)


def test_mapping_factor_level_and_summary():
    df = make_survey()
    r = compare_groups(
        df, group="group", reference="successful", factors={"broker": "informal", "debt": True}
    )
    assert len(r.table) == 4
    assert set(r.table["factor"]) == {"broker", "debt"}
    text = r.summary()
    assert "broker=informal" in text
    assert "successful" in text


def test_zero_cell_is_corrected_and_flagged():
    df = make_survey()
    df.loc[df["group"] == "non_migrant", "debt"] = False
    r = compare_groups(df, group="group", reference="trafficked", factors=["debt"])
    row = r.table.set_index("group").loc["non_migrant"]
    assert row["haldane_corrected"]
    assert row["odds_ratio"] == pytest.approx((0.5 / 30.5) / (12.5 / 8.5))
    assert "zero cell" in r.summary()


def test_errors():
    df = make_survey()
    with pytest.raises(ValueError, match="reference group 'victims'"):
        compare_groups(df, group="group", reference="victims", factors=["debt"])
    with pytest.raises(ValueError, match="group 'x' has no records"):
        compare_groups(df, group="group", reference="trafficked", factors=["debt"], groups=["x"])
    with pytest.raises(ValueError, match="not a column"):
        compare_groups(df, group="group", reference="trafficked", factors=["income"])
    with pytest.raises(ValueError, match="non-empty list"):
        compare_groups(df, group="group", reference="trafficked", factors="debt")
    with pytest.raises(ValueError, match="'broker' must be binary"):
        compare_groups(df, group="group", reference="trafficked", factors=["broker"])
    nobody = df.assign(debt=False)
    with pytest.raises(ValueError, match=r"factor 'debt'.*no exposed"):
        compare_groups(nobody, group="group", reference="trafficked", factors=["debt"])
