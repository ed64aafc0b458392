"""Spark backend for :class:`tipstats.linkage.Matcher`, for regions that outgrow one machine.

Needs ``pyspark`` (the ``spark`` extra of tipstats; install it where Spark runs)
and a Java 17+ runtime. The linkage runs as a Spark job from Parquet to
Parquet (:func:`spark_link_parquet`); candidate pairs never come to the driver.

>>> from tipstats.linkage import Matcher, LSHBlocking
>>> from tipstats.linkage.spark import SparkBackend, SparkConfig
>>> session = SparkConfig(master="spark://hub-cluster:7077", executor_memory="8g",
...                       executor_cores=4, partitions=64).session()  # doctest: +SKIP
>>> matcher = Matcher(blocking=(LSHBlocking(),),
...                   backend=SparkBackend(session, workdir="/shared/linkage"))  # doctest: +SKIP
"""

from ._backend import SparkBackend, local_spark_session
from ._job import (
    ParquetSide,
    SparkConfig,
    SparkJobResult,
    read_scored_pairs,
    spark_link_parquet,
    write_side,
)

__all__ = [
    "ParquetSide",
    "SparkBackend",
    "SparkConfig",
    "SparkJobResult",
    "local_spark_session",
    "read_scored_pairs",
    "spark_link_parquet",
    "write_side",
]
