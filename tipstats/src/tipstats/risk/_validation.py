"""Input checks shared by the risk estimators (private)."""

from __future__ import annotations

from collections.abc import Hashable, Iterable

import numpy as np
import pandas as pd

_BINARY_VALUES = (0, 1)


def check_alpha(alpha: float) -> float:
    """Return ``alpha`` as a float, or raise if it is not strictly between 0 and 1."""
    try:
        value = float(alpha)
    except (TypeError, ValueError):
        raise ValueError(f"alpha must be a number between 0 and 1; got {alpha!r}") from None
    if not 0.0 < value < 1.0:
        raise ValueError(f"alpha must be strictly between 0 and 1; got {alpha!r}")
    return value


def check_dataframe(df: object, argument: str = "df") -> pd.DataFrame:
    """Raise unless ``df`` is a pandas DataFrame."""
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"{argument} must be a pandas DataFrame; got {type(df).__name__}")
    return df


def check_columns(df: pd.DataFrame, columns: dict[str, Hashable]) -> None:
    """Raise naming the argument and the column when a column is absent from ``df``."""
    for argument, column in columns.items():
        if column not in df.columns:
            raise ValueError(
                f"{argument}={column!r} is not a column of the DataFrame; "
                f"available columns: {list(df.columns)!r}"
            )


def to_binary(series: pd.Series, column: Hashable, positive: object = None) -> pd.Series:
    """Return a float Series of 1.0/0.0 (NaN where missing) from a binary column.

    When ``positive`` is given the column may hold any values and rows equal to
    ``positive`` become 1, every other non-missing value 0.  Otherwise the
    column must hold only 0/1 or True/False; the first offending row is named
    in the error.
    """
    missing = series.isna()
    if positive is not None:
        out = (series == positive).astype(float)
        out[missing] = np.nan
        return out
    if pd.api.types.is_bool_dtype(series.dtype):
        out = series.astype(float)
        out[missing] = np.nan
        return out
    for index, value in series[~missing].items():
        if isinstance(value, bool | np.bool_):
            continue
        if isinstance(value, int | float | np.integer | np.floating) and value in _BINARY_VALUES:
            continue
        raise ValueError(
            f"column {column!r} must be binary (0/1 or True/False); row {index!r} has "
            f"value {value!r}. Recode it, or pass the level that counts as 1"
        )
    out = pd.Series(np.nan, index=series.index, dtype=float)
    out[~missing] = series[~missing].astype(float)
    return out


def complete_rows(df: pd.DataFrame, columns: Iterable[Hashable]) -> tuple[pd.DataFrame, int]:
    """Drop rows with a missing value in any of ``columns``; return frame and rows dropped."""
    columns = list(dict.fromkeys(columns))
    keep = df[columns].notna().all(axis=1)
    return df.loc[keep], int((~keep).sum())
