"""Spark backend for :class:`tipstats.linkage.Matcher`, for regions that outgrow one machine.

Needs ``pyspark`` (the ``spark`` extra of tipstats; install it where Spark runs)
and a Java 17+ runtime.

>>> from tipstats.linkage import Matcher, LSHBlocking
>>> from tipstats.linkage.spark import SparkBackend, local_spark_session
>>> matcher = Matcher(blocking=(LSHBlocking(),),
...                   backend=SparkBackend(local_spark_session()))  # doctest: +SKIP
"""

from ._backend import SparkBackend, local_spark_session

__all__ = ["SparkBackend", "local_spark_session"]
