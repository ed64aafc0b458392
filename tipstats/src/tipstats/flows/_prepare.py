"""Validation and DuckDB plumbing shared by the flow tables (private)."""

from __future__ import annotations

import math
from collections.abc import Hashable

import duckdb
import numpy as np
import pandas as pd

STAGES = ("origin", "transit", "destination")


def _clean_locations(series: pd.Series) -> pd.Series:
    """Return locations as trimmed text, with blanks and missing values as None."""

    def clean(value: object) -> str | None:
        if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
            return None
        text = str(value).strip()
        return text or None

    return pd.Series([clean(v) for v in series], index=series.index, dtype=object)


def _clean_weights(series: pd.Series, column: Hashable) -> pd.Series:
    if not (pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series)):
        raise ValueError(f"weight column {column!r} must be numeric")
    values = series.astype(float)
    bad = values.isna() | ~np.isfinite(values) | (values < 0)
    if bad.any():
        row = values.index[bad.to_numpy()][0]
        raise ValueError(
            f"weight column {column!r} must hold non-negative numbers; row {row!r} has "
            f"{series.loc[row]!r}"
        )
    with np.errstate(over="ignore"):
        total = float(values.to_numpy().sum())
    if not np.isfinite(total):
        raise ValueError(
            f"weight column {column!r} adds up to more than the largest number a float holds "
            f"(about 1.8e308); shares would be meaningless: rescale the weights"
        )
    return values


def prepare_records(
    df: pd.DataFrame,
    *,
    origin: Hashable,
    destination: Hashable,
    transit: Hashable | None,
    weight: Hashable | None,
    unknown: str | None,
) -> tuple[pd.DataFrame, int]:
    """Return a frame with standard columns ``origin, transit, destination, weight``.

    Missing origins/destinations are replaced by ``unknown`` when it is given,
    otherwise the record is excluded; the number excluded is returned too.
    A missing transit stays None (no transit recorded).
    """
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    named = {"origin": origin, "destination": destination}
    if transit is not None:
        named["transit"] = transit
    if weight is not None:
        named["weight"] = weight
    for argument, column in named.items():
        if column not in df.columns:
            raise ValueError(
                f"{argument}={column!r} is not a column of the DataFrame; "
                f"available columns: {list(df.columns)!r}"
            )
    if unknown is not None and (not isinstance(unknown, str) or not unknown.strip()):
        raise ValueError(f"unknown must be a non-empty label or None; got {unknown!r}")
    frame = pd.DataFrame(
        {
            "origin": _clean_locations(df[origin]),
            "transit": (
                _clean_locations(df[transit])
                if transit is not None
                else pd.Series(None, index=df.index, dtype=object)
            ),
            "destination": _clean_locations(df[destination]),
            "weight": (
                _clean_weights(df[weight], weight)
                if weight is not None
                else pd.Series(1.0, index=df.index)
            ),
        },
        index=df.index,
    )
    if unknown is not None:
        label = unknown.strip()
        frame["origin"] = frame["origin"].fillna(label)
        frame["destination"] = frame["destination"].fillna(label)
        return frame, 0
    keep = frame["origin"].notna() & frame["destination"].notna()
    return frame.loc[keep], int((~keep).sum())


def run_sql(frame: pd.DataFrame, sql: str) -> pd.DataFrame:
    """Run ``sql`` against ``frame`` registered as the view ``records`` (in-process DuckDB)."""
    # Column types are pinned so an all-missing column (e.g. no transit) is still text.
    typed = "CAST(origin AS VARCHAR) AS origin, CAST(transit AS VARCHAR) AS transit, "
    typed += "CAST(destination AS VARCHAR) AS destination, CAST(weight AS DOUBLE) AS weight"
    with duckdb.connect(database=":memory:") as con:
        con.register("raw_records", frame.reset_index(drop=True))
        con.execute(f"CREATE TEMP VIEW records AS SELECT {typed} FROM raw_records")  # noqa: S608
        return con.execute(sql).df()
