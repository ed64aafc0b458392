"""DuckDB backend for :class:`tipstats.linkage.Matcher` (the default, in process).

>>> from tipstats.linkage import Matcher
>>> from tipstats.linkage.duckdb import DuckDBBackend
>>> matcher = Matcher(backend=DuckDBBackend(threads=2))
"""

from ._backend import DuckDBBackend

__all__ = ["DuckDBBackend"]
