"""The Spark backend: a Parquet-to-Parquet job that gives the numpy backend's result.

Runs in local mode on small data. Skipped when pyspark or Java is missing,
unless ``MATIS_REQUIRE_SPARK`` is set (CI sets it): then a missing one fails.
"""

import os
import shutil

import numpy as np
import pytest

from tipstats.linkage import MATIS_SCHEMA_V1, BloomEncoder, KeyBlocking, LSHBlocking, Matcher
from tipstats.linkage._synthetic import cross_script_benchmark


def _require_spark() -> None:
    missing = []
    try:
        import pyspark  # noqa: F401
    except ImportError:
        missing.append("pyspark (pip install './tipstats[spark]')")
    if shutil.which("java") is None:
        missing.append("a Java 17+ runtime on PATH")
    if not missing:
        return
    reason = "the Spark tests need " + " and ".join(missing)
    if os.environ.get("MATIS_REQUIRE_SPARK"):
        pytest.fail(f"{reason}; MATIS_REQUIRE_SPARK is set", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


_require_spark()
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    from tipstats.linkage.spark import local_spark_session

    session = local_spark_session("tipstats-linkage-test", cores=2)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture
def no_pairs_to_driver(monkeypatch):
    """Fail if the driver collects more than one row, or any frame with pair columns.

    Every way a classic DataFrame brings rows to Python goes through
    ``collect`` (``take``, ``head``, ``first``, ``toPandas`` without Arrow) or
    is refused here (``toLocalIterator``, ``toArrow``, RDD collects).
    """
    from pyspark.rdd import RDD
    from pyspark.sql.classic.dataframe import DataFrame

    collected = []
    original = DataFrame.collect

    def guarded_collect(self):
        rows = original(self)
        collected.append((tuple(self.columns), len(rows)))
        if len(rows) > 1 or {"i", "j"} & set(self.columns):
            raise AssertionError(f"rows collected to the driver: {self.columns} x {len(rows)}")
        return rows

    def refused(*args, **kwargs):
        raise AssertionError("rows brought to the driver")

    monkeypatch.setattr(DataFrame, "collect", guarded_collect)
    for name in ("toLocalIterator", "toArrow", "_collect_as_arrow"):
        if hasattr(DataFrame, name):
            monkeypatch.setattr(DataFrame, name, refused)
    monkeypatch.setattr(RDD, "collect", refused)
    monkeypatch.setattr(RDD, "toLocalIterator", refused)
    return collected


@pytest.fixture(scope="module")
def encodings():
    left, right, _ = cross_script_benchmark(40, seed=5)
    # the first schema: it carries the keyed blocking tokens the key joins need
    encoder = BloomEncoder(MATIS_SCHEMA_V1, b"test-secret-shared-by-six-governments")
    return encoder.encode(left), encoder.encode(right)


def test_spark_backend_matches_numpy_backend(spark, encodings, no_pairs_to_driver, tmp_path):
    from tipstats.linkage.spark import SparkBackend

    el, er = encodings
    blocking = (KeyBlocking(), LSHBlocking(n_bands=6, bits_per_band=12))
    backend = SparkBackend(spark, workdir=tmp_path, chunk_rows=15)  # several Parquet parts
    on_spark = Matcher(blocking=blocking, backend=backend).link(el, er)
    in_process = Matcher(blocking=blocking, backend="numpy").link(el, er)
    assert on_spark.backend == "spark"
    assert on_spark.n_comparisons == in_process.n_comparisons > 0
    assert on_spark.n_pairs_skipped == in_process.n_pairs_skipped
    a = on_spark.scored_pairs.sort_values(["left_row", "right_row"])
    b = in_process.scored_pairs.sort_values(["left_row", "right_row"])
    assert np.array_equal(
        a[["left_row", "right_row"]].to_numpy(), b[["left_row", "right_row"]].to_numpy()
    )
    assert np.allclose(a["dice"], b["dice"])
    assert on_spark.matched_id_pairs() == in_process.matched_id_pairs()
    # only one-row counts came to the driver, and the job's Parquet is gone
    assert no_pairs_to_driver and all(n == 1 for _, n in no_pairs_to_driver)
    assert list(tmp_path.iterdir()) == []


def test_oversized_blocks_are_skipped_and_counted_as_in_numpy(spark, encodings, tmp_path):
    from tipstats.linkage.spark import SparkBackend

    el, er = encodings
    blocking = (KeyBlocking(),)
    small = dict(blocking=blocking, max_block_pairs=3, score="dice", one_to_one=False)
    on_spark = Matcher(**small, backend=SparkBackend(spark, workdir=tmp_path)).link(el, er)
    in_process = Matcher(**small, backend="numpy").link(el, er)
    assert on_spark.n_pairs_skipped == in_process.n_pairs_skipped > 0
    assert on_spark.n_comparisons == in_process.n_comparisons


def test_the_job_writes_candidates_and_scores_as_parquet(spark, encodings, tmp_path):
    from tipstats.linkage.spark import read_scored_pairs, spark_link_parquet, write_side

    el, er = encodings
    blocking = (LSHBlocking(n_bands=6, bits_per_band=12),)
    left = write_side([el.take(range(0, 25)), el.take(range(25, len(el)))], tmp_path / "l",
                      blocking=blocking, side="left")  # fmt: skip
    right = write_side([er], tmp_path / "r", blocking=blocking, side="right")
    assert (left.n_records, right.n_records) == (len(el), len(er))
    assert len(list((tmp_path / "l" / "words").glob("*.parquet"))) == 2
    job = spark_link_parquet(spark, left, right, tmp_path / "out", dice_floor=0.6)
    assert list((tmp_path / "out" / "candidates").glob("*.parquet"))
    pairs = list(read_scored_pairs(job.scored_path, batch_rows=5))
    got = sorted(
        (int(i), int(j), round(float(d), 9)) for p in pairs for i, j, d in p.itertuples(index=False)
    )
    assert len(got) == job.n_scored > 0
    expected = Matcher(blocking=blocking, backend="numpy", dice_floor=0.6).link(el, er)
    i, j, dice, _ = expected.pair_arrays
    assert got == sorted(zip(i.tolist(), j.tolist(), np.round(dice, 9).tolist(), strict=True))
    assert job.n_comparisons == expected.n_comparisons


def test_all_pairs_without_blocking(spark, encodings, tmp_path):
    from tipstats.linkage.spark import SparkBackend

    el, er = encodings
    on_spark = Matcher(backend=SparkBackend(spark, workdir=tmp_path), score="dice").link(el, er)
    in_process = Matcher(backend="numpy", score="dice").link(el, er)
    assert on_spark.matched_id_pairs() == in_process.matched_id_pairs()


def test_candidate_pairs_are_not_handed_to_the_driver(spark):
    from tipstats.linkage.spark import SparkBackend

    with pytest.raises(NotImplementedError, match="keeps candidate pairs in Spark"):
        SparkBackend(spark).candidate_pairs([], n_right=0, max_block_pairs=1)


def test_settings_reach_the_session(spark):
    from tipstats.linkage.spark import SparkConfig

    config = SparkConfig(master="local[2]", executor_memory="1g", executor_cores=1, partitions=3)
    assert config.spark_conf()["spark.executor.memory"] == "1g"
    assert config.spark_conf()["spark.executor.cores"] == "1"
    session = config.session()
    assert session.conf.get("spark.sql.shuffle.partitions") == "3"
    with pytest.raises(ValueError, match="partitions"):
        SparkConfig(partitions=0)
