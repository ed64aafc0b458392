"""Spark backend: blocking joins and Dice computed by Spark SQL.

The encodings travel to Spark as ``(row, w0 .. w{n-1})`` frames of signed
64-bit words (Spark has no unsigned type; the AND and popcount of the bit
pattern are the same), the keys as ``(row, key)`` frames. Spark joins the
keys, drops duplicate pairs and computes ``bit_count(l.wk & r.wk)`` summed
over the words; only pairs at or above the Dice floor come back to the
driver, where scoring and assignment run as for every backend.

For a region that outgrows one machine the same SQL runs on a cluster: give
:class:`SparkBackend` a session connected to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._backend import CandidatePairs
from .._blocking import KeyTable
from .._encoding import Encodings

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = ["SparkBackend", "local_spark_session"]


def local_spark_session(app_name: str = "tipstats-linkage", *, cores: int = 2) -> SparkSession:
    """A local-mode Spark session sized for tests and one-machine runs."""
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName(app_name)
        .config("spark.sql.shuffle.partitions", str(max(2, cores * 2)))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.execution.arrow.pyspark.enabled", "false")
        .getOrCreate()
    )


def _signed(keys: np.ndarray) -> np.ndarray:
    return np.asarray(keys, dtype=np.uint64).view(np.int64)


class SparkBackend:
    """Joins and Dice in Spark; the interface of :class:`tipstats.linkage.LinkageBackend`.

    Parameters
    ----------
    spark
        A ``pyspark.sql.SparkSession``; :func:`local_spark_session` makes a
        local one.
    """

    name = "spark"

    def __init__(self, spark: SparkSession) -> None:
        self.spark = spark

    def _frame(self, data: dict[str, np.ndarray]) -> DataFrame:
        schema = ", ".join(f"`{k}` bigint" for k in data)
        columns = [np.asarray(v, dtype=np.int64).tolist() for v in data.values()]
        return self.spark.createDataFrame(list(zip(*columns, strict=True)), schema)

    def _words_frame(self, enc: Encodings, prefix: str) -> DataFrame:
        words = enc.words.view(np.int64)
        data = {"row": np.arange(len(enc), dtype=np.int64)}
        data.update({f"{prefix}{k}": words[:, k] for k in range(words.shape[1])})
        data[f"{prefix}pop"] = enc.popcounts.astype(np.int64)
        return self._frame(data)

    def candidate_pairs(
        self,
        tables: list[tuple[KeyTable, KeyTable]],
        *,
        n_right: int,
        max_block_pairs: int,
    ) -> CandidatePairs:
        from pyspark.sql import functions as F

        found = None
        skipped = 0
        for left, right in tables:
            lk = self._frame({"i": left.rows, "key": _signed(left.keys)})
            rk = self._frame({"j": right.rows, "key": _signed(right.keys)})
            sizes = (
                lk.groupBy("key").count().withColumnRenamed("count", "nl")
                .join(rk.groupBy("key").count().withColumnRenamed("count", "nr"), "key")
                .withColumn("size", F.col("nl") * F.col("nr"))
            )  # fmt: skip
            skipped += int(
                sizes.where(F.col("size") > max_block_pairs).agg(F.sum("size")).first()[0] or 0
            )
            ok = sizes.where(F.col("size") <= max_block_pairs).select("key")
            pairs = lk.join(ok, "key").join(rk, "key").select("i", "j")
            found = pairs if found is None else found.unionByName(pairs)
        if found is None:
            empty = np.empty(0, dtype=np.int64)
            return CandidatePairs(empty, empty.copy(), 0)
        rows = found.distinct().collect()
        i = np.array([r["i"] for r in rows], dtype=np.int64)
        j = np.array([r["j"] for r in rows], dtype=np.int64)
        order = np.lexsort((j, i))
        return CandidatePairs(i[order], j[order], skipped)

    def _dice_sql(self, pairs: DataFrame, left: Encodings, right: Encodings, floor: float):
        from pyspark.sql import functions as F

        n_words = left.words.shape[1]
        lw = self._words_frame(left, "a").withColumnRenamed("row", "i")
        rw = self._words_frame(right, "b").withColumnRenamed("row", "j")
        joined = pairs.join(lw, "i").join(rw, "j")
        common = sum(F.bit_count(F.col(f"a{k}").bitwiseAND(F.col(f"b{k}"))) for k in range(n_words))
        total = F.col("apop") + F.col("bpop")
        dice = F.when(total > 0, 2.0 * common / total).otherwise(F.lit(0.0))
        scored = joined.select("i", "j", dice.alias("dice")).where(F.col("dice") >= floor)
        rows = scored.collect()
        i = np.array([r["i"] for r in rows], dtype=np.int64)
        j = np.array([r["j"] for r in rows], dtype=np.int64)
        dice = np.array([r["dice"] for r in rows], dtype=np.float64)
        order = np.lexsort((j, i))
        return i[order], j[order], dice[order]

    def score_pairs(
        self, left: Encodings, right: Encodings, pairs: CandidatePairs, *, dice_floor: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        left.check_comparable(right)
        frame = self._frame({"i": pairs.left_rows, "j": pairs.right_rows})
        return self._dice_sql(frame, left, right, dice_floor)

    def score_all_pairs(
        self, left: Encodings, right: Encodings, *, dice_floor: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        left.check_comparable(right)
        li = self._frame({"i": np.arange(len(left), dtype=np.int64)})
        rj = self._frame({"j": np.arange(len(right), dtype=np.int64)})
        return self._dice_sql(li.crossJoin(rj), left, right, dice_floor)
