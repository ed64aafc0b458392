"""Tests for tipstats.flows on a small hand-computed set of case records."""

import json

import numpy as np
import pandas as pd
import pytest

from tipstats.flows import corridor_matrix, route_table, sankey_data


@pytest.fixture
def cases():
    # Hand-checked routes (origin -> transit -> destination, victims):
    #   KH -> TH -> MY  (cases 1, 2; victims 2 + 1)
    #   MM -> TH -> TH  (case 3; 3)       a country can be transit and destination
    #   MM -> .  -> TH  (case 4; 1)       no transit recorded
    #   LA -> "" -> TH  (case 5; 1)       blank transit = none recorded; " LA" trimmed
    #   ?  -> TH -> CN  (case 6; 1)       missing origin
    #   TH -> MY -> TH  (case 7; 4)       TH is origin and destination
    return pd.DataFrame(
        {
            "case_id": [1, 2, 3, 4, 5, 6, 7],
            "origin_country": ["KH", "KH", "MM", "MM", " LA", None, "TH"],
            "transit_country": ["TH", "TH", "TH", None, "", "TH", "MY"],
            "destination_country": ["MY", "MY", "TH", "TH", "TH", "CN", "TH"],
            "victims": [2, 1, 3, 1, 1, 1, 4],
        }
    )


COLS = {"origin": "origin_country", "destination": "destination_country"}


def as_dict(table, key_cols, value_col):
    return {
        tuple(None if pd.isna(v) else v for v in row[:-1]): row[-1]
        for row in table[[*key_cols, value_col]].itertuples(index=False)
    }


def test_route_table_counts(cases):
    t = route_table(cases, transit="transit_country", **COLS)
    assert list(t.columns) == ["origin", "transit", "destination", "n_cases", "share"]
    assert as_dict(t, ["origin", "transit", "destination"], "n_cases") == {
        ("KH", "TH", "MY"): 2,
        ("MM", "TH", "TH"): 1,
        ("MM", None, "TH"): 1,
        ("LA", None, "TH"): 1,
        ("TH", "MY", "TH"): 1,
    }
    assert t.attrs["n_excluded"] == 1  # case 6 has no origin
    assert t["share"].sum() == pytest.approx(1.0)
    assert t.iloc[0][["origin", "transit", "destination"]].tolist() == ["KH", "TH", "MY"]
    assert t.iloc[0]["share"] == pytest.approx(2 / 6)


def test_route_table_weighted_with_unknown_label(cases):
    t = route_table(cases, transit="transit_country", weight="victims", unknown="Unknown", **COLS)
    assert t.attrs["n_excluded"] == 0
    weights = as_dict(t, ["origin", "transit", "destination"], "weight")
    assert weights[("KH", "TH", "MY")] == 3
    assert weights[("Unknown", "TH", "CN")] == 1
    assert weights[("TH", "MY", "TH")] == 4
    assert t.iloc[0]["weight"] == 4  # sorted by weight
    assert t["share"].sum() == pytest.approx(1.0)
    assert t.iloc[0]["share"] == pytest.approx(4 / 13)


def test_route_table_without_transit_matches_pandas(cases):
    t = route_table(cases, **COLS)
    assert "transit" not in t.columns
    clean = cases.dropna(subset=["origin_country"]).assign(
        origin_country=lambda d: d["origin_country"].str.strip()
    )
    expected = clean.groupby(["origin_country", "destination_country"]).size().to_dict()
    assert as_dict(t, ["origin", "destination"], "n_cases") == expected


def test_corridor_matrix(cases):
    m = corridor_matrix(cases, **COLS)
    assert m.index.name == "origin"
    assert m.columns.name == "destination"
    assert list(m.index) == ["KH", "LA", "MM", "TH"]
    assert list(m.columns) == ["MY", "TH"]
    expected = np.array([[2, 0], [0, 1], [0, 2], [0, 1]])
    np.testing.assert_array_equal(m.to_numpy(), expected)
    assert m.dtypes.eq("int64").all()


def test_corridor_matrix_weighted_and_normalized(cases):
    m = corridor_matrix(cases, weight="victims", unknown="Unknown", **COLS)
    assert m.loc["MM", "TH"] == 4
    assert m.loc["Unknown", "CN"] == 1
    total = corridor_matrix(cases, normalize="all", **COLS)
    assert total.to_numpy().sum() == pytest.approx(1.0)
    assert total.loc["KH", "MY"] == pytest.approx(2 / 6)
    rows = corridor_matrix(cases, weight="victims", normalize="origin", unknown="?", **COLS)
    np.testing.assert_allclose(rows.sum(axis=1), 1.0)
    cols = corridor_matrix(cases, normalize="destination", **COLS)
    np.testing.assert_allclose(cols.sum(axis=0), 1.0)
    assert cols.loc["MM", "TH"] == pytest.approx(2 / 4)


def test_sankey_nodes_and_links(cases):
    data = sankey_data(cases, transit="transit_country", **COLS)
    json.dumps(data)  # must be JSON-serialisable
    links = {(link["source"], link["target"]): link["value"] for link in data["links"]}
    assert links == {
        ("origin:KH", "transit:TH"): 2,
        ("origin:MM", "transit:TH"): 1,
        ("origin:TH", "transit:MY"): 1,
        ("transit:TH", "destination:MY"): 2,
        ("transit:TH", "destination:TH"): 1,
        ("transit:MY", "destination:TH"): 1,
        ("origin:MM", "destination:TH"): 1,  # direct: no transit recorded
        ("origin:LA", "destination:TH"): 1,
    }
    nodes = {node["id"]: node for node in data["nodes"]}
    assert set(nodes) == {
        "origin:KH",
        "origin:MM",
        "origin:LA",
        "origin:TH",
        "transit:TH",
        "transit:MY",
        "destination:MY",
        "destination:TH",
    }
    # TH appears in all three stages as separate nodes
    assert {n["stage"] for n in data["nodes"] if n["name"] == "TH"} == {
        "origin",
        "transit",
        "destination",
    }
    assert nodes["origin:MM"]["value"] == 2
    assert nodes["transit:TH"]["value"] == 3
    assert nodes["destination:TH"]["value"] == 4
    assert data["n_excluded"] == 1
    # every link endpoint is a node; flow is conserved at transit nodes
    for link in data["links"]:
        assert link["source"] in nodes and link["target"] in nodes
    for node_id in ("transit:TH", "transit:MY"):
        inflow = sum(v for (s, t), v in links.items() if t == node_id)
        outflow = sum(v for (s, t), v in links.items() if s == node_id)
        assert inflow == outflow == nodes[node_id]["value"]
    # stage order: origins first, then transits, then destinations
    stages = [n["stage"] for n in data["nodes"]]
    assert stages == sorted(stages, key=["origin", "transit", "destination"].index)


def test_sankey_weighted_without_transit(cases):
    data = sankey_data(cases, weight="victims", **COLS)
    links = {(link["source"], link["target"]): link["value"] for link in data["links"]}
    assert links[("origin:KH", "destination:MY")] == 3.0
    assert links[("origin:TH", "destination:TH")] == 4.0
    assert all(isinstance(link["value"], float) for link in data["links"])
    assert all(link["target"].startswith("destination:") for link in data["links"])


def test_all_transit_missing_and_empty_input(cases):
    cases = cases.assign(transit_country=None)
    t = route_table(cases, transit="transit_country", **COLS)
    assert t["transit"].isna().all()
    assert t["n_cases"].sum() == 6
    empty = cases.iloc[0:0]
    assert route_table(empty, **COLS).empty
    assert corridor_matrix(empty, **COLS).empty
    assert sankey_data(empty, **COLS) == {"nodes": [], "links": [], "n_excluded": 0}


def test_errors(cases):
    with pytest.raises(ValueError, match="transit='via' is not a column"):
        route_table(cases, transit="via", **COLS)
    bad = cases.astype({"victims": float})
    bad.loc[3, "victims"] = -1
    with pytest.raises(ValueError, match=r"weight column 'victims'.*row 3"):
        route_table(bad, weight="victims", **COLS)
    bad.loc[3, "victims"] = np.nan
    with pytest.raises(ValueError, match="row 3"):
        sankey_data(bad, weight="victims", **COLS)
    with pytest.raises(ValueError, match="must be numeric"):
        route_table(cases, weight="origin_country", **COLS)
    with pytest.raises(ValueError, match="normalize"):
        corridor_matrix(cases, normalize="rows", **COLS)
    with pytest.raises(ValueError, match="DataFrame"):
        route_table([1, 2], **COLS)


def test_weights_whose_sum_overflows_are_refused_by_name():
    # Reported: weights of 1e308 gave every route a share of 0.
    df = pd.DataFrame({"o": ["A", "A", "B"], "d": ["X", "Y", "X"], "w": [1e308] * 3})
    with pytest.raises(ValueError, match=r"weight column 'w'.*rescale"):
        route_table(df, origin="o", destination="d", weight="w")
    with pytest.raises(ValueError, match="weight column 'w'"):
        corridor_matrix(df, origin="o", destination="d", weight="w")
    # large but summable weights keep their shares
    ok = route_table(df.assign(w=[1e307, 1e307, 2e307]), origin="o", destination="d", weight="w")
    assert ok["share"].tolist() == pytest.approx([0.5, 0.25, 0.25])
