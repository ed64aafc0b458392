"""Input validation of tipstats.mse.fit: clear errors naming the column and row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tipstats import mse


def good() -> pd.DataFrame:
    return pd.DataFrame(
        {"A": [1, 0, 1, 0], "B": [0, 1, 1, 1], "C": [0, 0, 0, 1], "count": [40, 30, 20, 5]},
        index=["r0", "r1", "r2", "r3"],
    )


def test_good_table_fits():
    assert mse.fit(good()).population_estimate > 95


def test_all_zero_row_rejected():
    frame = good()
    frame.loc["r2", ["A", "B"]] = 0
    with pytest.raises(
        ValueError, match=r"The row with index label 'r2' \(position 2\) is 0 on every list"
    ):
        mse.fit(frame)


def test_all_zero_row_rejected_even_with_zero_count():
    frame = pd.concat([good(), pd.DataFrame({"A": [0], "B": [0], "C": [0], "count": [0]})])
    with pytest.raises(ValueError, match="0 on every list"):
        mse.fit(frame)


@pytest.mark.parametrize("bad", [2, -1, 0.5, np.nan, "yes"])
def test_non_binary_list_value_rejected(bad):
    frame = good().astype({"B": object})
    frame.loc["r1", "B"] = bad
    with pytest.raises(ValueError, match=r"list column 'B' must contain only 0 and 1.*'r1'"):
        mse.fit(frame)


def test_boolean_list_columns_accepted():
    frame = good().astype({"A": bool, "B": bool, "C": bool})
    assert mse.fit(frame).population_estimate == pytest.approx(mse.fit(good()).population_estimate)


def test_negative_count_rejected():
    frame = good()
    frame.loc["r3", "count"] = -5
    with pytest.raises(
        ValueError, match=r"negative count \(-5\) at the row with index label 'r3' \(position 3\)"
    ):
        mse.fit(frame)


@pytest.mark.parametrize("bad", [2.5, np.nan, np.inf, "many"])
def test_non_integer_or_missing_count_rejected(bad):
    frame = good().astype({"count": object})
    frame.loc["r0", "count"] = bad
    with pytest.raises(ValueError, match=r"count column 'count'.*'r0'"):
        mse.fit(frame)


def test_float_whole_counts_accepted():
    assert mse.fit(good().astype({"count": float})).n_observed == 95


def test_fewer_than_two_lists_rejected():
    with pytest.raises(ValueError, match=r"at least 2 list columns.*got 1: \['A'\]"):
        mse.fit(pd.DataFrame({"A": [1], "count": [4]}))


def test_missing_count_column_rejected():
    with pytest.raises(ValueError, match="count column 'n' not found"):
        mse.fit(good(), count="n")


def test_list_with_no_cases_rejected():
    frame = good()
    frame["D"] = 0
    with pytest.raises(ValueError, match="list column 'D' has no observed cases"):
        mse.fit(frame)


def test_no_cases_rejected():
    frame = good()
    frame["count"] = 0
    with pytest.raises(ValueError, match="sums to zero"):
        mse.fit(frame)


def test_not_a_dataframe_rejected():
    with pytest.raises(TypeError, match="DataFrame"):
        mse.fit([[1, 0, 3]])  # type: ignore[arg-type]


def test_duplicate_patterns_are_summed():
    frame = pd.concat([good(), good().iloc[[0]]])
    assert mse.fit(frame).n_observed == 135


def test_absent_patterns_equal_explicit_zero_rows():
    zeros = pd.DataFrame({"A": [1, 1], "B": [0, 1], "C": [1, 1], "count": [0, 0]})
    with_zeros = pd.concat([good(), zeros], ignore_index=True)
    assert mse.fit(with_zeros).population_estimate == pytest.approx(
        mse.fit(good()).population_estimate
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "bic"}, "method must be one of"),
        ({"interval": "wald"}, "interval must be one of"),
        ({"threshold": 1.5}, "threshold must be a number in"),
        ({"threshold": -0.1}, "threshold must be a number in"),
        ({"alpha": 0.0}, "alpha must be"),
        ({"alpha": 1.0}, "alpha must be"),
        ({"n_boot": 1}, "n_boot must be an integer"),
        ({"n_boot": 10.0}, "n_boot must be an integer"),
        ({"seed": -3}, "seed must be None or a non-negative integer"),
        ({"seed": 1.5}, "seed must be None or a non-negative integer"),
        ({"n_jobs": 0}, "n_jobs must be a positive integer or -1"),
        ({"n_jobs": True}, "n_jobs must be a positive integer or -1"),
    ],
)
def test_bad_options_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        mse.fit(good(), **kwargs)


def test_progress_must_be_callable():
    with pytest.raises(TypeError, match="progress"):
        mse.fit(good(), progress=3)  # type: ignore[arg-type]
