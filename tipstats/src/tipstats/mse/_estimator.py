"""Estimator configuration, kept apart from the fitted numbers (statsmodels style)."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    import pandas as pd

from ._data import capture_data_from_table
from ._design import overlap_counts, pair_name
from ._existence import check_model
from ._intervals import bca_interval, profile_interval
from ._lcmcr import sample_lcmcr
from ._logit_normal import NoFiniteEstimateError, fit_logit_normal
from ._result import MSEResult, SelectionRecord
from ._selection import METHODS as LOGLINEAR_METHODS
from ._selection import SelectedModel, select_model

__all__ = [
    "ALL_METHODS",
    "INTERVALS",
    "LOGLINEAR_METHODS",
    "METHODS",
    "EstimateNotAvailableError",
    "MSEEstimator",
    "fit",
]

#: Log-linear model selection rules, then the latent-class model (Bayesian): the
#: methods the MATIS application offers and labels in its seven languages.
METHODS = (*LOGLINEAR_METHODS, "lcmcr")
#: Every method :func:`fit` accepts: ``METHODS`` plus the logit-normal heterogeneity
#: model (Coull & Agresti 1999), not yet wired into the application's menus.
ALL_METHODS = (*METHODS, "logit_normal")
INTERVALS = ("profile", "bca")


class EstimateNotAvailableError(ValueError):
    """The data cannot support the requested model: its MLE does not exist.

    For example, two lists with no case in common under main effects only:
    the Lincoln-Petersen estimate ``n1 * n2 / 0`` is infinite.
    """


def _is_int(x: object) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


@dataclass(frozen=True)
class MSEEstimator:
    """How to estimate: model-selection rule, threshold and interval settings.

    ``threshold`` is the p-value below which an interaction may enter the
    model (sparse stepwise: Poisson tail probability, default 0.02 as in
    SparseMSE; AIC stepwise: Wald p-value of the new coefficient, 0.05 in
    Bales, Hesketh & Silverman). It is ignored for ``main_effects``.
    ``n_boot``, ``seed`` and ``n_jobs`` are used only for ``interval="bca"``;
    ``n_jobs=-1`` uses every CPU.

    ``method="lcmcr"`` is the Bayesian latent-class model of Manrique-Vallier
    (2016); ``interval`` and ``threshold`` are then ignored (the interval is
    the equal-tailed posterior credible interval), ``seed`` seeds the Gibbs
    sampler, and ``lcmcr_K`` (classes), ``lcmcr_burnin``, ``lcmcr_samples``
    and ``lcmcr_thinning`` set the chain.

    ``method="logit_normal"`` is the mixed-logit model of Coull & Agresti
    (1999): a normal catchability term shared by every list, fitted by
    maximum likelihood, with a profile-likelihood interval (``interval`` must
    be ``"profile"``; ``threshold`` is ignored). It needs at least 3 lists.
    """

    method: str = "sparse_stepwise"
    threshold: float = 0.02
    interval: str = "profile"
    n_boot: int = 1000
    seed: int | None = None
    n_jobs: int = 1
    alpha: float = 0.05
    lcmcr_K: int = 10
    lcmcr_burnin: int = 10_000
    lcmcr_samples: int = 1_000
    lcmcr_thinning: int = 10

    def __post_init__(self) -> None:
        if self.method not in ALL_METHODS:
            raise ValueError(f"method must be one of {ALL_METHODS}, not {self.method!r}")
        if self.interval not in INTERVALS:
            raise ValueError(f"interval must be one of {INTERVALS}, not {self.interval!r}")
        if (
            isinstance(self.threshold, bool)
            or not isinstance(self.threshold, numbers.Real)
            or not 0.0 <= float(self.threshold) <= 1.0
        ):
            raise ValueError(f"threshold must be a number in [0, 1], not {self.threshold!r}")
        if (
            isinstance(self.alpha, bool)
            or not isinstance(self.alpha, numbers.Real)
            or not 0.0 < float(self.alpha) < 1.0
        ):
            raise ValueError(f"alpha must be a number in (0, 1), not {self.alpha!r}")
        if not _is_int(self.n_boot) or self.n_boot < 2:
            raise ValueError(f"n_boot must be an integer >= 2, not {self.n_boot!r}")
        if self.seed is not None and (not _is_int(self.seed) or self.seed < 0):
            raise ValueError(f"seed must be None or a non-negative integer, not {self.seed!r}")
        if not _is_int(self.n_jobs) or (self.n_jobs < 1 and self.n_jobs != -1):
            raise ValueError(f"n_jobs must be a positive integer or -1, not {self.n_jobs!r}")
        for name, low in (
            ("lcmcr_K", 2),
            ("lcmcr_burnin", 0),
            ("lcmcr_samples", 20),
            ("lcmcr_thinning", 1),
        ):
            value = getattr(self, name)
            if not _is_int(value) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, not {value!r}")

    def fit(
        self,
        table: pd.DataFrame,
        *,
        count: str = "count",
        progress: Callable[[int, int], None] | None = None,
    ) -> MSEResult:
        if progress is not None and not callable(progress):
            raise TypeError("progress must be a callable(done, total) or None")
        data = capture_data_from_table(table, count=count)
        if self.method == "lcmcr":
            return self._fit_lcmcr(data)
        if self.method == "logit_normal":
            return self._fit_logit_normal(data)
        threshold = float(self.threshold)
        model = select_model(data, self.method, threshold)
        check = check_model(data, model.pairs)
        if not check.exists:
            raise EstimateNotAvailableError(
                "the maximum likelihood estimate does not exist for the "
                f"{self.method.replace('_', ' ')} model on these data (for example, lists with "
                "no case in common under main effects, or a list holding every observed case); "
                "no finite population estimate is available"
            )
        if not model.fit.converged:
            warnings.warn(
                "the Poisson model fit did not converge; treat the estimate with caution",
                RuntimeWarning,
                stacklevel=2,
            )
        point = model.population

        profile_mle = acceleration = bias = None
        estimates = None
        n_boot = seed = None
        if self.interval == "profile":
            prof = profile_interval(model.design, data.n_observed, point, float(self.alpha))
            low, high, profile_mle = prof.low, prof.high, prof.mle
        else:
            boot = bca_interval(
                data,
                self.method,
                threshold,
                point,
                n_boot=int(self.n_boot),
                seed=None if self.seed is None else int(self.seed),
                n_jobs=int(self.n_jobs),
                alpha=float(self.alpha),
                progress=progress,
            )
            low, high = boot.low, boot.high
            acceleration, bias = boot.acceleration, boot.bias_correction
            estimates = boot.estimates
            estimates.setflags(write=False)
            n_boot, seed = int(self.n_boot), boot.entropy
        return _make_result(
            self,
            model,
            threshold,
            low=low,
            high=high,
            n_boot=n_boot,
            seed=seed,
            profile_mle=profile_mle,
            acceleration=acceleration,
            bias=bias,
            estimates=estimates,
        )

    def _fit_logit_normal(self, data) -> MSEResult:
        if self.interval != "profile":
            raise ValueError(
                "method='logit_normal' has a profile-likelihood interval only; "
                f"interval={self.interval!r} is not available for it"
            )
        if data.n_lists < 3:
            raise EstimateNotAvailableError(
                "method='logit_normal' needs at least 3 lists: with 2 lists the "
                "heterogeneity sigma cannot be told apart from the population size "
                f"(the table has {data.n_lists} lists: {', '.join(data.lists)})"
            )
        try:
            ln = fit_logit_normal(data, float(self.alpha))
        except NoFiniteEstimateError as exc:
            raise EstimateNotAvailableError(str(exc)) from None
        params = {name: float(a) for name, a in zip(data.lists, ln.alpha, strict=True)}
        params["sigma"] = ln.sigma
        return MSEResult(
            population_estimate=ln.population,
            n_unobserved_estimate=ln.population - data.n_observed,
            ci_low=ln.low,
            ci_high=ln.high,
            interval="profile",
            alpha=float(self.alpha),
            interactions=(),
            empty_overlaps=(),
            n_observed=data.n_observed,
            lists=data.lists,
            method="logit_normal",
            threshold=None,
            model_params=params,
            model_std_errors={},
            aic=math.nan,
            deviance=ln.deviance,
            df_resid=ln.df,
            converged=True,
            selection_path=(),
            n_boot=None,
            seed=None,
            profile_mle=ln.population,
        )

    def _fit_lcmcr(self, data) -> MSEResult:
        seed = (
            int(np.random.SeedSequence().entropy % (2**63))  # type: ignore[operator]
            if self.seed is None
            else int(self.seed)
        )
        draws = sample_lcmcr(
            data,
            K=int(self.lcmcr_K),
            burnin=int(self.lcmcr_burnin),
            samples=int(self.lcmcr_samples),
            thinning=int(self.lcmcr_thinning),
            seed=seed,
        )
        a = float(self.alpha)
        pop = draws.population.astype(float)
        median = float(np.median(pop))
        low, high = (float(q) for q in np.quantile(pop, [a / 2, 1 - a / 2]))
        pop.setflags(write=False)
        return MSEResult(
            population_estimate=median,
            n_unobserved_estimate=median - data.n_observed,
            ci_low=low,
            ci_high=high,
            interval="credible",
            alpha=a,
            interactions=(),
            empty_overlaps=(),
            n_observed=data.n_observed,
            lists=data.lists,
            method="lcmcr",
            threshold=None,
            model_params={},
            model_std_errors={},
            aic=math.nan,
            deviance=math.nan,
            df_resid=0,
            converged=True,
            selection_path=(),
            n_boot=None,
            seed=seed,
            posterior_samples=pop,
            lcmcr_settings={
                "K": draws.K,
                "burnin": draws.burnin,
                "samples": draws.samples,
                "thinning": draws.thinning,
                "a_alpha": draws.a_alpha,
                "b_alpha": draws.b_alpha,
                "mean_classes_used": draws.mean_classes_used,
            },
        )


def _make_result(
    est: MSEEstimator,
    model: SelectedModel,
    threshold: float,
    *,
    low: float,
    high: float,
    n_boot: int | None,
    seed: int | None,
    profile_mle: float | None,
    acceleration: float | None,
    bias: float | None,
    estimates: np.ndarray | None,
) -> MSEResult:
    data = model.data
    lists = data.lists
    ordered = tuple(sorted(model.pairs))
    overlaps = overlap_counts(data, list(ordered))
    empty = tuple(p for p, n in zip(ordered, overlaps, strict=True) if n == 0)
    params: dict[str, float] = {}
    ses: dict[str, float] = {}
    for name, coef, se in zip(
        model.design.column_names, model.fit.coef, model.fit.std_errors, strict=True
    ):
        params[name] = float(coef)
        ses[name] = float(se)
    for pair in model.design.empty_pairs:
        params[pair_name(lists, pair)] = -math.inf
        ses[pair_name(lists, pair)] = math.nan
    # Parameters in column order: intercept, lists, then pairs.
    names = ["(Intercept)", *lists, *(pair_name(lists, p) for p in ordered)]
    params = {k: params[k] for k in names}
    ses = {k: ses[k] for k in names}
    return MSEResult(
        population_estimate=float(model.population),
        n_unobserved_estimate=float(model.n_unobserved),
        ci_low=float(low),
        ci_high=float(high),
        interval=est.interval,
        alpha=float(est.alpha),
        interactions=tuple((lists[a], lists[b]) for a, b in ordered),
        empty_overlaps=tuple((lists[a], lists[b]) for a, b in empty),
        n_observed=data.n_observed,
        lists=lists,
        method=est.method,
        threshold=None if est.method == "main_effects" else threshold,
        model_params=params,
        model_std_errors=ses,
        aic=float(model.aic),
        deviance=float(model.fit.deviance),
        df_resid=int(model.design.X.shape[0] - model.fit.rank),
        converged=bool(model.fit.converged),
        selection_path=tuple(
            SelectionRecord((lists[s.pair[0]], lists[s.pair[1]]), s.p_value, s.aic)
            for s in model.steps
        ),
        n_boot=n_boot,
        seed=seed,
        profile_mle=profile_mle,
        bca_acceleration=acceleration,
        bca_bias_correction=bias,
        bootstrap_estimates=estimates,
    )


def fit(
    table: pd.DataFrame,
    *,
    count: str = "count",
    method: str = "sparse_stepwise",
    threshold: float = 0.02,
    interval: str = "profile",
    n_boot: int = 1000,
    seed: int | None = None,
    n_jobs: int = 1,
    alpha: float = 0.05,
    progress: Callable[[int, int], None] | None = None,
    lcmcr_K: int = 10,
    lcmcr_burnin: int = 10_000,
    lcmcr_samples: int = 1_000,
    lcmcr_thinning: int = 10,
) -> MSEResult:
    """Estimate the total population, observed plus unobserved, from list overlaps.

    ``table`` has one 0/1 column per list and a ``count`` column; absent
    patterns count as zero and the all-zero pattern must not appear.
    ``method`` chooses the two-list interactions: ``"sparse_stepwise"``
    (Chan, Silverman & Vincent 2021, SparseMSE), ``"aic_stepwise"`` (Bales,
    Hesketh & Silverman 2015; pass ``threshold=0.05`` for their rule) or
    ``"main_effects"``; or ``"lcmcr"``, the Bayesian non-parametric
    latent-class model of Manrique-Vallier (2016), robust to catchability
    shared across lists, whose estimate is the posterior median and whose
    interval is the 95% (``1 - alpha``) credible interval, reproducible with
    ``seed``; or ``"logit_normal"``, the mixed-logit model of Coull & Agresti
    (1999) for catchability that varies smoothly and is shared by every list
    (maximum likelihood, profile-likelihood interval whose upper end is
    ``inf`` when the data cannot bound it; 3 lists or more). ``interval`` is ``"profile"`` (profile likelihood, as
    Rcapture) or ``"bca"`` (bootstrap re-running the selection on ``n_boot``
    resamples, seeded by ``seed``, on ``n_jobs`` processes; ``progress(done,
    total)`` is called as resamples finish). With ``n_jobs > 1`` workers are
    started with the "spawn" method, so a script calling this must guard its
    entry point with ``if __name__ == "__main__":``.
    """
    estimator = MSEEstimator(
        method=method,
        threshold=threshold,
        interval=interval,
        n_boot=n_boot,
        seed=seed,
        n_jobs=n_jobs,
        alpha=alpha,
        lcmcr_K=lcmcr_K,
        lcmcr_burnin=lcmcr_burnin,
        lcmcr_samples=lcmcr_samples,
        lcmcr_thinning=lcmcr_thinning,
    )
    return estimator.fit(table, count=count, progress=progress)
