"""Spark backend for :class:`tipstats.linkage.Matcher`: the linkage as a Parquet-to-Parquet job.

:meth:`SparkBackend.link_pairs` writes both sides as Parquet (a chunk of
encodings at a time), runs :func:`~tipstats.linkage.spark.spark_link_parquet`
(blocking joins, distinct pairs and Dice all in Spark) and reads the pairs at
or above the Dice floor back in batches. Candidate pairs never come to the
driver: :meth:`candidate_pairs`, which would have to return them as arrays,
refuses, and :class:`~tipstats.linkage.Matcher` calls :meth:`link_pairs`
instead.

For a region that outgrows one machine the same job runs on a cluster: give
:class:`SparkBackend` a session made by :class:`SparkConfig` with the
cluster's master URL, and a ``workdir`` on storage every executor sees.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .._backend import CandidatePairs
from .._blocking import BlockingRule, KeyTable
from .._encoding import Encodings
from ._job import SparkConfig, read_scored_pairs, spark_link_parquet, write_side

if TYPE_CHECKING:  # pragma: no cover
    from pyspark.sql import SparkSession

__all__ = ["SparkBackend", "local_spark_session"]


def local_spark_session(app_name: str = "tipstats-linkage", *, cores: int = 2) -> SparkSession:
    """A local-mode Spark session sized for tests and one-machine runs."""
    return SparkConfig(
        master=f"local[{cores}]",
        app_name=app_name,
        partitions=max(2, cores * 2),
        options=(("spark.ui.enabled", "false"),),
    ).session()


def _chunks(enc: Encodings, rows: int) -> Iterator[Encodings]:
    for start in range(0, len(enc), rows):
        yield enc.take(np.arange(start, min(start + rows, len(enc))))


class SparkBackend:
    """The linkage as a Spark job over Parquet; see the module docstring.

    Parameters
    ----------
    spark
        A ``pyspark.sql.SparkSession`` (:meth:`SparkConfig.session`, or
        :func:`local_spark_session`).
    workdir
        Where the job's Parquet inputs and outputs are written (a temporary
        directory under it per run, removed afterwards); the system's
        temporary directory by default. On a cluster: a shared file system.
    chunk_rows
        Encodings written to Parquet per chunk.
    batch_rows
        Scored pairs read back per batch.
    """

    name = "spark"

    def __init__(
        self,
        spark: SparkSession,
        *,
        workdir: str | Path | None = None,
        chunk_rows: int = 200_000,
        batch_rows: int = 200_000,
    ) -> None:
        self.spark = spark
        self.workdir = Path(workdir) if workdir is not None else None
        self.chunk_rows = chunk_rows
        self.batch_rows = batch_rows
        self.last_job = None

    def link_pairs(
        self,
        left: Encodings,
        right: Encodings,
        blocking: Sequence[BlockingRule] | None,
        *,
        dice_floor: float,
        max_block_pairs: int,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, int]:
        """``(left_rows, right_rows, dice, n_comparisons, n_pairs_skipped)``, pairs sorted.

        Only the pairs at or above ``dice_floor`` are returned (read back
        from the job's Parquet output in batches).
        """
        left.check_comparable(right)
        if self.workdir is not None:
            self.workdir.mkdir(parents=True, exist_ok=True)
        run = Path(tempfile.mkdtemp(prefix="linkage-", dir=self.workdir))
        try:
            ls = write_side(
                _chunks(left, self.chunk_rows), run / "left", blocking=blocking, side="left"
            )
            rs = write_side(
                _chunks(right, self.chunk_rows), run / "right", blocking=blocking, side="right"
            )
            job = spark_link_parquet(
                self.spark,
                ls,
                rs,
                run / "out",
                dice_floor=dice_floor,
                max_block_pairs=max_block_pairs,
                blocked=bool(blocking),
            )
            self.last_job = job
            parts = list(read_scored_pairs(job.scored_path, batch_rows=self.batch_rows))
        finally:
            shutil.rmtree(run, ignore_errors=True)
        if parts:
            i = np.concatenate([p["i"].to_numpy(np.int64) for p in parts])
            j = np.concatenate([p["j"].to_numpy(np.int64) for p in parts])
            dice = np.concatenate([p["dice"].to_numpy(np.float64) for p in parts])
        else:
            i = j = np.empty(0, dtype=np.int64)
            dice = np.empty(0, dtype=np.float64)
        order = np.lexsort((j, i))
        return i[order], j[order], dice[order], job.n_comparisons, job.n_pairs_skipped

    def candidate_pairs(
        self,
        tables: list[tuple[KeyTable, KeyTable]],
        *,
        n_right: int,
        max_block_pairs: int,
    ) -> CandidatePairs:
        raise NotImplementedError(
            "the Spark backend keeps candidate pairs in Spark; use link_pairs "
            "(tipstats.linkage.Matcher does)"
        )

    def score_pairs(
        self, left: Encodings, right: Encodings, pairs: CandidatePairs, *, dice_floor: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        raise NotImplementedError(
            "the Spark backend makes and scores candidate pairs in one job; use link_pairs"
        )

    def score_all_pairs(
        self, left: Encodings, right: Encodings, *, dice_floor: float
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        i, j, dice, _, _ = self.link_pairs(
            left, right, None, dice_floor=dice_floor, max_block_pairs=0
        )
        return i, j, dice
