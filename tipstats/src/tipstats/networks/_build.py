"""Offender network construction with source triangulation (private)."""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping
from types import MappingProxyType

import networkx as nx
import pandas as pd

DEFAULT_RELIABILITIES: Mapping[str, float] = MappingProxyType(
    {
        "victim": 0.6,
        "migrant_worker": 0.5,
        "ngo": 0.5,
        "law_enforcement": 0.7,
    }
)
"""Illustrative base reliability of one report from each evidence type.

These are placeholders, not empirical values: set them with the people who
know the data (``build_network(..., reliabilities={...})``).
"""

DEFAULT_SOURCE_GROUPS: Mapping[str, str] = MappingProxyType(
    {
        "victim": "victim",
        "migrant_worker": "victim",
        "ngo": "ngo",
        "law_enforcement": "law_enforcement",
    }
)
"""Independent source group of each evidence type.

Migrant workers are victim-side witnesses, so a link reported by a victim and
a migrant worker is *not* counted as corroborated by two independent sources.
An evidence type missing from this mapping forms its own group.
"""


def normalize_evidence_type(value: object) -> str:
    """Lower-case and underscore an evidence label: ``"Law enforcement"`` -> ``"law_enforcement"``."""
    return re.sub(r"[\s\-]+", "_", str(value).strip().lower())


def _check_reliabilities(reliabilities: Mapping[str, float]) -> dict[str, float]:
    checked = {}
    for name, value in reliabilities.items():
        try:
            r = float(value)
        except (TypeError, ValueError):
            r = math.nan
        if not 0.0 < r <= 1.0:
            raise ValueError(
                f"reliability of evidence type {name!r} must be in (0, 1]; got {value!r}"
            )
        checked[normalize_evidence_type(name)] = r
    return checked


def _clean_actor(value: object, column: Hashable, row: Hashable) -> Hashable:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        raise ValueError(f"column {column!r} is missing in row {row!r}")
    if isinstance(value, str):
        value = value.strip()
        if not value:
            raise ValueError(f"column {column!r} is blank in row {row!r}")
    return value


def link_reliability(
    types: Mapping[str, int] | set[str] | list[str],
    *,
    reliabilities: Mapping[str, float] | None = None,
    source_groups: Mapping[str, str] | None = None,
) -> float:
    """Reliability of a link reported by the given evidence types.

    ``1 - prod_g (1 - r_g)`` over the distinct independent source groups ``g``
    present, where ``r_g`` is the highest base reliability among the group's
    evidence types that reported the link.

    Parameters
    ----------
    types : iterable of str
        Evidence types that reported the link (repeats do not matter).
    reliabilities, source_groups : mapping, optional
        Overrides of :data:`DEFAULT_RELIABILITIES` and
        :data:`DEFAULT_SOURCE_GROUPS`.

    Returns
    -------
    float
        Probability-style score in (0, 1].
    """
    rel = {**DEFAULT_RELIABILITIES, **_check_reliabilities(reliabilities or {})}
    groups = _source_groups(source_groups)
    kinds = set()
    for t in types:
        key = normalize_evidence_type(t)
        if key not in rel:
            raise ValueError(f"no reliability given for evidence type {key!r}")
        kinds.add(key)
    if not kinds:
        raise ValueError("a link needs at least one evidence type")
    return _combine(kinds, rel, groups)[0]


def _source_groups(source_groups: Mapping[str, str] | None) -> dict[str, str]:
    """The default groups with overrides, keys normalised as evidence types are."""
    return {
        **DEFAULT_SOURCE_GROUPS,
        **{normalize_evidence_type(k): str(v) for k, v in (source_groups or {}).items()},
    }


def _combine(kinds, rel: Mapping[str, float], groups: Mapping[str, str]):
    """Reliability of a link from its evidence types, and the best reliability per group."""
    best: dict[str, float] = {}
    for kind in kinds:
        g = groups.get(kind, kind)
        best[g] = max(best.get(g, 0.0), rel[kind])
    return 1.0 - math.prod(1.0 - r for r in best.values()), best


HOP_LENGTH = 1e-9
"""Added to every link's length ``-ln(reliability)``: among chains equally reliable (links of
reliability 1 have length 0), shortest paths take the fewest links instead of an arbitrary one."""


def build_network(
    links_df: pd.DataFrame,
    *,
    source_col: Hashable,
    target_col: Hashable,
    evidence_col: Hashable,
    reliabilities: Mapping[str, float] | None = None,
    source_groups: Mapping[str, str] | None = None,
    directed: bool = False,
) -> nx.Graph:
    """Build an offender network whose links carry their evidence and a reliability score.

    Parameters
    ----------
    links_df : DataFrame
        One row per reported link between two actors, with the type of source
        that reported it.
    source_col, target_col : str
        Columns naming the two actors (persons, businesses, brokers...).
    evidence_col : str
        Column with the evidence type of the report.  Built-in types are
        ``"victim"``, ``"migrant_worker"``, ``"ngo"`` and
        ``"law_enforcement"``; labels are matched ignoring case and treating
        spaces/hyphens as underscores.  Other types need a reliability.
    reliabilities : mapping, optional
        Base reliability (0 < r <= 1) of one report per evidence type; merged
        over :data:`DEFAULT_RELIABILITIES` (illustrative values).
    source_groups : mapping, optional
        Evidence type -> independent source group; merged over
        :data:`DEFAULT_SOURCE_GROUPS` (``migrant_worker`` counts as victim-side).
    directed : bool, default False
        Keep the direction source -> target.  By default A-B and B-A reports
        are the same link.

    Returns
    -------
    networkx.Graph or networkx.DiGraph
        Nodes are actors.  Each edge has:

        ``n_reports``
            rows supporting the link;
        ``support``
            dict evidence type -> number of reports;
        ``source_groups``
            sorted tuple of the independent source groups that reported it;
        ``n_source_groups``
            their number (1 = uncorroborated, 2+ = triangulated);
        ``reliability``
            ``1 - prod_g (1 - r_g)`` over those groups, with ``r_g`` the best
            base reliability among the group's evidence types;
        ``distance``
            ``-ln(reliability)``, so that the shortest path is the most
            reliable chain (used for weighted betweenness).

        ``graph.graph`` stores the ``reliabilities`` and ``source_groups`` used.

    Raises
    ------
    ValueError
        If a column is absent, an actor is missing or blank, a row links an
        actor to itself, or an evidence type has no reliability (the row is
        named).

    Notes
    -----
    Actor names that are strings are trimmed of surrounding spaces; otherwise
    they must match exactly across rows.  Repeated reports from the same source group do not raise the score: they
    may come from the same informant and are not independent corroboration.
    """
    if not isinstance(links_df, pd.DataFrame):
        raise ValueError(f"links_df must be a pandas DataFrame; got {type(links_df).__name__}")
    for argument, column in {
        "source_col": source_col,
        "target_col": target_col,
        "evidence_col": evidence_col,
    }.items():
        if column not in links_df.columns:
            raise ValueError(
                f"{argument}={column!r} is not a column of links_df; "
                f"available columns: {list(links_df.columns)!r}"
            )
    rel = {**DEFAULT_RELIABILITIES, **_check_reliabilities(reliabilities or {})}
    groups = _source_groups(source_groups)

    graph: nx.Graph = nx.DiGraph() if directed else nx.Graph()
    graph.graph["reliabilities"] = dict(rel)
    graph.graph["source_groups"] = {t: groups.get(t, t) for t in rel}
    rows = links_df[[source_col, target_col, evidence_col]].itertuples(index=True, name=None)
    for row, source, target, evidence in rows:
        u = _clean_actor(source, source_col, row)
        v = _clean_actor(target, target_col, row)
        if u == v:
            raise ValueError(f"row {row!r} links actor {u!r} to itself")
        if (
            evidence is None
            or evidence is pd.NA
            or (isinstance(evidence, float) and math.isnan(evidence))
        ):
            raise ValueError(f"column {evidence_col!r} is missing in row {row!r}")
        kind = normalize_evidence_type(evidence)
        if kind not in rel:
            raise ValueError(
                f"row {row!r}: evidence type {evidence!r} in column {evidence_col!r} has no "
                f"reliability; known types are {sorted(rel)!r} (pass reliabilities= to add one)"
            )
        if graph.has_edge(u, v):
            support = graph.edges[u, v]["support"]
            support[kind] = support.get(kind, 0) + 1
        else:
            graph.add_edge(u, v, support={kind: 1})

    for _, _, data in graph.edges(data=True):
        support = dict(sorted(data["support"].items()))
        reliability, best = _combine(support, rel, groups)
        data.update(
            support=support,
            n_reports=sum(support.values()),
            source_groups=tuple(sorted(best)),
            n_source_groups=len(best),
            reliability=reliability,
            distance=-math.log(reliability) + HOP_LENGTH,
        )
    return graph


def edge_table(graph: nx.Graph) -> pd.DataFrame:
    """Return the links of a network built by :func:`build_network` as a DataFrame.

    Parameters
    ----------
    graph : networkx.Graph
        Output of :func:`build_network`.

    Returns
    -------
    DataFrame
        One row per link: ``source``, ``target``, ``n_reports``, one
        ``reports_<type>`` column per evidence type, ``source_groups`` (joined
        with ``" + "``), ``n_source_groups`` and ``reliability``; sorted by
        decreasing reliability.
    """
    types = sorted(graph.graph.get("reliabilities", {}))
    rows = []
    for u, v, data in graph.edges(data=True):
        _require_built(data)
        row = {"source": u, "target": v, "n_reports": data["n_reports"]}
        row.update({f"reports_{t}": data["support"].get(t, 0) for t in types})
        row.update(
            source_groups=" + ".join(data["source_groups"]),
            n_source_groups=data["n_source_groups"],
            reliability=data["reliability"],
        )
        rows.append(row)
    columns = [
        "source",
        "target",
        "n_reports",
        *(f"reports_{t}" for t in types),
        "source_groups",
        "n_source_groups",
        "reliability",
    ]
    out = pd.DataFrame(rows, columns=columns)
    return out.sort_values(
        ["reliability", "n_reports"], ascending=False, kind="stable"
    ).reset_index(drop=True)


def _require_built(data: Mapping[str, object]) -> None:
    if "reliability" not in data or "source_groups" not in data:
        raise ValueError("graph edges lack reliability data; build the graph with build_network()")
