"""Maps and Sankey diagrams as Vega-Lite specs: one spec, drawn in the browser and on the server.

* :func:`choropleth` colours the six COMMIT countries, or their provinces (ISO
  3166-2 codes, as :class:`matis.common.models.Subdivision`), by a count.
* :func:`flow_map` draws routes (origin -> transit -> destination) as lines
  between points inside the places, thicker for more cases.
* :func:`sankey` draws the same routes as bands between the stages.

The shapes are Natural Earth's (``data/boundaries``, see its ``SOURCE.md``),
inlined into the spec so that ``static/matis/js/charts.js`` (browser) and
:func:`matis.common.charts.render_svg` (server, for the PDF reports) draw the
same thing from the same spec. Counts leave the system: callers pass counts that
went through disclosure control (:func:`released_counts`, or a published table),
and a value that is not a number (``<11``, ``x``) is drawn as "not shown".
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from matis.common.charts import FONT, SCHEMA
from matis.common.countries import country_name

BOUNDARIES = Path(__file__).resolve().parent / "data" / "boundaries" / "mekong.geojson"
EMPTY_FILL, EDGE, INK, MUTED = "#e6eaee", "#ffffff", "#1d2630", "#566270"
STAGE_COLOURS = {"origin": "#0b4f71", "transit": "#e0a23b", "destination": "#b5471b"}
STAGES = ("origin", "transit", "destination")


@lru_cache(maxsize=1)
def _features() -> tuple[dict, ...]:
    data = json.loads(BOUNDARIES.read_text(encoding="utf-8"))
    return tuple(data["features"])


@lru_cache(maxsize=1)
def _subdivision_names() -> dict[str, tuple[str, dict]]:
    from matis.common.places import subdivision_rows

    return {r["code"]: (r["name"], r["names"]) for r in subdivision_rows()}


def features(level: str) -> list[dict]:
    """The GeoJSON features of one level (``country`` or ``province``), as stored."""
    if level not in ("country", "province"):
        raise ValueError(f"level must be 'country' or 'province', not {level!r}")
    return [f for f in _features() if f["properties"]["level"] == level]


def place_name(code: str, language: str | None = None) -> str:
    """A country (ISO alpha-2/alpha-3) or province (ISO 3166-2) name in the reader's language."""
    language = language or get_language()
    if "-" in code:
        name, names = _subdivision_names().get(code, (code, {}))
        return (names or {}).get(language) or name
    return country_name(code, default=code, language=language)


@lru_cache(maxsize=1)
def _points() -> dict[str, tuple[float, float]]:
    """Where each place is drawn on a flow map, by alpha-3, alpha-2 and ISO 3166-2 code."""
    import pycountry

    out = {}
    for f in _features():
        p = f["properties"]
        out[p["code"]] = (p["lon"], p["lat"])
        if p["level"] == "country":
            out[p["country"]] = (p["lon"], p["lat"])
            out[pycountry.countries.get(alpha_2=p["country"]).alpha_3] = (p["lon"], p["lat"])
    return out


def place_point(code: str) -> tuple[float, float] | None:
    """(longitude, latitude) inside a COMMIT country or province, or None if not on the map."""
    return _points().get((code or "").strip().upper())


def as_count(value: Any) -> int | None:
    """A released count, or None for a suppressed or missing one (``<11``, ``x``, empty)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else int(value)
    text = str(value).strip().replace(",", "")
    return int(text) if text.isdigit() else None


def as_number(value: Any) -> int | float | None:
    """A released figure (count or rate), or None for a suppressed or missing one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return None if isinstance(value, float) and math.isnan(value) else value
    if hasattr(value, "is_finite"):  # Decimal
        return float(value) if value.is_finite() else None
    try:
        return float(str(value).strip().replace(",", ""))
    except ValueError:
        return None


def released_counts(counts: Mapping[str, int]) -> dict[str, int | str]:
    """Counts by key after disclosure control (:mod:`matis.analytics.disclosure`'s settings).

    Small counts become ``<11`` (with the threshold in force), numbers hidden to
    protect them ``x``; the rest are released as they are.
    """
    import pandas as pd
    from django.conf import settings

    from tipstats import disclosure

    if not counts:
        return {}
    conf = settings.MATIS_DISCLOSURE
    series = pd.Series({str(k): int(v) for k, v in counts.items()}, dtype="int64")
    result = disclosure.protect_counts(
        series, threshold=int(conf["min_cell"]), protection=conf.get("protection")
    )
    labels = result.labelled(suppressed=disclosure.COMPLEMENTARY_LABEL).iloc[:-1]
    return {k: (int(v) if isinstance(v, int | float) else str(v)) for k, v in labels.items()}


def _base(title: str | None, height: int) -> dict:
    spec: dict[str, Any] = {"$schema": SCHEMA}
    if title:
        spec["title"] = title
    spec.update(
        width="container",
        height=height,
        config={"font": FONT, "view": {"stroke": None}},
    )
    return spec


def _projection() -> dict:
    return {"type": "mercator"}


def choropleth(
    title: str | None,
    values: Mapping[str, Any],
    *,
    level: str = "country",
    legend: str,
    height: int = 380,
    language: str | None = None,
    countries: Iterable[str] | None = None,
) -> dict:
    """Countries (by alpha-3 code) or provinces (by ISO 3166-2 code) coloured by a count.

    ``values`` maps a code to a released count or a label (``<11``, ``x``); a
    place without a number is drawn in grey and its tooltip says why.
    ``countries`` (ISO alpha-2 or alpha-3 codes) limits the map to those countries.
    """
    none = _("not shown")
    shapes, coloured = [], []
    keep = _alpha2_set(countries)
    for f in features(level):
        if keep and f["properties"]["country"] not in keep:
            continue
        code = f["properties"]["code"]
        raw = values.get(code)
        if raw is None and level == "country":
            raw = values.get(f["properties"]["country"])
        count = as_number(raw)
        feature = {
            "type": "Feature",
            "geometry": f["geometry"],
            "properties": {
                "code": code,
                "name": place_name(code, language),
                "value": count,
                "shown": str(raw) if raw is not None and count is None else none,
            },
        }
        shapes.append(feature)
        if count is not None:
            coloured.append(feature)
    name_title = _("Province") if level == "province" else _("Country")
    layers: list[dict] = [
        {
            "data": {"values": shapes},
            "mark": {"type": "geoshape", "fill": EMPTY_FILL, "stroke": EDGE, "strokeWidth": 0.5},
            "encoding": {
                "tooltip": [
                    {"field": "properties.name", "type": "nominal", "title": name_title},
                    {"field": "properties.shown", "type": "nominal", "title": legend},
                ]
            },
        },
        {
            "data": {"values": coloured},
            "mark": {"type": "geoshape", "stroke": EDGE, "strokeWidth": 0.5},
            "encoding": {
                "color": {
                    "field": "properties.value",
                    "type": "quantitative",
                    "title": legend,
                    "scale": {"scheme": "blues", "zero": True},
                    "legend": {"orient": "bottom-left", "direction": "vertical"},
                },
                "tooltip": [
                    {"field": "properties.name", "type": "nominal", "title": name_title},
                    {"field": "properties.value", "type": "quantitative", "title": legend},
                ],
            },
        },
    ]
    if level == "province":
        layers.append(_outline_layer(stroke=INK, keep=keep))
    spec = _base(title, height)
    spec.update(projection=_projection(), layer=layers)
    spec["usermeta"] = {"matis": {"kind": "choropleth", "level": level, "n": len(coloured)}}
    return spec


def _alpha2_set(countries: Iterable[str] | None) -> set[str]:
    import pycountry

    out = set()
    for code in countries or ():
        code = code.upper()
        found = pycountry.countries.get(alpha_3=code) if len(code) == 3 else None
        out.add(found.alpha_2 if found else code)
    return out


def _outline_layer(
    *, stroke: str = "#8a96a3", fill: str | None = None, keep: set[str] | None = None
) -> dict:
    outlines = [
        {"type": "Feature", "geometry": f["geometry"]}
        for f in features("country")
        if not keep or f["properties"]["country"] in keep
    ]
    mark: dict[str, Any] = {"type": "geoshape", "stroke": stroke, "strokeWidth": 0.8}
    mark["fill"] = fill if fill else None
    if not fill:
        mark["filled"] = False
    return {"data": {"values": outlines}, "mark": mark}


def route_rows(table: Mapping[str, Any]) -> list[dict]:
    """The routes of a stored or published Routes table (columns origin, [transit,] destination, n_cases).

    Rows whose count is not a released number (``<11``, ``x``) and the total row
    are left out: a chart draws only what the table shows as a number.
    """
    columns = list(table.get("columns") or [])
    if "origin" not in columns or "destination" not in columns or "n_cases" not in columns:
        raise ValueError("a routes table needs the columns origin, destination and n_cases")
    at = {c: columns.index(c) for c in columns}
    rows = []
    for row in table.get("rows") or []:
        n = as_count(row[at["n_cases"]])
        origin, destination = row[at["origin"]], row[at["destination"]]
        if n is None or n <= 0 or not origin or not destination or origin == "Total":
            continue
        transit = row[at["transit"]] if "transit" in at else None
        rows.append(
            {
                "origin": str(origin),
                "transit": str(transit) if transit not in (None, "") else None,
                "destination": str(destination),
                "n": n,
            }
        )
    return rows


def _label(code: str, language: str | None) -> str:
    return place_name(code, language) if place_point(code) or len(code) == 3 else code


def flow_map(
    title: str | None,
    routes: Iterable[Mapping[str, Any]],
    *,
    height: int = 420,
    language: str | None = None,
) -> dict:
    """Routes as lines over the map: origin -> transit -> destination, width by cases.

    ``routes``: dicts with ``origin``, ``transit`` (or None), ``destination``
    (ISO codes) and ``n`` (released count). Legs between places not on the map
    are left out of the map (they are in the Sankey and the tables).
    """
    legs: dict[tuple[str, str], int] = defaultdict(int)
    places: dict[str, int] = defaultdict(int)
    for r in routes:
        stops = [r["origin"], r.get("transit"), r["destination"]]
        stops = [s for s in stops if s]
        for a, b in pairwise(stops):
            if a != b and place_point(a) and place_point(b):
                legs[(a, b)] += int(r["n"])
        for s in stops:
            if place_point(s):
                places[s] += int(r["n"])
    cases = _("Cases")
    leg_rows = []
    for (a, b), n in sorted(legs.items(), key=lambda kv: -kv[1]):
        (x1, y1), (x2, y2) = place_point(a), place_point(b)
        leg_rows.append(
            {
                "from": _label(a, language),
                "to": _label(b, language),
                "lon": x1,
                "lat": y1,
                "lon2": x2,
                "lat2": y2,
                "n": n,
            }
        )
    point_rows = [
        {"place": _label(p, language), "lon": place_point(p)[0], "lat": place_point(p)[1], "n": n}
        for p, n in sorted(places.items())
    ]
    lonlat = {
        "longitude": {"field": "lon", "type": "quantitative"},
        "latitude": {"field": "lat", "type": "quantitative"},
    }
    layers = [_outline_layer(stroke="#ffffff", fill=EMPTY_FILL)]
    if leg_rows:
        layers.append(
            {
                "data": {"values": leg_rows},
                "mark": {"type": "rule", "color": STAGE_COLOURS["destination"], "opacity": 0.75},
                "encoding": {
                    **lonlat,
                    "longitude2": {"field": "lon2"},
                    "latitude2": {"field": "lat2"},
                    "strokeWidth": {
                        "field": "n",
                        "type": "quantitative",
                        "title": cases,
                        "scale": {"range": [1, 10], "zero": False},
                    },
                    "tooltip": [
                        {"field": "from", "type": "nominal", "title": _("From")},
                        {"field": "to", "type": "nominal", "title": _("To")},
                        {"field": "n", "type": "quantitative", "title": cases},
                    ],
                },
            }
        )
    if point_rows:
        layers.append(
            {
                "data": {"values": point_rows},
                "mark": {"type": "circle", "color": INK, "size": 40},
                "encoding": {
                    **lonlat,
                    "tooltip": [
                        {"field": "place", "type": "nominal", "title": _("Place")},
                        {"field": "n", "type": "quantitative", "title": cases},
                    ],
                },
            }
        )
        layers.append(
            {
                "data": {"values": point_rows},
                "mark": {"type": "text", "dy": -9, "fontSize": 10, "color": INK},
                "encoding": {**lonlat, "text": {"field": "place", "type": "nominal"}},
            }
        )
    spec = _base(title, height)
    spec.update(projection=_projection(), layer=layers)
    spec["usermeta"] = {"matis": {"kind": "flow_map", "n_legs": len(leg_rows)}}
    return spec


def _smooth(t: float) -> float:
    return t * t * (3 - 2 * t)


def sankey(
    title: str | None,
    routes: Iterable[Mapping[str, Any]],
    *,
    height: int = 360,
    language: str | None = None,
    steps: int = 16,
) -> dict:
    """Routes as a Sankey diagram: a column of places for each stage, bands between them.

    The layout (node heights proportional to cases, band positions) is computed
    here, so the spec is plain Vega-Lite (rect, area and text marks) that the
    browser and the server draw alike. A route without transit goes straight
    from its origin to its destination.
    """
    routes = [dict(r) for r in routes if int(r["n"]) > 0]
    has_transit = any(r.get("transit") for r in routes)
    stages = list(STAGES) if has_transit else ["origin", "destination"]
    x_of = {s: i / (len(stages) - 1) for i, s in enumerate(stages)}
    # Nodes: (stage, place) -> cases; direct routes skip the transit column.
    totals: dict[tuple[str, str], int] = defaultdict(int)
    links: dict[tuple[tuple[str, str], tuple[str, str]], int] = defaultdict(int)
    for r in routes:
        path = [("origin", r["origin"])]
        if has_transit and r.get("transit"):
            path.append(("transit", r["transit"]))
        path.append(("destination", r["destination"]))
        for node in path:
            totals[node] += int(r["n"])
        for a, b in pairwise(path):
            links[(a, b)] += int(r["n"])
    gap = 0.02
    top: dict[tuple[str, str], float] = {}
    scale = 1.0
    for stage in stages:
        nodes = sorted((n for n in totals if n[0] == stage), key=lambda n: (-totals[n], n[1]))
        stage_total = sum(totals[n] for n in nodes) or 1
        if nodes:
            scale = min(scale, (1 - gap * (len(nodes) - 1)) / stage_total)
    node_rows = []
    for stage in stages:
        nodes = sorted((n for n in totals if n[0] == stage), key=lambda n: (-totals[n], n[1]))
        y = 0.0
        for node in nodes:
            top[node] = y
            h = totals[node] * scale
            node_rows.append(
                {
                    "stage": stage,
                    "place": _label(node[1], language),
                    "n": totals[node],
                    "x": x_of[stage] - 0.012,
                    "x2": x_of[stage] + 0.012,
                    "y": y,
                    "y2": y + h,
                    "ym": y + h / 2,
                    "align": "left" if stage != "destination" else "right",
                    "tx": x_of[stage] + (0.018 if stage != "destination" else -0.018),
                }
            )
            y += h + gap
    out_at = dict(top)
    in_at = dict(top)
    band_rows = []
    for k, ((a, b), n) in enumerate(sorted(links.items(), key=lambda kv: (-kv[1], kv[0]))):
        h = n * scale
        y0, y1 = out_at[a], in_at[b]
        out_at[a] += h
        in_at[b] += h
        xa, xb = x_of[a[0]] + 0.012, x_of[b[0]] - 0.012
        name = f"{_label(a[1], language)} → {_label(b[1], language)}"
        for i in range(steps + 1):
            t = i / steps
            y = y0 + (y1 - y0) * _smooth(t)
            band_rows.append(
                {"link": k, "route": name, "n": n, "x": xa + (xb - xa) * t, "y": y, "y2": y + h}
            )
    x = {"type": "quantitative", "scale": {"domain": [0, 1]}, "axis": None}
    y = {"type": "quantitative", "scale": {"domain": [0, 1], "reverse": True}, "axis": None}
    cases = _("Cases")
    layers: list[dict] = []
    if band_rows:
        layers.append(
            {
                "data": {"values": band_rows},
                "mark": {"type": "area", "opacity": 0.35, "color": "#137a7f"},
                "encoding": {
                    "x": {"field": "x", **x},
                    "y": {"field": "y", **y},
                    "y2": {"field": "y2"},
                    "detail": {"field": "link", "type": "nominal"},
                    "tooltip": [
                        {"field": "route", "type": "nominal", "title": _("Route")},
                        {"field": "n", "type": "quantitative", "title": cases},
                    ],
                },
            }
        )
    if node_rows:
        stage_names = {
            "origin": _("Origin"),
            "transit": _("Transit"),
            "destination": _("Destination"),
        }
        for row in node_rows:
            row["stage_name"] = str(stage_names[row["stage"]])
            row["text"] = f"{row['place']} ({row['n']})"
        layers.append(
            {
                "data": {"values": node_rows},
                "mark": {"type": "rect"},
                "encoding": {
                    "x": {"field": "x", **x},
                    "x2": {"field": "x2"},
                    "y": {"field": "y", **y},
                    "y2": {"field": "y2"},
                    "color": {
                        "field": "stage_name",
                        "type": "nominal",
                        "title": None,
                        "sort": [str(stage_names[s]) for s in stages],
                        "scale": {
                            "domain": [str(stage_names[s]) for s in stages],
                            "range": [STAGE_COLOURS[s] for s in stages],
                        },
                        "legend": {"orient": "bottom", "direction": "horizontal"},
                    },
                    "tooltip": [
                        {"field": "place", "type": "nominal", "title": _("Place")},
                        {"field": "n", "type": "quantitative", "title": cases},
                    ],
                },
            }
        )
        for align in ("left", "right"):
            rows = [r for r in node_rows if r["align"] == align]
            if rows:
                layers.append(
                    {
                        "data": {"values": rows},
                        "mark": {"type": "text", "align": align, "fontSize": 10, "color": INK},
                        "encoding": {
                            "x": {"field": "tx", **x},
                            "y": {"field": "ym", **y},
                            "text": {"field": "text", "type": "nominal"},
                        },
                    }
                )
    spec = _base(title, height)
    if layers:
        spec["layer"] = layers
    else:  # no route to draw: an empty chart ("No data to chart" on the pages)
        spec.update(data={"values": []}, mark="rect")
    spec["usermeta"] = {
        "matis": {"kind": "sankey", "n_links": len(links), "n_nodes": len(node_rows)}
    }
    return spec
