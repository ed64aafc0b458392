"""The linkage as a Spark job over Parquet: inputs written by the caller, pairs kept in Spark.

The caller (a hub, a benchmark) writes each side once as Parquet, a chunk of
encodings at a time, so it never holds more than a chunk:

- ``<side>/words/part-*.parquet``: ``row`` (0..n-1 over the side), the filter as
  ``w0 .. w{n-1}`` signed 64-bit words (little-endian words of the packed
  filter; Spark has no unsigned type, AND and popcount are the same) and
  ``pop`` (bits set);
- ``<side>/keys/part-*.parquet``: ``rule`` (the blocking rule's position),
  ``row`` and ``key`` (signed 64-bit), the rule's key table of that side.

:func:`spark_link_parquet` reads them in Spark, joins the keys into candidate
pairs (a block with more than ``max_block_pairs`` pairs is skipped and
counted), writes the distinct pairs to ``<output>/candidates``, computes the
Dice coefficient of each from the words and writes the pairs at or above the
floor to ``<output>/scored`` (``i``, ``j``, ``dice``). Only one-row counts
come back to the driver; the pairs stay in the cluster and in Parquet, where
:func:`read_scored_pairs` reads them back in batches with DuckDB.

Parquet is written and read on this side with DuckDB (a dependency of
tipstats), so a hub needs neither pyarrow nor a JVM of its own to feed the job;
with a cluster, ``path`` must be on storage the executors see at the same path
(a shared file system).
"""

from __future__ import annotations

import math
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pandas as pd

from .._blocking import BlockingRule
from .._encoding import Encodings

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import DataFrame, SparkSession

__all__ = [
    "ParquetSide",
    "SparkConfig",
    "SparkJobResult",
    "read_scored_pairs",
    "spark_link_parquet",
    "write_side",
]

SIDES = ("left", "right")


@dataclass(frozen=True)
class SparkConfig:
    """Where the Spark job runs and with what resources.

    Parameters
    ----------
    master
        A Spark master URL: ``local[N]`` / ``local[*]`` (one machine),
        ``spark://host:7077`` (standalone cluster), ``yarn``, ``k8s://...``.
    executor_memory, executor_cores
        Per executor (``spark.executor.memory``, ``spark.executor.cores``);
        ``None`` leaves Spark's default. In local mode the executor is the
        driver: size it with ``driver_memory``.
    driver_memory
        ``spark.driver.memory``; takes effect only when this session starts
        the JVM (the first session of the process).
    partitions
        ``spark.sql.shuffle.partitions``: partitions of every join and
        ``distinct``; two to four per core of the cluster.
    options
        Any further ``spark.*`` settings, as ``(name, value)`` pairs.
    """

    master: str = "local[*]"
    app_name: str = "tipstats-linkage"
    executor_memory: str | None = None
    executor_cores: int | None = None
    driver_memory: str | None = None
    partitions: int = 8
    options: tuple[tuple[str, str], ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if not self.master:
            raise ValueError("the Spark master URL is empty")
        if self.partitions < 1:
            raise ValueError(f"partitions must be at least 1, not {self.partitions}")
        if self.executor_cores is not None and self.executor_cores < 1:
            raise ValueError(f"executor_cores must be at least 1, not {self.executor_cores}")

    def spark_conf(self) -> dict[str, str]:
        """The ``spark.*`` settings this configuration gives the session."""
        conf = {
            "spark.sql.shuffle.partitions": str(self.partitions),
            "spark.ui.showConsoleProgress": "false",
            "spark.sql.execution.arrow.pyspark.enabled": "false",
        }
        if self.executor_memory:
            conf["spark.executor.memory"] = self.executor_memory
        if self.executor_cores:
            conf["spark.executor.cores"] = str(self.executor_cores)
        if self.driver_memory:
            conf["spark.driver.memory"] = self.driver_memory
        conf.update(dict(self.options))
        return conf

    def session(self) -> SparkSession:
        """A session on ``master`` with these settings (Spark reuses a running one)."""
        from pyspark.sql import SparkSession

        builder = SparkSession.builder.master(self.master).appName(self.app_name)
        for name, value in self.spark_conf().items():
            builder = builder.config(name, value)
        session = builder.getOrCreate()
        # getOrCreate may return a running session: the per-job settings still apply
        session.conf.set("spark.sql.shuffle.partitions", str(self.partitions))
        return session


@dataclass(frozen=True)
class ParquetSide:
    """One side of a linkage written as Parquet by :func:`write_side`."""

    path: str
    side: str
    n_records: int
    n_words: int
    n_rules: int
    schema_fingerprint: str

    @property
    def words_path(self) -> str:
        return str(Path(self.path) / "words")

    @property
    def keys_path(self) -> str:
        return str(Path(self.path) / "keys")


@dataclass(frozen=True)
class SparkJobResult:
    """What a job run wrote and counted; the pairs themselves are in ``scored_path``."""

    scored_path: str
    candidates_path: str
    n_comparisons: int
    n_pairs_skipped: int
    n_scored: int
    seconds: float


def _sql_path(path: str | Path) -> str:
    return str(path).replace("'", "''")


def _write_parquet(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, path: Path) -> None:
    con.register("part_frame", frame)
    try:
        con.execute(f"COPY part_frame TO '{_sql_path(path)}' (FORMAT parquet)")
    finally:
        con.unregister("part_frame")


def _words_frame(enc: Encodings, offset: int) -> pd.DataFrame:
    # the packed filter read as little-endian 64-bit words, whatever this machine's order
    words = np.ascontiguousarray(enc.packed).view("<u8").astype(np.uint64).view(np.int64)
    data = {"row": np.arange(offset, offset + len(enc), dtype=np.int64)}
    data.update({f"w{k}": words[:, k] for k in range(words.shape[1])})
    data["pop"] = enc.popcounts.astype(np.int64)
    return pd.DataFrame(data)


def write_side(
    chunks: Iterable[Encodings],
    path: str | Path,
    *,
    blocking: Sequence[BlockingRule] | None,
    side: str,
) -> ParquetSide:
    """Write one side of a linkage as Parquet, a chunk of encodings at a time.

    Rows are numbered across the chunks in the order given. Each blocking
    rule's key table is computed per chunk (every rule's keys depend on one
    record only) and ``side`` says which of the rule's two tables to write:
    a :class:`~tipstats.linkage.KeyBlocking` writes the record's own token on
    the left and its neighbours' too on the right.
    """
    if side not in SIDES:
        raise ValueError(f"side must be 'left' or 'right', not {side!r}")
    rules = tuple(blocking or ())
    root = Path(path)
    (root / "words").mkdir(parents=True, exist_ok=False)
    (root / "keys").mkdir()
    con = duckdb.connect(":memory:")
    offset, n_words, fingerprint = 0, None, None
    try:
        for part, enc in enumerate(chunks):
            if not len(enc):
                continue
            words = enc.packed.shape[1] // 8
            if n_words is None:
                n_words, fingerprint = words, enc.schema_fingerprint
            elif (words, enc.schema_fingerprint) != (n_words, fingerprint):
                raise ValueError(
                    f"chunk {part} was encoded under schema {enc.schema_fingerprint} "
                    f"({words * 64} bits), the first under {fingerprint} ({n_words * 64} bits)"
                )
            _write_parquet(
                con, _words_frame(enc, offset), root / "words" / f"part-{part:05d}.parquet"
            )
            keys = []
            for r, rule in enumerate(rules):
                table = rule.key_tables(enc, enc)[SIDES.index(side)]
                keys.append(
                    pd.DataFrame(
                        {
                            "rule": np.full(table.rows.size, r, dtype=np.int32),
                            "row": table.rows.astype(np.int64) + offset,
                            "key": np.asarray(table.keys, dtype=np.uint64).view(np.int64),
                        }
                    )
                )
            if keys:
                frame = pd.concat(keys, ignore_index=True)
                _write_parquet(con, frame, root / "keys" / f"part-{part:05d}.parquet")
            offset += len(enc)
    finally:
        con.close()
    return ParquetSide(
        path=str(root),
        side=side,
        n_records=offset,
        n_words=n_words or 0,
        n_rules=len(rules),
        schema_fingerprint=fingerprint or "",
    )


def _read(spark: SparkSession, path: str) -> DataFrame:
    return spark.read.parquet(Path(path).resolve().as_uri() if "://" not in path else path)


def _candidates(spark, left: ParquetSide, right: ParquetSide, max_block_pairs: int):
    """Distinct ``(i, j)`` sharing a key under some rule, and the pairs skipped (a frame)."""
    from pyspark.sql import functions as F

    lk = _read(spark, left.keys_path).withColumnRenamed("row", "i")
    rk = _read(spark, right.keys_path).withColumnRenamed("row", "j")
    sizes = (
        lk.groupBy("rule", "key").agg(F.count(F.lit(1)).alias("nl"))
        .join(rk.groupBy("rule", "key").agg(F.count(F.lit(1)).alias("nr")), ["rule", "key"])
        .withColumn("size", F.col("nl") * F.col("nr"))
    )  # fmt: skip
    skipped = sizes.where(F.col("size") > max_block_pairs).agg(
        F.coalesce(F.sum("size"), F.lit(0)).alias("skipped")
    )
    ok = sizes.where(F.col("size") <= max_block_pairs).select("rule", "key")
    pairs = lk.join(ok, ["rule", "key"]).join(rk, ["rule", "key"]).select("i", "j").distinct()
    return pairs, skipped


def _one_row(frame: DataFrame) -> dict:
    """The single row of an aggregate (never pairs)."""
    [row] = frame.limit(2).collect()
    return row.asDict()


def spark_link_parquet(
    spark: SparkSession,
    left: ParquetSide,
    right: ParquetSide,
    output: str | Path,
    *,
    dice_floor: float,
    max_block_pairs: int = 5_000_000,
    blocked: bool = True,
) -> SparkJobResult:
    """Run the linkage in Spark from Parquet to Parquet; see the module docstring.

    With ``blocked=False`` every pair is a candidate (a cross join: small
    sides only). The pairs are never brought to this process: only the
    counts are (one row each).
    """
    from pyspark.sql import functions as F

    if left.n_words != right.n_words or left.schema_fingerprint != right.schema_fingerprint:
        raise ValueError(
            f"the sides were encoded under different schemas: {left.schema_fingerprint} "
            f"({left.n_words * 64} bits) and {right.schema_fingerprint} ({right.n_words * 64} bits)"
        )
    if blocked and left.n_rules != right.n_rules:
        raise ValueError("the sides were written with different blocking rules")
    if not 0.0 <= dice_floor < 1.0:
        raise ValueError(f"dice_floor must be in [0, 1), not {dice_floor}")
    t0 = time.perf_counter()
    out = Path(output)
    candidates_path, scored_path = str(out / "candidates"), str(out / "scored")
    lw = _read(spark, left.words_path)
    rw = _read(spark, right.words_path)
    n_skipped = 0
    if blocked and left.n_rules and left.n_records and right.n_records:
        pairs, skipped = _candidates(spark, left, right, max_block_pairs)
        n_skipped = int(_one_row(skipped)["skipped"] or 0)
    elif blocked:
        pairs = spark.createDataFrame([], "i bigint, j bigint")
    else:
        pairs = lw.select(F.col("row").alias("i")).crossJoin(rw.select(F.col("row").alias("j")))
    pairs.write.mode("overwrite").parquet(Path(candidates_path).resolve().as_uri())
    pairs = _read(spark, candidates_path)
    n_comparisons = int(_one_row(pairs.agg(F.count(F.lit(1)).alias("n")))["n"])

    a = lw.select(
        F.col("row").alias("i"),
        *(F.col(f"w{k}").alias(f"a{k}") for k in range(left.n_words)),
        F.col("pop").alias("apop"),
    )
    b = rw.select(
        F.col("row").alias("j"),
        *(F.col(f"w{k}").alias(f"b{k}") for k in range(right.n_words)),
        F.col("pop").alias("bpop"),
    )
    common = sum(
        (F.bit_count(F.col(f"a{k}").bitwiseAND(F.col(f"b{k}"))) for k in range(left.n_words)),
        F.lit(0),
    )
    total = F.col("apop") + F.col("bpop")
    dice = F.when(total > 0, F.lit(2.0) * common / total).otherwise(F.lit(0.0))
    scored = (
        pairs.join(a, "i").join(b, "j")
        .select("i", "j", dice.alias("dice"))
        .where(F.col("dice") >= F.lit(float(dice_floor)))
    )  # fmt: skip
    scored.write.mode("overwrite").parquet(Path(scored_path).resolve().as_uri())
    n_scored = int(_one_row(_read(spark, scored_path).agg(F.count(F.lit(1)).alias("n")))["n"])
    return SparkJobResult(
        scored_path=scored_path,
        candidates_path=candidates_path,
        n_comparisons=n_comparisons,
        n_pairs_skipped=n_skipped,
        n_scored=n_scored,
        seconds=time.perf_counter() - t0,
    )


def read_scored_pairs(path: str | Path, *, batch_rows: int = 100_000) -> Iterator[pd.DataFrame]:
    """The scored pairs a job wrote (``i``, ``j``, ``dice``), ``batch_rows`` at a time."""
    if batch_rows < 1:
        raise ValueError("batch_rows must be at least 1")
    files = sorted(Path(path).glob("*.parquet"))
    if not files:
        return
    con = duckdb.connect(":memory:")
    try:
        result = con.execute(
            "SELECT i, j, dice FROM read_parquet($files)", {"files": [str(f) for f in files]}
        )
        vectors = max(1, math.ceil(batch_rows / 2048))
        while True:
            frame = result.fetch_df_chunk(vectors)
            if frame.empty:
                return
            yield frame
    finally:
        con.close()
