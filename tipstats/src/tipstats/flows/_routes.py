"""Route, corridor and Sankey tables from case location records (private)."""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any, Literal

import pandas as pd

from ._prepare import STAGES, prepare_records, run_sql


def route_table(
    df: pd.DataFrame,
    *,
    origin: Hashable,
    destination: Hashable,
    transit: Hashable | None = None,
    weight: Hashable | None = None,
    unknown: str | None = None,
) -> pd.DataFrame:
    """Count cases on each route (origin -> transit -> destination).

    Parameters
    ----------
    df : DataFrame
        One row per case (or per victim) with its locations.
    origin, destination : str
        Columns with the place of origin and the final destination.
    transit : str, optional
        Column with the transit place.  A missing or blank transit means no
        transit was recorded; such cases form their own direct route.
    weight : str, optional
        Numeric column to add up instead of counting rows, e.g. the number of
        victims in each case.  Must be non-negative and not missing.
    unknown : str, optional
        Label for a missing origin or destination (e.g. ``"Unknown"``).  By
        default records with a missing origin or destination are excluded.

    Returns
    -------
    DataFrame
        Columns ``origin``, ``transit`` (only when ``transit`` is given;
        missing for routes without a recorded transit), ``destination``, ``n_cases`` (rows), ``weight``
        (only when ``weight`` is given) and ``share`` (fraction of the total
        weight, or of all cases).  Sorted from the largest route.  The number
        of excluded records is in ``result.attrs["n_excluded"]``.

    Raises
    ------
    ValueError
        If a named column is absent or a weight is missing, negative or
        non-numeric (the row is named).

    Notes
    -----
    Locations are compared as text after trimming surrounding spaces.  The
    aggregation runs in an in-process DuckDB database.
    """
    frame, n_excluded = prepare_records(
        df,
        origin=origin,
        destination=destination,
        transit=transit,
        weight=weight,
        unknown=unknown,
    )
    value = "weight" if weight is not None else "n_cases"
    out = run_sql(
        frame,
        f"""
        SELECT origin, transit, destination,
               COUNT(*) AS n_cases,
               SUM(weight) AS weight
        FROM records
        GROUP BY origin, transit, destination
        ORDER BY {value} DESC, origin, transit NULLS FIRST, destination
        """,  # noqa: S608 - value is one of two fixed column names
    )
    total = out[value].sum()
    out["share"] = out[value] / total if total > 0 else 0.0
    out["n_cases"] = out["n_cases"].astype("int64")
    for column in ("origin", "transit", "destination"):  # same missing marker in all cases
        out[column] = out[column].astype("str")
    if transit is None:
        out = out.drop(columns="transit")
    if weight is None:
        out = out.drop(columns="weight")
    out.attrs["n_excluded"] = n_excluded
    return out


def corridor_matrix(
    df: pd.DataFrame,
    *,
    origin: Hashable,
    destination: Hashable,
    weight: Hashable | None = None,
    unknown: str | None = None,
    normalize: Literal["all", "origin", "destination"] | None = None,
) -> pd.DataFrame:
    """Cross-tabulate cases by origin (rows) and destination (columns).

    Parameters
    ----------
    df : DataFrame
        One row per case.
    origin, destination : str
        Location columns.
    weight : str, optional
        Numeric column to add up instead of counting rows.
    unknown : str, optional
        Label for missing locations; by default such records are excluded.
    normalize : {"all", "origin", "destination"}, optional
        Return shares instead of totals: of the grand total (``"all"``), of
        each origin's row (``"origin"``: where do people from X end up?) or
        of each destination's column (``"destination"``: where do people
        found in Y come from?).

    Returns
    -------
    DataFrame
        Origins as the index (name ``"origin"``), destinations as columns
        (name ``"destination"``), both sorted; cells with no case are 0.
        Counts are integers when no weight is given.  The number of excluded
        records is in ``result.attrs["n_excluded"]``.

    Raises
    ------
    ValueError
        If a column is absent, a weight is invalid or ``normalize`` is unknown.
    """
    if normalize not in (None, "all", "origin", "destination"):
        raise ValueError(
            f"normalize must be None, 'all', 'origin' or 'destination'; got {normalize!r}"
        )
    frame, n_excluded = prepare_records(
        df,
        origin=origin,
        destination=destination,
        transit=None,
        weight=weight,
        unknown=unknown,
    )
    value = "weight" if weight is not None else "n_cases"
    long = run_sql(
        frame,
        """
        SELECT origin, destination, COUNT(*) AS n_cases, SUM(weight) AS weight
        FROM records
        GROUP BY origin, destination
        """,
    )
    origins = sorted(long["origin"].unique())
    destinations = sorted(long["destination"].unique())
    matrix = (
        long.pivot(index="origin", columns="destination", values=value)
        .reindex(index=origins, columns=destinations)
        .fillna(0)
    )
    if weight is None:
        matrix = matrix.astype("int64")
    if normalize == "all":
        total = matrix.to_numpy().sum()
        matrix = matrix / total if total > 0 else matrix.astype(float)
    elif normalize == "origin":
        matrix = matrix.div(matrix.sum(axis=1).replace(0, float("nan")), axis=0).fillna(0.0)
    elif normalize == "destination":
        matrix = matrix.div(matrix.sum(axis=0).replace(0, float("nan")), axis=1).fillna(0.0)
    matrix.index.name = "origin"
    matrix.columns.name = "destination"
    matrix.attrs["n_excluded"] = n_excluded
    return matrix


def sankey_data(
    df: pd.DataFrame,
    *,
    origin: Hashable,
    destination: Hashable,
    transit: Hashable | None = None,
    weight: Hashable | None = None,
    unknown: str | None = None,
) -> dict[str, Any]:
    """Build nodes and links for a Sankey diagram of origin -> transit -> destination.

    Parameters
    ----------
    df : DataFrame
        One row per case.
    origin, destination : str
        Location columns.
    transit : str, optional
        Transit column.  A case without a recorded transit is drawn as a
        direct link from its origin node to its destination node.
    weight : str, optional
        Numeric column to add up instead of counting rows.
    unknown : str, optional
        Label for missing origins/destinations; by default such records are
        excluded.

    Returns
    -------
    dict
        ``{"nodes": [...], "links": [...], "n_excluded": int}``.  Each node
        is ``{"id": "origin:KH", "name": "KH", "stage": "origin", "value":
        flow}``; ids are qualified by stage so one country can be an origin, a
        transit and a destination at once.  ``value`` is the flow leaving an
        origin or entering a transit/destination node.  Each link is
        ``{"source": id, "target": id, "value": flow, "n_cases": int}``.  All
        values are plain Python numbers and strings (JSON-serialisable).
        With d3-sankey use ``sankey().nodeId(d => d.id)``.

    Raises
    ------
    ValueError
        If a column is absent or a weight is invalid.
    """
    frame, n_excluded = prepare_records(
        df,
        origin=origin,
        destination=destination,
        transit=transit,
        weight=weight,
        unknown=unknown,
    )
    value = "weight" if weight is not None else "n_cases"
    links = run_sql(
        frame,
        """
        SELECT 'origin' AS source_stage, origin AS source_name,
               'transit' AS target_stage, transit AS target_name,
               COUNT(*) AS n_cases, SUM(weight) AS weight
        FROM records WHERE transit IS NOT NULL
        GROUP BY origin, transit
        UNION ALL
        SELECT 'transit', transit, 'destination', destination, COUNT(*), SUM(weight)
        FROM records WHERE transit IS NOT NULL
        GROUP BY transit, destination
        UNION ALL
        SELECT 'origin', origin, 'destination', destination, COUNT(*), SUM(weight)
        FROM records WHERE transit IS NULL
        GROUP BY origin, destination
        """,
    )
    stage_rank = {stage: i for i, stage in enumerate(STAGES)}
    links["value"] = links[value]
    links["_rank"] = links["source_stage"].map(stage_rank) * 10 + links["target_stage"].map(
        stage_rank
    )
    links = links.sort_values(
        ["_rank", "value", "source_name", "target_name"],
        ascending=[True, False, True, True],
        kind="stable",
    )

    flows: dict[tuple[str, str], float] = {}
    for row in links.itertuples(index=False):
        # origins are sized by what leaves them, later stages by what enters them
        key_out = (row.source_stage, row.source_name)
        if row.source_stage == "origin":
            flows[key_out] = flows.get(key_out, 0) + row.value
        key_in = (row.target_stage, row.target_name)
        flows[key_in] = flows.get(key_in, 0) + row.value

    def number(v: float) -> int | float:
        return int(v) if weight is None else float(v)

    nodes = [
        {"id": f"{stage}:{name}", "name": name, "stage": stage, "value": number(total)}
        for (stage, name), total in sorted(
            flows.items(), key=lambda item: (stage_rank[item[0][0]], -item[1], item[0][1])
        )
    ]
    link_list = [
        {
            "source": f"{row.source_stage}:{row.source_name}",
            "target": f"{row.target_stage}:{row.target_name}",
            "value": number(row.value),
            "n_cases": int(row.n_cases),
        }
        for row in links.itertuples(index=False)
    ]
    return {"nodes": nodes, "links": link_list, "n_excluded": n_excluded}
