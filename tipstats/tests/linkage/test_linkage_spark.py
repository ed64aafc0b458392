"""The Spark backend gives the numpy backend's result (local mode, small data)."""

import shutil

import numpy as np
import pytest

from tipstats.linkage import MATIS_SCHEMA, BloomEncoder, KeyBlocking, LSHBlocking, Matcher
from tipstats.linkage._synthetic import cross_script_benchmark

pytest.importorskip(
    "pyspark",
    reason="pyspark is not installed: pip install './tipstats[spark]' to run the Spark test",
)
if shutil.which("java") is None:
    pytest.skip("no Java runtime on PATH: Spark needs Java 17+", allow_module_level=True)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    from tipstats.linkage.spark import local_spark_session

    session = local_spark_session("tipstats-linkage-test", cores=2)
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_spark_backend_matches_numpy_backend(spark):
    from tipstats.linkage.spark import SparkBackend

    left, right, _ = cross_script_benchmark(40, seed=5)
    encoder = BloomEncoder(MATIS_SCHEMA, b"test-secret-shared-by-six-governments")
    el, er = encoder.encode(left), encoder.encode(right)
    blocking = (KeyBlocking(), LSHBlocking(n_bands=6, bits_per_band=12))
    on_spark = Matcher(blocking=blocking, backend=SparkBackend(spark)).link(el, er)
    in_process = Matcher(blocking=blocking, backend="numpy").link(el, er)
    assert on_spark.backend == "spark"
    assert on_spark.n_comparisons == in_process.n_comparisons > 0
    a = on_spark.scored_pairs.sort_values(["left_row", "right_row"])
    b = in_process.scored_pairs.sort_values(["left_row", "right_row"])
    assert np.array_equal(
        a[["left_row", "right_row"]].to_numpy(), b[["left_row", "right_row"]].to_numpy()
    )
    assert np.allclose(a["dice"], b["dice"])
    assert on_spark.matched_id_pairs() == in_process.matched_id_pairs()
