"""DuckDB backend: blocking joins in an in-process DuckDB, Dice by numpy popcounts."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from .._backend import CandidatePairs, NumpyBackend
from .._blocking import KeyTable

__all__ = ["DuckDBBackend"]

_JOIN_SQL = """
WITH l AS (SELECT * FROM left_keys), r AS (SELECT * FROM right_keys),
lc AS (SELECT key, count(*) AS n FROM l GROUP BY key),
rc AS (SELECT key, count(*) AS n FROM r GROUP BY key),
blocks AS (SELECT key, lc.n * rc.n AS size FROM lc JOIN rc USING (key))
SELECT DISTINCT l.row AS i, r.row AS j
FROM l JOIN r USING (key) JOIN blocks USING (key)
WHERE blocks.size <= $max_block_pairs
"""
_SKIPPED_SQL = """
WITH lc AS (SELECT key, count(*) AS n FROM left_keys GROUP BY key),
rc AS (SELECT key, count(*) AS n FROM right_keys GROUP BY key)
SELECT coalesce(sum(lc.n * rc.n), 0) FROM lc JOIN rc USING (key)
WHERE lc.n * rc.n > $max_block_pairs
"""


class DuckDBBackend(NumpyBackend):
    """Joins blocking keys in DuckDB (parallel hash join, spills to disk), scores in numpy.

    Parameters
    ----------
    connection
        An open DuckDB connection; a private in-memory one by default.
    threads
        DuckDB worker threads; DuckDB's default (all cores) when ``None``.
    """

    name = "duckdb"

    def __init__(
        self, connection: duckdb.DuckDBPyConnection | None = None, *, threads: int | None = None
    ) -> None:
        self.connection = connection or duckdb.connect(":memory:")
        if threads is not None:
            self.connection.execute(f"SET threads = {int(threads)}")

    def candidate_pairs(
        self,
        tables: list[tuple[KeyTable, KeyTable]],
        *,
        n_right: int,
        max_block_pairs: int,
    ) -> CandidatePairs:
        con = self.connection
        codes, skipped = [], 0
        for left, right in tables:
            con.register("left_keys", pd.DataFrame({"row": left.rows, "key": left.keys}))
            con.register("right_keys", pd.DataFrame({"row": right.rows, "key": right.keys}))
            try:
                params = {"max_block_pairs": int(max_block_pairs)}
                found = con.execute(_JOIN_SQL, params).fetchnumpy()
                skipped += int(con.execute(_SKIPPED_SQL, params).fetchall()[0][0])
            finally:
                con.unregister("left_keys")
                con.unregister("right_keys")
            i = np.asarray(found["i"], dtype=np.int64)
            j = np.asarray(found["j"], dtype=np.int64)
            codes.append(i * np.int64(max(n_right, 1)) + j)
        if not codes:
            empty = np.empty(0, dtype=np.int64)
            return CandidatePairs(empty, empty.copy(), 0)
        unique = np.unique(np.concatenate(codes))
        n = np.int64(max(n_right, 1))
        return CandidatePairs(unique // n, unique % n, skipped)
