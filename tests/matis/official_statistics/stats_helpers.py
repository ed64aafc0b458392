"""Helpers shared by the statistics tests (a uniquely named module, importable from any test)."""

from __future__ import annotations

import csv
import io

from matis.official_statistics.loader import data_path

GLOTIP = data_path("glotip_COMMIT6.csv")


def glotip_rows() -> list[dict]:
    """The GLOTIP file read independently of MATIS's parser."""
    with GLOTIP.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def csv_bytes(rows: list[list], header: list[str]) -> io.BytesIO:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(rows)
    return io.BytesIO(buffer.getvalue().encode("utf-8"))


def import_csv(rows, header=("indicator", "country", "year", "sex", "value"), fmt="csv", **kwargs):
    from matis.official_statistics.services import observations_import

    kwargs.setdefault("actor", None)
    return observations_import(source=csv_bytes(list(rows), list(header)), fmt=fmt, **kwargs)
