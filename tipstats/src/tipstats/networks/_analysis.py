"""Centrality and triangulation summaries of an offender network (private)."""

from __future__ import annotations

import warnings
from typing import Literal

import networkx as nx
import pandas as pd

from ._build import _require_built

CENTRALITY_COLUMNS = (
    "degree",
    "degree_centrality",
    "weighted_degree",
    "betweenness",
    "weighted_betweenness",
    "eigenvector",
    "weighted_eigenvector",
    "n_reports",
)


def _eigenvector(graph: nx.Graph, weight: str | None) -> dict:
    """Eigenvector centrality, or NaN for every actor (with a warning) if it is undefined."""
    try:
        return nx.eigenvector_centrality(graph, max_iter=1000, tol=1e-10, weight=weight)
    except nx.PowerIterationFailedConvergence:
        # typical for directed networks without cycles (pure chains of command), where
        # eigenvector centrality is not defined; other measures remain valid
        warnings.warn(
            "eigenvector centrality did not converge (common for directed networks without "
            "cycles); the eigenvector columns are set to NaN",
            RuntimeWarning,
            stacklevel=3,
        )
        return dict.fromkeys(graph, float("nan"))


def central_actors(
    graph: nx.Graph,
    *,
    top: int | None = 10,
    sort_by: str = "weighted_degree",
) -> pd.DataFrame:
    """Rank actors by how central they are in the network, raw and reliability-weighted.

    Parameters
    ----------
    graph : networkx.Graph
        Output of :func:`build_network`.
    top : int or None, default 10
        Number of actors to return; None returns every actor.
    sort_by : str, default "weighted_degree"
        Column to rank by (descending; ties by actor name).

    Returns
    -------
    DataFrame
        One row per actor with columns:

        ``actor``
            node name;
        ``degree``
            number of distinct linked actors;
        ``degree_centrality``
            degree / (number of actors - 1);
        ``weighted_degree``
            sum of the reliability of the actor's links (a link confirmed by
            several independent sources counts more than a single report);
        ``betweenness``
            share of shortest paths between other actors that pass through
            this actor (normalised, links unweighted);
        ``weighted_betweenness``
            the same with link length ``-ln(reliability)``, i.e. along the
            most reliable chains;
        ``eigenvector``
            eigenvector centrality (high when linked to well-connected actors);
        ``weighted_eigenvector``
            the same with links weighted by reliability;
        ``n_reports``
            reports naming the actor in a link.

    Raises
    ------
    ValueError
        If the graph was not built with :func:`build_network`, ``top`` is not
        a positive integer or ``sort_by`` is not a column.

    Notes
    -----
    Uses :func:`networkx.degree_centrality`,
    :func:`networkx.betweenness_centrality` and
    :func:`networkx.eigenvector_centrality`.  For a directed network degree
    counts in- and out-links, and eigenvector centrality follows incoming
    links (networkx convention).  If eigenvector centrality does not converge
    (typical of directed networks without cycles) its columns are NaN and a
    ``RuntimeWarning`` is issued.
    """
    if not isinstance(graph, nx.Graph):
        raise ValueError(f"graph must be a networkx graph; got {type(graph).__name__}")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise ValueError(f"top must be a positive integer or None; got {top!r}")
    if sort_by not in CENTRALITY_COLUMNS:
        raise ValueError(f"sort_by must be one of {list(CENTRALITY_COLUMNS)!r}; got {sort_by!r}")
    for _, _, data in graph.edges(data=True):
        _require_built(data)
    if graph.number_of_nodes() == 0:
        return pd.DataFrame(columns=["actor", *CENTRALITY_COLUMNS])

    degree_centrality = nx.degree_centrality(graph)
    betweenness = nx.betweenness_centrality(graph, normalized=True)
    weighted_betweenness = nx.betweenness_centrality(graph, normalized=True, weight="distance")
    if graph.number_of_edges() > 0:
        # eigenvector centrality ranks actors within one connected network; on a
        # disconnected one every actor outside the largest component gets 0, which reads
        # as "peripheral" when it means "not comparable": compute it on the largest
        # component and give the others NaN, with a warning
        components = list(
            nx.weakly_connected_components(graph)
            if graph.is_directed()
            else nx.connected_components(graph)
        )
        main = max(components, key=len)
        core = graph.subgraph(main)
        eigenvector = dict.fromkeys(graph, float("nan"))
        weighted_eigenvector = dict.fromkeys(graph, float("nan"))
        eigenvector.update(_eigenvector(core, None))
        weighted_eigenvector.update(_eigenvector(core, "reliability"))
        if len(components) > 1:
            warnings.warn(
                f"the network has {len(components)} separate parts; eigenvector centrality "
                f"is computed within the largest ({len(main)} actors) and is NaN for the "
                f"{graph.number_of_nodes() - len(main)} actors outside it",
                RuntimeWarning,
                stacklevel=2,
            )
    else:
        eigenvector = weighted_eigenvector = dict.fromkeys(graph, 0.0)
    table = pd.DataFrame(
        {
            "actor": list(graph.nodes),
            "degree": [graph.degree(n) for n in graph.nodes],
            "degree_centrality": [degree_centrality[n] for n in graph.nodes],
            "weighted_degree": [graph.degree(n, weight="reliability") for n in graph.nodes],
            "betweenness": [betweenness[n] for n in graph.nodes],
            "weighted_betweenness": [weighted_betweenness[n] for n in graph.nodes],
            "eigenvector": [eigenvector[n] for n in graph.nodes],
            "weighted_eigenvector": [weighted_eigenvector[n] for n in graph.nodes],
            "n_reports": [graph.degree(n, weight="n_reports") for n in graph.nodes],
        }
    )
    table["_name"] = table["actor"].astype(str)
    table = table.sort_values([sort_by, "_name"], ascending=[False, True], kind="stable")
    table = table.drop(columns="_name").reset_index(drop=True)
    return table if top is None else table.head(top)


def triangulation_table(
    graph: nx.Graph, *, level: Literal["group", "type"] = "group"
) -> pd.DataFrame:
    """Count links by the combination of sources that support them.

    Parameters
    ----------
    graph : networkx.Graph
        Output of :func:`build_network`.
    level : {"group", "type"}, default "group"
        ``"group"`` combines independent source groups (victim and migrant
        worker reports are both "victim"); ``"type"`` shows every evidence
        type separately.

    Returns
    -------
    DataFrame
        One row per combination with columns ``sources`` (names joined with
        ``" + "``), ``n_sources`` (how many groups/types), ``n_links``,
        ``share_of_links`` and ``mean_reliability``; sorted from the most
        corroborated combination.

    Raises
    ------
    ValueError
        If ``level`` is unknown or the graph was not built with
        :func:`build_network`.
    """
    if level not in ("group", "type"):
        raise ValueError(f"level must be 'group' or 'type'; got {level!r}")
    records = []
    for _, _, data in graph.edges(data=True):
        _require_built(data)
        combo = data["source_groups"] if level == "group" else tuple(sorted(data["support"]))
        records.append({"sources": " + ".join(combo), "n_sources": len(combo), **data})
    columns = ["sources", "n_sources", "n_links", "share_of_links", "mean_reliability"]
    if not records:
        return pd.DataFrame(columns=columns)
    frame = pd.DataFrame(records)
    out = (
        frame.groupby(["sources", "n_sources"], as_index=False)
        .agg(n_links=("reliability", "size"), mean_reliability=("reliability", "mean"))
        .assign(share_of_links=lambda d: d["n_links"] / d["n_links"].sum())
    )
    out = out.sort_values(
        ["n_sources", "n_links", "sources"], ascending=[False, False, True], kind="stable"
    )
    return out[columns].reset_index(drop=True)
