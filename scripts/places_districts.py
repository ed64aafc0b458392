#!/usr/bin/env python3
"""Regenerate ``src/matis/common/data/districts.csv``: districts (ADM2) below the provinces.

Thailand: the amphoe and khet (districts) of kongvut/thai-province-data
(MIT), file ``formats/csv/districts.csv``. Its district ``id`` is the Thai
interior ministry geocode, whose first two digits are the province's TIS 1099
code, which is the number of the province's ISO 3166-2 code (``1001`` Khet
Phra Nakhon -> ``TH-10``). Rows with a ``deleted_at`` are left out. Names are
copied unedited.

Usage (after fetching the repository at the commit named in SOURCE.md):

    python scripts/places_districts.py path/to/thai-province-data/formats/csv/districts.csv

The output columns: code (``TH-1001``), subdivision (ISO 3166-2), name
(romanised, as the source gives it), name_th. The other countries have no
district list yet (see SOURCE.md).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "src/matis/common/data/districts.csv"
COLUMNS = ("code", "subdivision", "name", "name_th")


def thai_rows(path: Path) -> list[dict]:
    rows = []
    with path.open(encoding="utf-8-sig", newline="") as f:
        for line, r in enumerate(csv.DictReader(f), start=2):
            if (r.get("deleted_at") or "").strip():
                continue
            geocode = r["id"].strip()
            if not (geocode.isdigit() and len(geocode) == 4):
                raise SystemExit(f"{path} line {line}: id {geocode!r} is not a 4-digit geocode")
            rows.append(
                {
                    "code": f"TH-{geocode}",
                    "subdivision": f"TH-{geocode[:2]}",
                    "name": r["name_en"].strip(),
                    "name_th": r["name_th"].strip(),
                }
            )
    return rows


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    rows = sorted(thai_rows(Path(argv[1])), key=lambda r: r["code"])
    with OUT.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} districts written to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
