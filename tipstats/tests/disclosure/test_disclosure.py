"""k-anonymity, small-cell suppression with complementary suppression, rounding."""

import numpy as np
import pandas as pd
import pytest

from tipstats.disclosure import (
    SUPPRESSED,
    AgeHierarchy,
    DateHierarchy,
    MappingHierarchy,
    NotKAnonymous,
    audit_suppression,
    check_k_anonymity,
    k_anonymise,
    require_k_anonymous,
    round_table,
    suppress_small_cells,
)

COUNTRY = {
    "Chiang Mai": "Thailand", "Bangkok": "Thailand", "Phnom Penh": "Cambodia",
    "Siem Reap": "Cambodia", "Vientiane": "Lao PDR", "Yangon": "Myanmar",
    "Mandalay": "Myanmar", "Hanoi": "Viet Nam", "Kunming": "China",
}  # fmt: skip
REGION = dict.fromkeys(set(COUNTRY.values()), "Mekong")


@pytest.fixture(scope="module")
def cases():
    rng = np.random.default_rng(0)
    n = 2500
    return pd.DataFrame(
        {
            "age": rng.integers(8, 70, n),
            "sex": rng.choice(["f", "m"], n, p=[0.7, 0.3]),
            "date_identified": pd.to_datetime("2015-01-01")
            + pd.to_timedelta(rng.integers(0, 3650, n), "D"),
            "province": rng.choice(sorted(COUNTRY), n),
            "exploitation": rng.choice(["sexual", "labour", "forced criminality"], n),
        }
    )


def quasi_identifiers():
    return {
        "age": AgeHierarchy(),
        "sex": None,
        "date_identified": DateHierarchy(),
        "province": MappingHierarchy((COUNTRY, REGION), ("country", "region")),
    }


@pytest.mark.parametrize("suppression", ["records", "cells"])
def test_no_group_under_k_after_anonymisation(cases, suppression):
    qi = quasi_identifiers()
    result = k_anonymise(cases, qi, k=11, suppression=suppression, max_suppression=0.1)
    released = result.released
    sizes = released.groupby(list(qi), dropna=False).size()
    assert sizes.min() >= 11
    assert result.report.smallest_group == sizes.min()
    assert result.report.n_groups == len(sizes)
    assert result.report.n_suppressed_records <= 0.1 * len(cases)
    assert list(released.columns) == list(cases.columns)
    assert (released["exploitation"] == cases.loc[released.index, "exploitation"]).all()
    assert 0 < result.report.information_loss < 1
    assert "k = 11" in result.summary()


def test_default_k_is_eleven(cases):
    assert k_anonymise(cases, ["sex", "province"]).report.k == 11


def test_data_already_k_anonymous_is_released_unchanged():
    data = pd.DataFrame({"sex": ["f"] * 12 + ["m"] * 11, "x": range(23)})
    result = k_anonymise(data, ["sex"], k=11)
    pd.testing.assert_frame_equal(result.released, data.astype({"sex": object}))
    assert result.report.information_loss == 0
    assert result.report.n_suppressed_records == 0


def test_cells_mode_keeps_records_with_quasi_identifiers_starred():
    data = pd.DataFrame({"sex": ["f"] * 20 + ["m"] * 3 + ["x"] * 9, "outcome": range(32)})
    result = k_anonymise(data, ["sex"], k=11, suppression="cells", max_suppression=0.5)
    assert len(result.released) == 32
    assert (result.released["sex"] == SUPPRESSED).sum() == 12
    assert result.report.n_suppressed_cells == 12


def test_hierarchies():
    ages = pd.Series([3, 17, 18, 34, 71, None])
    h = AgeHierarchy()
    assert h.generalise(ages, 1).tolist()[:5] == ["0-4", "15-19", "15-19", "30-34", "70-74"]
    assert h.generalise(ages, 2).tolist()[:5] == ["0-17", "0-17", "18-29", "30-49", "50+"]
    assert h.generalise(ages, 3).eq(SUPPRESSED).all()
    dates = pd.Series(pd.to_datetime(["2016-03-01", "2019-12-31", "2020-01-01"]))
    assert DateHierarchy().generalise(dates, 1).tolist() == [2016, 2019, 2020]
    assert DateHierarchy().generalise(dates, 2).tolist() == ["2015-2019", "2015-2019", "2020-2024"]
    places = pd.Series(["Yangon", "Hanoi", "Atlantis"])
    m = MappingHierarchy((COUNTRY, REGION), ("country", "region"))
    assert m.generalise(places, 1).tolist() == ["Myanmar", "Viet Nam", SUPPRESSED]
    assert m.generalise(places, 2).tolist() == ["Mekong", "Mekong", SUPPRESSED]
    assert m.labels == ("value", "country", "region", "suppressed")


def test_invalid_arguments():
    data = pd.DataFrame({"sex": ["f"]})
    with pytest.raises(ValueError, match="k must be"):
        k_anonymise(data, ["sex"], k=0)
    with pytest.raises(KeyError, match="nationality"):
        k_anonymise(data, ["nationality"])
    with pytest.raises(ValueError, match="suppression"):
        k_anonymise(data, ["sex"], suppression="rows")


def test_check_counts_classes_over_every_field_by_default(cases):
    out = k_anonymise(cases, quasi_identifiers(), k=11).released
    assert check_k_anonymity(out, k=11, columns=list(quasi_identifiers())).ok
    # the released "exploitation" column was not a quasi-identifier: over every field
    # (the default) the same release is not 11-anonymous
    every = check_k_anonymity(out, k=11)
    assert not every.ok and every.n_below_k > 0
    assert every.columns == tuple(sorted(out.columns))
    with pytest.raises(NotKAnonymous, match="smaller than k = 11"):
        require_k_anonymous(out, k=11)


def test_check_takes_received_records_lists_and_missing_fields():
    records = [{"sex": "f", "forms": ["a", "b"]}] * 3 + [{"sex": "f", "forms": ["b", "a"]}]
    check = check_k_anonymity(records, k=3)
    assert (check.n_classes, check.smallest_class, check.n_unique) == (2, 1, 1)
    assert not check.ok
    # what a receiver could tell apart is never one class
    assert not check_k_anonymity([{"sex": "f"}, {"sex": "f", "age": None}], k=2).ok
    assert not check_k_anonymity([{"x": False}, {"x": "False"}, {"x": 0}], k=2).ok
    assert check_k_anonymity([{"sex": "f"}, {"sex": "f"}], k=2, columns=["sex", "age"]).ok
    frame = pd.DataFrame({"sex": ["f", "f"], "age": [None, np.nan]})
    assert check_k_anonymity(frame, k=2).ok
    one = check_k_anonymity([{"sex": "f"}], k=2)
    assert (one.n_records, one.smallest_class, one.n_below_k) == (1, 1, 1)
    empty = check_k_anonymity([], k=11)
    assert empty.ok and empty.n_records == 0 and empty.smallest_class == 0
    with pytest.raises(ValueError, match="k must be"):
        check_k_anonymity(records, k=0)


# Hand-checked table (threshold 5). Primary: Thailand/labour = 3, Cambodia/sexual = 1.
# Alone, each could be recovered: Thailand's total is 38, its other cells 20 + 15,
# so labour = 3. Complementary suppression must hide a second cell in every row and
# column holding a suppressed cell: Thailand/sexual (20) and Cambodia/labour (30)
# close the rectangle, and each suppressed cell can then lie anywhere in a range.
TABLE = pd.DataFrame(
    [[20, 3, 15], [1, 30, 12], [14, 8, 40]],
    index=["Thailand", "Cambodia", "Lao PDR"],
    columns=["sexual", "labour", "criminality"],
)


def test_small_cells_are_suppressed_with_complementary_cells():
    out = suppress_small_cells(TABLE, threshold=5)
    suppressed = out.released.loc[TABLE.index, TABLE.columns].isna()
    expected = pd.DataFrame(
        [[True, True, False], [True, True, False], [False, False, False]],
        index=TABLE.index,
        columns=TABLE.columns,
    )
    pd.testing.assert_frame_equal(suppressed, expected)
    assert out.n_primary == 2 and out.n_complementary == 2
    # totals are published from the full counts
    assert out.released.loc["Thailand", "Total"] == 38
    assert out.released.loc["Total", "labour"] == 41
    assert out.released.loc["Total", "Total"] == 143


def test_suppressed_cells_cannot_be_recovered_from_totals():
    out = suppress_small_cells(TABLE, threshold=5)
    intervals = out.intervals.set_index(["row", "column"])
    # Thailand row: sexual + labour = 38 - 15 = 23; sexual column: Th + Ca = 35 - 14 = 21;
    # labour column: Th + Ca = 41 - 8 = 33; Cambodia row: sexual + labour = 43 - 12 = 31.
    # One free parameter t = Thailand/sexual in [0, 21]: labour = 23 - t in [2, 23], etc.
    assert intervals.loc[("Thailand", "sexual"), ["lower", "upper"]].tolist() == [0, 21]
    assert intervals.loc[("Thailand", "labour"), ["lower", "upper"]].tolist() == [2, 23]
    assert intervals.loc[("Cambodia", "sexual"), ["lower", "upper"]].tolist() == [0, 21]
    assert intervals.loc[("Cambodia", "labour"), ["lower", "upper"]].tolist() == [10, 31]
    assert ((intervals["upper"] - intervals["lower"]) > 0).all()


def test_a_single_suppressed_cell_would_be_recovered():
    mask = pd.DataFrame(False, index=TABLE.index, columns=TABLE.columns)
    mask.loc["Thailand", "labour"] = True
    audit = audit_suppression(TABLE, mask)
    assert audit.loc[0, "lower"] == audit.loc[0, "upper"] == 3  # why complementary is needed


def test_rounding_to_base():
    table = pd.DataFrame([[1, 7, 10], [4, 0, 23]], columns=["a", "b", "c"])
    rounded = round_table(table, base=5, seed=42).released
    inner = rounded.loc[[0, 1], ["a", "b", "c"]]
    assert (inner.to_numpy() % 5 == 0).all()
    assert (np.abs(inner.to_numpy() - table.to_numpy()) < 5).all()
    assert inner.loc[0, "c"] == 10 and inner.loc[1, "b"] == 0  # multiples stay
    assert (rounded["Total"] == rounded[["a", "b", "c"]].sum(axis=1)).all()
    again = round_table(table, base=5, seed=42).released
    pd.testing.assert_frame_equal(rounded, again)
    conventional = round_table(table, base=3, method="conventional").released
    assert conventional.loc[0, "b"] == 6 and conventional.loc[1, "c"] == 24


def test_random_rounding_is_unbiased():
    table = pd.DataFrame({"n": [7] * 20000})
    rounded = round_table(table, base=3, seed=1).released.loc[table.index, "n"]
    assert set(rounded.unique()) == {6, 9}
    assert rounded.mean() == pytest.approx(7, abs=0.05)
