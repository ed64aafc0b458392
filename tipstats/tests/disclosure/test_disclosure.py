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
    protect_counts,
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
    status = out.status.loc[TABLE.index, TABLE.columns]
    assert status.loc["Thailand", "labour"] == "primary"
    assert status.loc["Cambodia", "sexual"] == "primary"
    assert out.n_primary == 2 and out.n_complementary >= 2
    # every line holding a hidden number holds at least two
    hidden = out.status != "published"
    assert not (hidden.sum(axis=1) == 1).any() and not (hidden.sum(axis=0) == 1).any()
    # what is published is the true count
    shown = out.released.notna()
    full = _extended(TABLE)
    assert (out.released[shown] == full[shown]).fillna(True).all().all()


def test_suppressed_cells_cannot_be_recovered_from_totals_or_labels():
    out = suppress_small_cells(TABLE, threshold=5, protection=2)
    widths = out.intervals["upper"] - out.intervals["lower"]
    assert (widths >= 2).all()
    # the true value lies in its interval
    assert (out.intervals["lower"] <= out.intervals["value"]).all()
    assert (out.intervals["value"] <= out.intervals["upper"]).all()


def test_a_single_suppressed_cell_would_be_recovered():
    mask = pd.DataFrame(False, index=TABLE.index, columns=TABLE.columns)
    mask.loc["Thailand", "labour"] = True
    audit = audit_suppression(TABLE, mask)
    assert audit.loc[0, "lower"] == audit.loc[0, "upper"] == 3  # why complementary is needed


def test_a_rectangle_over_two_small_cells_is_too_narrow_once_the_labels_are_known():
    # The old pattern: Thailand/labour (3) and Cambodia/sexual (1) with Thailand/sexual
    # (20) and Cambodia/labour (30) hidden. From the totals alone labour lies in [2, 23];
    # but "<5" says both small cells are in [1, 4]: t = Thailand/sexual has 23 - t in
    # [1, 4] and 21 - t in [1, 4], so t in [19, 20] and Thailand/labour in [3, 4].
    mask = pd.DataFrame(False, index=TABLE.index, columns=TABLE.columns)
    mask.loc[["Thailand", "Cambodia"], ["sexual", "labour"]] = True
    loose = audit_suppression(TABLE, mask).set_index(["row", "column"])
    assert loose.loc[("Thailand", "labour"), ["lower", "upper"]].tolist() == [2, 23]
    known = audit_suppression(TABLE, mask, threshold=5).set_index(["row", "column"])
    assert known.loc[("Thailand", "labour"), ["lower", "upper"]].tolist() == [3, 4]
    # width 1: below the default protection for threshold 5 (2), so not released like this
    out = suppress_small_cells(TABLE, threshold=5)
    assert out.protection == 2
    assert not (out.status.loc[TABLE.index, TABLE.columns] != "published").equals(mask)


def _extended(table):
    full = table.copy()
    full["Total"] = full.sum(axis=1)
    full.loc["Total"] = full.sum(axis=0)
    return full.astype(float)


def _brute_force_ranges(table, out, cap):
    """Every whole table with cells in 0..cap agreeing with the release: ranges of hidden numbers."""
    n, m = table.shape
    grids = np.meshgrid(*[np.arange(cap + 1)] * (n * m), indexing="ij")
    cells = np.stack([g.ravel() for g in grids], axis=1).reshape(-1, n, m)
    ext = np.zeros((cells.shape[0], n + 1, m + 1))
    ext[:, :n, :m] = cells
    ext[:, :n, m] = cells.sum(axis=2)
    ext[:, n, :m] = cells.sum(axis=1)
    ext[:, n, m] = cells.sum(axis=(1, 2))
    status = out.status.to_numpy()
    released = out.released.to_numpy(dtype=float, na_value=np.nan)
    ok = np.ones(cells.shape[0], dtype=bool)
    for (r, c), st in np.ndenumerate(status):
        v = ext[:, r, c]
        if st == "published":
            ok &= v == released[r, c]
        elif st == "primary":
            ok &= (v >= 1) & (v < out.threshold)
        else:
            ok &= v >= out.threshold
    feasible = ext[ok]
    return {
        (r, c): (feasible[:, r, c].min(), feasible[:, r, c].max())
        for (r, c), st in np.ndenumerate(status)
        if st != "published"
    }


def test_one_row_table_totals_do_not_give_the_row_away():
    # Reported: the whole row was hidden and the Total row showed 3, 20, 30.
    table = pd.DataFrame([[3, 20, 30]], index=["r"], columns=list("abc"))
    out = suppress_small_cells(table, threshold=5)
    labels = out.labelled()
    assert labels.loc["r", "a"] == "<5" and labels.loc["Total", "a"] == "<5"
    assert 3 not in labels.loc["Total"].tolist()
    # the complementary cell is not small and is not labelled as if it were
    comp = out.status == "complementary"
    assert comp.to_numpy().any()
    assert set(labels.to_numpy()[comp.to_numpy()]) == {"x"}
    assert (out.released.to_numpy(dtype=float, na_value=np.nan)[comp.to_numpy()] != 20).all()
    # independent check by enumeration: no hidden number narrower than the protection
    ranges = _brute_force_ranges(table, out, cap=53)
    assert ranges and all(hi - lo >= out.protection for lo, hi in ranges.values())
    audited = {
        (list(out.status.index).index(r), list(out.status.columns).index(c)): (lo, hi)
        for r, c, lo, hi in out.intervals[["row", "column", "lower", "upper"]].itertuples(
            index=False
        )
    }
    assert audited == ranges  # the LP audit agrees with enumeration


@pytest.mark.parametrize("seed", range(4))
def test_small_random_tables_meet_the_protection_by_enumeration(seed):
    rng = np.random.default_rng(seed)
    table = pd.DataFrame(rng.choice([0, 1, 2, 3, 6, 7, 9], size=(2, 2)), columns=["a", "b"])
    out = suppress_small_cells(table, threshold=5, protection=2)
    assert (out.status.loc[table.index, table.columns] == "primary").to_numpy().sum() == int(
        ((table >= 1) & (table < 5)).to_numpy().sum()
    )
    ranges = _brute_force_ranges(table, out, cap=int(table.to_numpy().sum()) + 10)
    assert all(hi - lo >= 2 for lo, hi in ranges.values()), ranges


def test_margins_under_the_threshold_are_suppressed():
    table = pd.DataFrame([[2, 1], [30, 40]], index=["x", "y"], columns=["a", "b"])
    out = suppress_small_cells(table, threshold=5)
    assert out.status.loc["x", "Total"] == "primary"  # row total 3
    assert out.labelled().loc["x", "Total"] == "<5"
    # a list of counts: its total is a margin too
    small = suppress_small_cells(pd.Series([1, 2], index=["p", "q"]), threshold=5)
    assert small.status["Total"] == "primary"


def test_a_list_with_one_small_count_hides_a_second_and_labels_it_honestly():
    out = suppress_small_cells(pd.Series([40, 3, 25, 60], index=list("abcd")), threshold=11)
    labels = out.labelled()
    assert labels["b"] == "<11" and labels["c"] == "x" and labels["Total"] == 128
    assert labels["a"] == 40 and labels["d"] == 60
    assert (out.intervals["upper"] - out.intervals["lower"] >= out.protection).all()


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"threshold": 2.5}, "threshold"),
        ({"threshold": True}, "threshold"),
        ({"threshold": 1}, "threshold"),
        ({"threshold": 5, "protection": 4}, "protection"),
        ({"threshold": 5, "protection": 0}, "protection"),
    ],
)
def test_bad_arguments_are_refused_by_name(kwargs, match):
    with pytest.raises(ValueError, match=match):
        suppress_small_cells(TABLE, **kwargs)


def test_bad_tables_are_refused():
    with pytest.raises(ValueError, match="finite"):
        suppress_small_cells(pd.DataFrame([[1.0, np.inf]]))
    with pytest.raises(ValueError, match="whole"):
        suppress_small_cells(pd.DataFrame([[1.5, 2.0]]))
    with pytest.raises(ValueError, match="non-negative"):
        suppress_small_cells(pd.DataFrame([[-1, 20]]))


@pytest.mark.parametrize("seed", range(5))
def test_controlled_rounding_keeps_the_table_adding_up(seed):
    out = protect_counts(TABLE, method="round", base=5, seed=seed).released
    full = _extended(TABLE)
    assert (out.to_numpy() % 5 == 0).all()
    assert (np.abs(out.to_numpy() - full.to_numpy()) < 5).all()  # totals too
    inner = out.loc[TABLE.index, TABLE.columns]
    assert (inner.sum(axis=1) == out.loc[TABLE.index, "Total"]).all()
    assert (inner.sum(axis=0) == out.loc["Total", TABLE.columns]).all()
    assert out.loc["Total", "Total"] == out.loc["Total", TABLE.columns].sum()


def test_protect_counts_suppresses_by_default():
    out = protect_counts(TABLE, threshold=5)
    assert out.n_primary == 2
    with pytest.raises(ValueError, match="method"):
        protect_counts(TABLE, method="noise")


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
