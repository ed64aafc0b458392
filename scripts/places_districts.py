#!/usr/bin/env python3
"""Regenerate ``src/matis/common/data/districts.csv``: districts (ADM2) below the provinces.

Every source is a file of a public repository, fetched at the commit named in
``src/matis/common/data/SOURCE.md``; names and codes are copied unedited.

* Thailand -- kongvut/thai-province-data (MIT), ``formats/csv/districts.csv``.
  Its district ``id`` is the Thai interior ministry geocode, whose first two
  digits are the province's TIS 1099 code, which is the number of the
  province's ISO 3166-2 code (``1001`` Khet Phra Nakhon -> ``TH-10``). Rows
  with a ``deleted_at`` are left out.
* Cambodia -- RathanakSreang/cambodia-gazetteer (MIT), ``cambodia_gazetteer.json``
  (from the NCDD gazetteer). Provinces carry the NCDD 2-digit code, which is
  the number of the ISO 3166-2:KH code (``01`` -> ``KH-1``); districts carry
  the NCDD 4-digit district code padded with two zeros (``000102``), of which
  the code keeps the four digits (``KH-0102``).
* Myanmar -- kyawthura-gg/myanmar-geography-json (MIT), ``csv/districts.csv``
  and ``csv/districts-selfadmin.csv`` (MIMU place codes). The state/region
  pcode (``SR``) is mapped to ISO 3166-2:MM in ``MYANMAR`` below; the code is
  ``MM-`` + the district pcode (``MM-MMR001D001``).
* China -- modood/Administrative-divisions-of-China (WTFPL), ``dist/areas.csv``
  (county level of the National Bureau of Statistics' division codes). The
  ``provinceCode`` (GB/T 2260) is mapped to ISO 3166-2:CN in ``CHINA`` below;
  the code is ``CN-`` + the 6-digit county code. The source gives Chinese names
  only: ``name`` and ``name_local`` both hold them (no romanisation is made up).

Laos and Viet Nam have no list (see SOURCE.md). A province code the mappings
do not know, a province name that does not match the mapping, or a repeated
code stops the script.

Usage (after fetching the repositories at the commits named in SOURCE.md):

    python scripts/places_districts.py \\
        --thailand thai-province-data/formats/csv/districts.csv \\
        --cambodia cambodia-gazetteer/cambodia_gazetteer.json \\
        --myanmar myanmar-geography-json/csv/districts.csv \\
        --myanmar myanmar-geography-json/csv/districts-selfadmin.csv \\
        --china Administrative-divisions-of-China/dist/areas.csv

The output columns: code (``TH-1001``), subdivision (ISO 3166-2, as pycountry
lists it), name (romanised where the source gives it, as the source writes
it), name_local (the name in the country's script where the source gives one:
Thai, Khmer, Burmese, Chinese).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/matis/common/data/districts.csv"
COLUMNS = ("code", "subdivision", "name", "name_local")

# NCDD province code -> (ISO 3166-2:KH code, province name as the gazetteer writes it).
# ISO 3166-2:KH numbers the provinces as the NCDD does.
CAMBODIA = {
    "01": ("KH-1", "Banteay Meanchey"),
    "02": ("KH-2", "Battambang"),
    "03": ("KH-3", "Kampong Cham"),
    "04": ("KH-4", "Kampong Chhnang"),
    "05": ("KH-5", "Kampong Speu"),
    "06": ("KH-6", "Kampong Thom"),
    "07": ("KH-7", "Kampot"),
    "08": ("KH-8", "Kandal"),
    "09": ("KH-9", "Koh Kong"),
    "10": ("KH-10", "Kratie"),
    "11": ("KH-11", "Mondul Kiri"),
    "12": ("KH-12", "Phnom Penh Capital"),
    "13": ("KH-13", "Preah Vihear"),
    "14": ("KH-14", "Prey Veng"),
    "15": ("KH-15", "Pursat"),
    "16": ("KH-16", "Ratanak Kiri"),
    "17": ("KH-17", "Siemreap"),
    "18": ("KH-18", "Preah Sihanouk"),
    "19": ("KH-19", "Stung Treng"),
    "20": ("KH-20", "Svay Rieng"),
    "21": ("KH-21", "Takeo"),
    "22": ("KH-22", "Oddar Meanchey"),
    "23": ("KH-23", "Kep"),
    "24": ("KH-24", "Pailin"),
    "25": ("KH-25", "Tboung Khmum"),
}

# MIMU state/region pcode -> (ISO 3166-2:MM code, name as the source writes it).
# MIMU splits Bago into East/West and Shan into South/North/East; ISO 3166-2
# has one Bago region (MM-02) and one Shan state (MM-17).
MYANMAR = {
    "MMR001": ("MM-11", "Kachin"),
    "MMR002": ("MM-12", "Kayah"),
    "MMR003": ("MM-13", "Kayin"),
    "MMR004": ("MM-14", "Chin"),
    "MMR005": ("MM-01", "Sagaing"),
    "MMR006": ("MM-05", "Tanintharyi"),
    "MMR007": ("MM-02", "Bago (East)"),
    "MMR008": ("MM-02", "Bago (West)"),
    "MMR009": ("MM-03", "Magway"),
    "MMR010": ("MM-04", "Mandalay"),
    "MMR011": ("MM-15", "Mon"),
    "MMR012": ("MM-16", "Rakhine"),
    "MMR013": ("MM-06", "Yangon"),
    "MMR014": ("MM-17", "Shan (South)"),
    "MMR015": ("MM-17", "Shan (North)"),
    "MMR016": ("MM-17", "Shan (East)"),
    "MMR017": ("MM-07", "Ayeyarwady"),
    "MMR018": ("MM-18", "Nay Pyi Taw"),  # union territory
}

# GB/T 2260 province code (first two digits of every county code) -> ISO 3166-2:CN.
# The source has no rows for Taiwan, Hong Kong or Macao.
CHINA = {
    "11": "CN-BJ",  # 北京市 Beijing
    "12": "CN-TJ",  # 天津市 Tianjin
    "13": "CN-HE",  # 河北省 Hebei
    "14": "CN-SX",  # 山西省 Shanxi
    "15": "CN-NM",  # 内蒙古自治区 Nei Mongol
    "21": "CN-LN",  # 辽宁省 Liaoning
    "22": "CN-JL",  # 吉林省 Jilin
    "23": "CN-HL",  # 黑龙江省 Heilongjiang
    "31": "CN-SH",  # 上海市 Shanghai
    "32": "CN-JS",  # 江苏省 Jiangsu
    "33": "CN-ZJ",  # 浙江省 Zhejiang
    "34": "CN-AH",  # 安徽省 Anhui
    "35": "CN-FJ",  # 福建省 Fujian
    "36": "CN-JX",  # 江西省 Jiangxi
    "37": "CN-SD",  # 山东省 Shandong
    "41": "CN-HA",  # 河南省 Henan
    "42": "CN-HB",  # 湖北省 Hubei
    "43": "CN-HN",  # 湖南省 Hunan
    "44": "CN-GD",  # 广东省 Guangdong
    "45": "CN-GX",  # 广西壮族自治区 Guangxi
    "46": "CN-HI",  # 海南省 Hainan
    "50": "CN-CQ",  # 重庆市 Chongqing
    "51": "CN-SC",  # 四川省 Sichuan
    "52": "CN-GZ",  # 贵州省 Guizhou
    "53": "CN-YN",  # 云南省 Yunnan
    "54": "CN-XZ",  # 西藏自治区 Xizang
    "61": "CN-SN",  # 陕西省 Shaanxi
    "62": "CN-GS",  # 甘肃省 Gansu
    "63": "CN-QH",  # 青海省 Qinghai
    "64": "CN-NX",  # 宁夏回族自治区 Ningxia
    "65": "CN-XJ",  # 新疆维吾尔自治区 Xinjiang
}


def _fail(where: str, message: str) -> None:
    raise SystemExit(f"{where}: {message}")


def thai_rows(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            if (r.get("deleted_at") or "").strip():
                continue
            geocode = r["id"].strip()
            if not (geocode.isdigit() and len(geocode) == 4):
                _fail(f"{path} line {line}", f"id {geocode!r} is not a 4-digit geocode")
            rows.append(
                {
                    "code": f"TH-{geocode}",
                    "subdivision": f"TH-{geocode[:2]}",
                    "name": r["name_en"].strip(),
                    "name_local": r["name_th"].strip(),
                }
            )
    return rows


def cambodia_rows(path: Path) -> list[dict]:
    rows = []
    for province in json.loads(path.read_text(encoding="utf-8")):
        where = f"{path} province {province['code']!r}"
        if province["code"] not in CAMBODIA:
            _fail(where, "is not in the CAMBODIA mapping")
        iso, name = CAMBODIA[province["code"]]
        if province["latin"] != name:
            _fail(where, f"is {province['latin']!r}, the mapping says {name!r}")
        for district in province["districts"]:
            code = district["code"]
            if not (code.isdigit() and len(code) == 6 and code[:4] == "00" + province["code"]):
                _fail(where, f"district code {code!r} is not 00 + province + 2 digits")
            rows.append(
                {
                    "code": f"KH-{code[2:]}",
                    "subdivision": iso,
                    "name": district["latin"].strip(),
                    "name_local": district["khmer"].strip(),
                }
            )
    return rows


def myanmar_rows(paths: list[Path]) -> list[dict]:
    rows = []
    for path in paths:
        with path.open(encoding="utf-8-sig", newline="") as f:
            for line, r in enumerate(csv.DictReader(f), start=2):
                where = f"{path} line {line}"
                sr = r["SR"].strip()
                if sr not in MYANMAR:
                    _fail(where, f"state/region {sr!r} is not in the MYANMAR mapping")
                iso, name = MYANMAR[sr]
                if r["SR Name_Eng"].strip() != name:
                    _fail(where, f"{sr} is {r['SR Name_Eng']!r}, the mapping says {name!r}")
                pcode = r["District_Pcode"].strip()
                if not pcode.startswith(sr + "D"):
                    _fail(where, f"district pcode {pcode!r} is not under {sr}")
                rows.append(
                    {
                        "code": f"MM-{pcode}",
                        "subdivision": iso,
                        "name": r["District_Name_Eng"].strip(),
                        "name_local": r["District_Name_MMR"].strip(),
                    }
                )
    return rows


def china_rows(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            where = f"{path} line {line}"
            code, province = r["code"].strip(), r["provinceCode"].strip()
            if province not in CHINA:
                _fail(where, f"province {province!r} is not in the CHINA mapping")
            if not (code.isdigit() and len(code) == 6 and code.startswith(province)):
                _fail(where, f"code {code!r} is not a 6-digit county code of {province}")
            name = r["name"].strip()
            rows.append(
                {
                    "code": f"CN-{code}",
                    "subdivision": CHINA[province],
                    "name": name,
                    "name_local": name,
                }
            )
    return rows


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--thailand", type=Path, required=True)
    parser.add_argument("--cambodia", type=Path, required=True)
    parser.add_argument("--myanmar", type=Path, action="append", required=True)
    parser.add_argument("--china", type=Path, required=True)
    args = parser.parse_args(argv[1:])
    rows = (
        thai_rows(args.thailand)
        + cambodia_rows(args.cambodia)
        + myanmar_rows(args.myanmar)
        + china_rows(args.china)
    )
    seen: set[str] = set()
    for row in rows:
        if row["code"] in seen:
            raise SystemExit(f"code {row['code']!r} repeats")
        seen.add(row["code"])
    rows.sort(key=lambda r: r["code"])
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["code"][:2]] = counts.get(row["code"][:2], 0) + 1
    print(f"{len(rows)} districts written to {OUT}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
