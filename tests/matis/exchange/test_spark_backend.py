"""MATIS_LINKAGE_BACKEND=spark: the hub's matching run as a Spark job over Parquet (local mode).

Skipped when pyspark or Java is missing, unless ``MATIS_REQUIRE_SPARK`` is set
(CI sets it): then a missing one fails.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest


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


@pytest.fixture
def no_pairs_to_driver(monkeypatch):
    """Fail if Spark brings more than one row, or any frame with pair columns, to the driver."""
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
    return collected


@pytest.mark.django_db
def test_matching_run_on_spark_finds_what_duckdb_finds(
    person_case, consent, local_transports, settings, tmp_path, no_pairs_to_driver
):
    from matis.common.jobs import JobStatus
    from matis.exchange import conf
    from matis.exchange.hub import match_pending_tokens
    from matis.exchange.models import HubAlert
    from matis.exchange.services import outbox_push

    dob = dt.date(1999, 2, 4)  # synthetic people
    pairs = [("Sokha", "Chan", "សុខា", "ចាន់"), ("Mai", "Lin", "ម៉ៃ", "លីន")]
    for latin_given, latin_family, khmer_given, khmer_family in pairs:
        tha = person_case("THA", given=latin_given, family=latin_family, dob=dob)
        khm = person_case("KHM", given=khmer_given, family=khmer_family, dob=dob)
        consent(tha, "cross_border", "KHM")
        consent(khm, "cross_border", "THA")
    outbox_push(transport_factory=local_transports)
    on_duckdb = match_pending_tokens()
    assert (on_duckdb.backend, on_duckdb.n_alerts) == ("duckdb", 2)
    found_by_duckdb = set(HubAlert.objects.values_list("newer_token", "earlier_token"))
    HubAlert.objects.all().delete()

    settings.MATIS_LINKAGE_BACKEND = "spark"
    settings.MATIS_SPARK_MASTER = "local[2]"
    settings.MATIS_SPARK_PARTITIONS = 3
    settings.MATIS_SPARK_WORKDIR = tmp_path / "parquet"
    session = conf.spark_config().session()
    session.sparkContext.setLogLevel("ERROR")
    try:
        run = match_pending_tokens(rematch=True)
        assert session.conf.get("spark.sql.shuffle.partitions") == "3"
    finally:
        session.stop()
    assert run.status == JobStatus.DONE, run.error
    assert (run.backend, run.n_tokens, run.n_alerts) == ("spark", 4, 2)
    assert set(HubAlert.objects.values_list("newer_token", "earlier_token")) == found_by_duckdb
    # the job's counts came back one row at a time; its Parquet was removed afterwards
    assert no_pairs_to_driver and all(n == 1 for _, n in no_pairs_to_driver)
    assert list((tmp_path / "parquet").iterdir()) == []


def test_spark_settings_come_from_the_matis_settings(settings, tmp_path):
    from matis.exchange import conf

    settings.MATIS_SPARK_MASTER = "spark://hub-cluster:7077"
    settings.MATIS_SPARK_EXECUTOR_MEMORY = "8g"
    settings.MATIS_SPARK_EXECUTOR_CORES = 4
    settings.MATIS_SPARK_DRIVER_MEMORY = "2g"
    settings.MATIS_SPARK_PARTITIONS = 64
    settings.MATIS_SPARK_WORKDIR = tmp_path
    config = conf.spark_config()
    assert config.master == "spark://hub-cluster:7077"
    assert config.spark_conf()["spark.executor.memory"] == "8g"
    assert config.spark_conf()["spark.executor.cores"] == "4"
    assert config.spark_conf()["spark.driver.memory"] == "2g"
    assert config.spark_conf()["spark.sql.shuffle.partitions"] == "64"
    assert conf.spark_workdir() == tmp_path
    settings.MATIS_SPARK_PARTITIONS = 0
    with pytest.raises(conf.ExchangeNotConfigured, match="MATIS_SPARK_PARTITIONS"):
        conf.spark_config()
