"""Tests for tipstats.networks on small hand-checked offender networks."""

import math

import networkx as nx
import pandas as pd
import pytest

from tipstats.networks import (
    DEFAULT_RELIABILITIES,
    build_network,
    central_actors,
    edge_table,
    link_reliability,
    triangulation_table,
)

R = DEFAULT_RELIABILITIES  # victim .6, migrant_worker .5, ngo .5, law_enforcement .7


@pytest.fixture
def links():
    return pd.DataFrame(
        [
            ("recruiter", "broker", "victim"),
            ("recruiter", "broker", "Law enforcement"),  # label normalised
            ("broker", "recruiter", "migrant-worker"),  # same undirected link, victim-side
            ("recruiter", "driver", "ngo"),
            ("broker", "driver", "victim"),
            ("broker", "driver", "migrant_worker"),  # victim + migrant worker: one group
            ("driver", "employer", "law_enforcement"),
            ("driver", "employer", "ngo"),
            ("driver", "employer", "victim"),
            ("employer", "guard", "victim"),
        ],
        columns=["actor_a", "actor_b", "reported_by"],
    )


def build(df, **kwargs):
    return build_network(
        df, source_col="actor_a", target_col="actor_b", evidence_col="reported_by", **kwargs
    )


def test_edge_support_and_reliability_by_hand(links):
    g = build(links)
    assert isinstance(g, nx.Graph) and not g.is_directed()
    assert g.number_of_nodes() == 5
    assert g.number_of_edges() == 5
    rb = g.edges["recruiter", "broker"]
    assert rb["support"] == {"law_enforcement": 1, "migrant_worker": 1, "victim": 1}
    assert rb["n_reports"] == 3
    assert rb["source_groups"] == ("law_enforcement", "victim")
    assert rb["n_source_groups"] == 2
    # victim group uses its best member (victim 0.6 > migrant_worker 0.5)
    assert rb["reliability"] == pytest.approx(1 - (1 - 0.6) * (1 - 0.7))  # 0.88
    assert rb["distance"] == pytest.approx(-math.log(0.88))
    bd = g.edges["broker", "driver"]
    assert bd["n_source_groups"] == 1
    assert bd["reliability"] == pytest.approx(0.6)  # two victim-side reports: no corroboration
    de = g.edges["driver", "employer"]
    assert de["reliability"] == pytest.approx(1 - 0.3 * 0.5 * 0.4)  # 0.94
    assert g.edges["recruiter", "driver"]["reliability"] == pytest.approx(0.5)
    assert g.graph["source_groups"]["migrant_worker"] == "victim"


def test_link_reliability_function():
    assert link_reliability(["victim"]) == pytest.approx(R["victim"])
    assert link_reliability(["victim", "migrant_worker"]) == pytest.approx(0.6)
    assert link_reliability({"ngo", "law_enforcement"}) == pytest.approx(1 - 0.5 * 0.3)
    assert link_reliability(["ngo"], reliabilities={"ngo": 0.8}) == pytest.approx(0.8)
    # treating migrant workers as an independent source changes the score
    assert link_reliability(
        ["victim", "migrant_worker"], source_groups={"migrant_worker": "migrant_worker"}
    ) == pytest.approx(1 - 0.4 * 0.5)
    with pytest.raises(ValueError, match="no reliability"):
        link_reliability(["journalist"])


def test_corroborated_links_score_higher(links):
    table = edge_table(build(links))
    assert table.iloc[0][["source", "target"]].tolist() == ["driver", "employer"]
    assert table["reliability"].is_monotonic_decreasing
    assert table.loc[0, "reports_ngo"] == 1
    assert table.loc[0, "source_groups"] == "law_enforcement + ngo + victim"
    by_groups = table.groupby("n_source_groups")["reliability"].min()
    assert (
        by_groups[3] > by_groups[2] > table.loc[table["n_source_groups"] == 1, "reliability"].max()
    )


def reference_graph(g):
    """A plain networkx graph with the same edges and weights, built independently."""
    h = nx.Graph()
    for u, v, d in g.edges(data=True):
        h.add_edge(u, v, r=d["reliability"], length=-math.log(d["reliability"]))
    return h


def test_central_actors_match_networkx(links):
    g = build(links)
    table = central_actors(g, top=None).set_index("actor")
    h = reference_graph(g)
    dc = nx.degree_centrality(h)
    bc = nx.betweenness_centrality(h)
    wbc = nx.betweenness_centrality(h, weight="length")
    ec = nx.eigenvector_centrality(h, max_iter=1000, tol=1e-10)
    wec = nx.eigenvector_centrality(h, max_iter=1000, tol=1e-10, weight="r")
    for actor in h.nodes:
        row = table.loc[actor]
        assert row["degree"] == h.degree(actor)
        assert row["degree_centrality"] == pytest.approx(dc[actor])
        assert row["weighted_degree"] == pytest.approx(h.degree(actor, weight="r"))
        assert row["betweenness"] == pytest.approx(bc[actor])
        assert row["weighted_betweenness"] == pytest.approx(wbc[actor])
        assert row["eigenvector"] == pytest.approx(ec[actor], abs=1e-8)
        assert row["weighted_eigenvector"] == pytest.approx(wec[actor], abs=1e-8)
    # hand checks: driver has 3 links; guard hangs off employer only
    assert table.loc["driver", "degree"] == 3
    assert table.loc["driver", "weighted_degree"] == pytest.approx(0.5 + 0.6 + 0.94)
    assert table.loc["guard", "betweenness"] == 0
    # employer lies on the paths from guard to the 3 other actors: 3 of C(4,2) = 6 pairs
    assert table.loc["employer", "betweenness"] == pytest.approx(3 / 6)
    assert table.loc["driver", "n_reports"] == 1 + 2 + 3


def test_weighted_betweenness_follows_reliable_chain():
    # A-C is a single NGO report; A-B-C is corroborated by police and victims on both legs
    df = pd.DataFrame(
        [
            ("A", "C", "ngo"),
            ("A", "B", "law_enforcement"),
            ("A", "B", "victim"),
            ("B", "C", "law_enforcement"),
            ("B", "C", "victim"),
        ],
        columns=["actor_a", "actor_b", "reported_by"],
    )
    table = central_actors(build(df), top=None).set_index("actor")
    assert table.loc["B", "betweenness"] == 0  # the direct A-C link is shorter in hops
    # -ln(0.88) * 2 = 0.256 < -ln(0.5) = 0.693: the reliable chain runs through B
    assert table.loc["B", "weighted_betweenness"] == pytest.approx(1.0)


def test_central_actors_top_and_sorting(links):
    g = build(links)
    top2 = central_actors(g, top=2)
    assert len(top2) == 2
    assert top2.iloc[0]["actor"] == "driver"  # weighted degree 2.04
    by_between = central_actors(g, top=1, sort_by="betweenness")
    assert by_between.iloc[0]["actor"] == "driver"
    with pytest.raises(ValueError, match="sort_by"):
        central_actors(g, sort_by="pagerank")
    with pytest.raises(ValueError, match="top"):
        central_actors(g, top=0)
    with pytest.raises(ValueError, match="build_network"):
        central_actors(nx.path_graph(3))


def test_triangulation_table(links):
    g = build(links)
    t = triangulation_table(g)
    assert t["sources"].tolist() == [
        "law_enforcement + ngo + victim",
        "law_enforcement + victim",
        "victim",
        "ngo",
    ]
    counts = dict(zip(t["sources"], t["n_links"], strict=True))
    assert counts == {
        "law_enforcement + ngo + victim": 1,
        "law_enforcement + victim": 1,
        "victim": 2,  # broker-driver (victim + migrant worker) and employer-guard
        "ngo": 1,
    }
    assert t["share_of_links"].sum() == pytest.approx(1.0)
    assert t.set_index("sources").loc["victim", "mean_reliability"] == pytest.approx(0.6)
    by_type = triangulation_table(g, level="type").set_index("sources")
    assert by_type.loc["migrant_worker + victim", "n_links"] == 1
    assert by_type.loc["law_enforcement + migrant_worker + victim", "n_sources"] == 3
    with pytest.raises(ValueError, match="level"):
        triangulation_table(g, level="actor")


def test_directed_network_keeps_direction(links):
    g = build(links, directed=True)
    assert g.is_directed()
    assert g.edges["recruiter", "broker"]["support"] == {"law_enforcement": 1, "victim": 1}
    assert g.edges["broker", "recruiter"]["support"] == {"migrant_worker": 1}
    table = central_actors(g, top=None)
    assert len(table) == 5


def test_custom_evidence_type_and_reliabilities(links):
    extra = pd.concat(
        [links, pd.DataFrame([("guard", "recruiter", "labour_inspector")], columns=links.columns)],
        ignore_index=True,
    )
    g = build(extra, reliabilities={"labour_inspector": 0.65, "victim": 0.4})
    assert g.edges["guard", "recruiter"]["reliability"] == pytest.approx(0.65)
    assert g.edges["employer", "guard"]["reliability"] == pytest.approx(0.4)
    assert g.edges["recruiter", "broker"]["reliability"] == pytest.approx(1 - 0.5 * 0.3)


def test_errors_name_the_row(links):
    bad = links.copy()
    bad.loc[4, "reported_by"] = "journalist"
    with pytest.raises(ValueError, match=r"row 4: evidence type 'journalist'"):
        build(bad)
    bad = links.copy()
    bad.loc[2, "actor_b"] = "broker"
    with pytest.raises(ValueError, match="row 2 links actor 'broker' to itself"):
        build(bad)
    bad = links.copy()
    bad.loc[7, "actor_a"] = None
    with pytest.raises(ValueError, match="column 'actor_a' is missing in row 7"):
        build(bad)
    with pytest.raises(ValueError, match="evidence_col='source' is not a column"):
        build_network(links, source_col="actor_a", target_col="actor_b", evidence_col="source")
    with pytest.raises(ValueError, match="reliability of evidence type 'ngo'"):
        build(links, reliabilities={"ngo": 1.5})


def test_empty_network():
    g = build(pd.DataFrame(columns=["actor_a", "actor_b", "reported_by"]))
    assert central_actors(g).empty
    assert triangulation_table(g).empty
    assert edge_table(g).empty


def test_acyclic_directed_network_has_undefined_eigenvector_centrality():
    df = pd.DataFrame(
        [("A", "B", "victim"), ("B", "C", "ngo"), ("A", "D", "victim"), ("D", "E", "ngo")],
        columns=["actor_a", "actor_b", "reported_by"],
    )
    with pytest.warns(RuntimeWarning, match="eigenvector centrality did not converge"):
        table = central_actors(build(df, directed=True), top=None).set_index("actor")
    assert table["eigenvector"].isna().all()
    assert table.loc["A", "degree"] == 2
    h = nx.DiGraph([("A", "B"), ("B", "C"), ("A", "D"), ("D", "E")])
    assert table.loc["B", "betweenness"] == pytest.approx(nx.betweenness_centrality(h)["B"])


def test_link_reliability_normalises_source_group_keys_like_build_network():
    # Reported: 0.91 from link_reliability against 0.70 from build_network on the same evidence.
    kwargs = {"reliabilities": {"victim": 0.7}, "source_groups": {"Law Enforcement": "victim"}}
    alone = link_reliability(["victim", "law_enforcement"], **kwargs)
    assert alone == pytest.approx(0.70)  # one group: the better of .7 and .7
    df = pd.DataFrame(
        [("a", "b", "victim"), ("a", "b", "law enforcement")], columns=["s", "t", "by"]
    )
    graph = build_network(df, source_col="s", target_col="t", evidence_col="by", **kwargs)
    assert graph.edges["a", "b"]["reliability"] == pytest.approx(alone)


def test_certain_links_take_the_fewest_links_in_weighted_betweenness():
    # Reported: reliability 1.0 gave distance 0, so a two-link detour through b tied with
    # the direct link a-c and b's weighted betweenness was arbitrary.
    df = pd.DataFrame(
        [("a", "b", "court"), ("b", "c", "court"), ("a", "c", "court"), ("c", "d", "victim")],
        columns=["s", "t", "by"],
    )
    graph = build_network(
        df, source_col="s", target_col="t", evidence_col="by", reliabilities={"court": 1.0}
    )
    assert all(d["distance"] > 0 for _, _, d in graph.edges(data=True))
    table = central_actors(graph).set_index("actor")
    assert table.loc["b", "weighted_betweenness"] == 0.0  # no shortest path passes b
    # c lies on every path to d: (a, d) and (b, d) of the 3 * 2 / 2 = 3 pairs not involving c
    assert table.loc["c", "weighted_betweenness"] == pytest.approx(2 / 3)


def test_eigenvector_centrality_outside_the_largest_part_is_nan_with_a_warning():
    df = pd.DataFrame(
        [("a", "b", "victim"), ("b", "c", "victim"), ("a", "c", "ngo"), ("d", "e", "ngo")],
        columns=["s", "t", "by"],
    )
    graph = build_network(df, source_col="s", target_col="t", evidence_col="by")
    with pytest.warns(RuntimeWarning, match="2 separate parts"):
        table = central_actors(graph).set_index("actor")
    assert table.loc[["d", "e"], "eigenvector"].isna().all()
    assert table.loc[["d", "e"], "weighted_eigenvector"].isna().all()
    assert table.loc[["a", "b", "c"], "eigenvector"].to_numpy() == pytest.approx([3**-0.5] * 3)
