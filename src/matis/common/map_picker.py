"""A clickable map of a country's provinces beside a province select (the select stays the control).

The map is drawn on the server as inline SVG from the same Natural Earth
boundaries as the report maps (:data:`matis.common.maps.BOUNDARIES`), projected
and simplified once per country. It is an enhancement: it is rendered
``hidden`` and ``aria-hidden``, and ``common/province_map.js`` shows it and sets
the select when a province is clicked (firing ``change`` so that a district
select narrows). Without JavaScript, and for screen readers, the select is the
way to choose.
"""

from __future__ import annotations

import math
from functools import lru_cache

import pycountry
from django.template.loader import render_to_string

from matis.common.maps import features, place_name

WIDTH, MAX_HEIGHT = 320.0, 360.0
TOLERANCE = 0.6  # px: points closer than this to the simplified line are dropped


def _simplify(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Douglas-Peucker, iterative."""
    if len(points) < 4:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = 0.0, None
        for i in range(first + 1, last):
            x, y = points[i]
            d = abs(dy * (x - x1) - dx * (y - y1)) / norm if norm else math.hypot(x - x1, y - y1)
            if d > worst:
                worst, index = d, i
        if index is not None and worst > TOLERANCE:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [p for p, k in zip(points, keep, strict=True) if k]


def _polygons(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    return geometry["coordinates"]


@lru_cache(maxsize=8)
def country_paths(iso3: str) -> tuple[tuple[float, float], tuple[tuple[str, str], ...]]:
    """((width, height), ((province code, SVG path), ...)) of one country, by code."""
    alpha2 = pycountry.countries.get(alpha_3=iso3).alpha_2
    shapes = [f for f in features("province") if f["properties"]["country"] == alpha2]
    rings = [
        (f["properties"]["code"], ring)
        for f in shapes
        for polygon in _polygons(f["geometry"])
        for ring in polygon
    ]
    if not rings:
        return (0.0, 0.0), ()
    lons = [lon for _c, ring in rings for lon, _lat in ring]
    lats = [lat for _c, ring in rings for _lon, lat in ring]
    shrink = math.cos(math.radians((min(lats) + max(lats)) / 2))  # equirectangular at mid-latitude
    span_x, span_y = (max(lons) - min(lons)) * shrink, max(lats) - min(lats)
    scale = min(WIDTH / span_x, MAX_HEIGHT / span_y)
    size = (round(span_x * scale, 1), round(span_y * scale, 1))

    west, north = min(lons), max(lats)

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (round((lon - west) * shrink * scale, 1), round((north - lat) * scale, 1))

    paths: dict[str, list[str]] = {}
    for code, ring in rings:
        projected = [project(lon, lat) for lon, lat in ring]
        # points within the tolerance of the last one kept (repeats after rounding
        # included) go first, then Douglas-Peucker on what is left
        near: list[tuple[float, float]] = projected[:1]
        for point in projected[1:]:
            if math.dist(point, near[-1]) > TOLERANCE:
                near.append(point)
        points = _simplify(near)
        if len(points) < 3:
            continue
        moves = " ".join(f"{x:g},{y:g}" for x, y in points[1:])
        paths.setdefault(code, []).append(f"M{points[0][0]:g},{points[0][1]:g} {moves}Z")
    ordered = tuple((code, "".join(paths[code])) for code in sorted(paths))
    return size, ordered


def province_map_html(select_id: str, countries: list[str], selected: str | None = None) -> str:
    """The hidden, clickable maps (one per country of ``countries``, alpha-3) for a select."""
    maps = []
    for iso3 in countries:
        (width, height), paths = country_paths(iso3)
        if not paths:
            continue
        maps.append(
            {
                "country": iso3,
                "width": width,
                "height": height,
                "provinces": [
                    {"code": code, "d": d, "name": place_name(code), "selected": code == selected}
                    for code, d in paths
                ],
            }
        )
    return render_to_string("common/province_map.html", {"select_id": select_id, "maps": maps})
