"""Sensitivity view: every method's estimate and interval side by side.

MSE estimates rest on untestable assumptions about how the lists depend on
each other and on people's catchability; the log-linear rules and the
latent-class and logit-normal models make different ones. When they agree, the conclusion does
not hinge on the choice; when they disagree, the spread is the honest
uncertainty and should be reported with the figure.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from ._estimator import ALL_METHODS, EstimateNotAvailableError, fit

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["COMPARE_COLUMNS", "compare"]

COMPARE_COLUMNS = ("method", "estimate", "ci_low", "ci_high", "interval", "error")

#: The stepwise thresholds each log-linear rule is published with.
_THRESHOLDS = {"sparse_stepwise": 0.02, "aic_stepwise": 0.05, "main_effects": 0.02}


def compare(
    table: pd.DataFrame,
    *,
    count: str = "count",
    methods: tuple[str, ...] | list[str] | None = None,
    seed: int = 20111,
    alpha: float = 0.05,
    lcmcr_burnin: int = 10_000,
    lcmcr_samples: int = 1_000,
    lcmcr_thinning: int = 10,
) -> pd.DataFrame:
    """One row a method: ``method``, ``estimate``, ``ci_low``, ``ci_high``,
    ``interval`` and ``error``.

    The log-linear methods use their published thresholds (SparseMSE 0.02,
    AIC stepwise 0.05) and profile-likelihood intervals; ``lcmcr`` gives the
    posterior median and credible interval, seeded by ``seed``;
    ``logit_normal`` its maximum-likelihood estimate and profile interval,
    whose upper end may be ``inf`` (the data do not bound it). By default
    every method in ``ALL_METHODS`` is run. A method whose
    estimate does not exist on these data has NaN numbers and the reason in
    ``error``; the other rows are still returned. Invalid tables raise
    ``ValueError`` as :func:`fit` does.
    """
    import pandas as pd

    chosen = tuple(ALL_METHODS if methods is None else methods)
    for m in chosen:
        if m not in ALL_METHODS:
            raise ValueError(f"method must be one of {ALL_METHODS}, not {m!r}")
    rows = []
    for m in chosen:
        try:
            r = fit(
                table,
                count=count,
                method=m,
                threshold=_THRESHOLDS.get(m, 0.02),
                interval="profile",
                seed=seed,
                alpha=alpha,
                lcmcr_burnin=lcmcr_burnin,
                lcmcr_samples=lcmcr_samples,
                lcmcr_thinning=lcmcr_thinning,
            )
        except EstimateNotAvailableError as exc:
            interval = "credible" if m == "lcmcr" else "profile"
            rows.append((m, math.nan, math.nan, math.nan, interval, str(exc)))
            continue
        rows.append((m, r.population_estimate, r.ci_low, r.ci_high, r.interval, ""))
    return pd.DataFrame(rows, columns=list(COMPARE_COLUMNS))
