"""Case-control risk factor analysis: odds ratios, stratified and adjusted.

Built for comparisons such as COMMIT SPA III Area 5 example 1 (trafficked
migrants vs successful migrants vs non-migrants).

Functions
---------
odds_ratio
    Odds ratio of a 2x2 table or of two binary columns (Woolf or exact).
mantel_haenszel
    Odds ratio pooled over strata, with Breslow-Day and CMH tests.
logistic_regression
    Adjusted odds ratios from a logistic regression.
compare_groups
    Table of odds ratios of several factors for each group vs a reference.
"""

from ._compare import GroupComparisonResult, compare_groups
from ._logistic import LogisticRegressionResult, logistic_regression
from ._oddsratio import HALDANE_ANSCOMBE_CORRECTION, OddsRatioResult, odds_ratio
from ._stratified import MantelHaenszelResult, mantel_haenszel

__all__ = [
    "HALDANE_ANSCOMBE_CORRECTION",
    "GroupComparisonResult",
    "LogisticRegressionResult",
    "MantelHaenszelResult",
    "OddsRatioResult",
    "compare_groups",
    "logistic_regression",
    "mantel_haenszel",
    "odds_ratio",
]
