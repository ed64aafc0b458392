"""Effectiveness of interventions: interrupted time series and before/after comparisons.

Functions
---------
interrupted_time_series
    Segmented regression with Newey-West standard errors and a counterfactual.
before_after
    Change from before to after in two data sources and their difference
    (difference in differences of means).
"""

from ._did import BeforeAfterResult, before_after
from ._its import InterruptedTimeSeriesResult, default_maxlags, interrupted_time_series

__all__ = [
    "BeforeAfterResult",
    "InterruptedTimeSeriesResult",
    "before_after",
    "default_maxlags",
    "interrupted_time_series",
]
