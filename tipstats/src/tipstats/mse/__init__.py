"""Multiple systems estimation (MSE) of hidden populations from overlapping lists.

>>> import pandas as pd
>>> from tipstats import mse
>>> table = pd.DataFrame({"A": [1, 0, 1], "B": [0, 1, 1], "count": [40, 30, 20]})
>>> round(mse.fit(table, method="main_effects").population_estimate)
150

See ``docs/methods/mse.md`` for the methods and their assumptions.
"""

from ._compare import COMPARE_COLUMNS, compare
from ._data import MAX_LISTS
from ._estimator import (
    ALL_METHODS,
    INTERVALS,
    LOGLINEAR_METHODS,
    METHODS,
    EstimateNotAvailableError,
    MSEEstimator,
    fit,
)
from ._result import MSEResult, SelectionRecord

__all__ = [
    "ALL_METHODS",
    "COMPARE_COLUMNS",
    "INTERVALS",
    "LOGLINEAR_METHODS",
    "MAX_LISTS",
    "METHODS",
    "EstimateNotAvailableError",
    "MSEEstimator",
    "MSEResult",
    "SelectionRecord",
    "compare",
    "fit",
]
