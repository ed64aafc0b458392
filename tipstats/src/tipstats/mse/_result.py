"""The fitted numbers of a multiple systems estimate."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["MSEResult", "SelectionRecord"]

_METHOD_LABELS = {
    "sparse_stepwise": "SparseMSE stepwise (Chan, Silverman & Vincent 2021)",
    "aic_stepwise": "AIC forward stepwise (Bales, Hesketh & Silverman 2015)",
    "main_effects": "main effects only (lists independent)",
    "lcmcr": "Bayesian latent classes, LCMCR (Manrique-Vallier 2016)",
    "logit_normal": "logit-normal heterogeneity, mixed logit (Coull & Agresti 1999)",
}
_INTERVAL_LABELS = {
    "profile": "profile likelihood",
    "bca": "BCa bootstrap, model re-selected in each resample",
    "credible": "posterior credible interval",
}


@dataclass(frozen=True)
class SelectionRecord:
    """One interaction added by stepwise selection, in the order added.

    ``p_value`` is the Poisson tail probability (sparse stepwise) or the Wald
    p-value of the new coefficient (AIC stepwise); ``aic`` is the AIC of the
    model after adding the pair.
    """

    pair: tuple[str, str]
    p_value: float
    aic: float


def _fmt_count(x: float) -> str:
    if not math.isfinite(x):
        return "infinite" if x > 0 else str(x)
    return f"{x:,.0f}"


def _fmt_pairs(pairs: tuple[tuple[str, str], ...]) -> str:
    return ", ".join(f"{a}:{b}" for a, b in pairs) if pairs else "none"


@dataclass(frozen=True)
class MSEResult:
    """Result of :func:`tipstats.mse.fit`.

    ``population_estimate`` is the observed total plus ``exp(intercept)`` of
    the selected Poisson log-linear model; ``n_unobserved_estimate`` is
    ``exp(intercept)``, the estimated number of cases on no list.
    ``interactions`` are the two-list effects in the model, each pair and
    the pairs themselves in the table's column order; ``empty_overlaps`` are
    those with no observed case on both lists (parameter minus infinity under
    sparse stepwise). ``model_params`` maps ``"(Intercept)"``, list names and
    ``"A:B"`` to the fitted log-linear coefficients. ``n_boot`` and ``seed``
    are ``None`` for profile intervals; for BCa ``seed`` is the entropy
    actually used (drawn from the OS when ``seed=None`` was passed), so
    passing it back reproduces the interval.
    """

    population_estimate: float
    n_unobserved_estimate: float
    ci_low: float
    ci_high: float
    interval: str
    alpha: float
    interactions: tuple[tuple[str, str], ...]
    empty_overlaps: tuple[tuple[str, str], ...]
    n_observed: int
    lists: tuple[str, ...]
    method: str
    threshold: float | None
    model_params: dict[str, float]
    model_std_errors: dict[str, float]
    aic: float
    deviance: float
    df_resid: int
    converged: bool
    selection_path: tuple[SelectionRecord, ...]
    n_boot: int | None
    seed: int | None
    profile_mle: float | None = None
    bca_acceleration: float | None = None
    bca_bias_correction: float | None = None
    bootstrap_estimates: np.ndarray | None = field(default=None, repr=False, compare=False)
    posterior_samples: np.ndarray | None = field(default=None, repr=False, compare=False)
    lcmcr_settings: dict[str, Any] | None = None

    @property
    def confidence_level(self) -> float:
        return 1.0 - self.alpha

    def summary(self) -> str:
        level = f"{100 * self.confidence_level:g}%"
        method = _METHOD_LABELS.get(self.method, self.method)
        if self.threshold is not None:
            kind = "Wald p-value" if self.method == "aic_stepwise" else "Poisson p-value"
            method += f", {kind} threshold {self.threshold:g}"
        interval = _INTERVAL_LABELS.get(self.interval, self.interval)
        if self.interval == "bca":
            interval += f", {self.n_boot:,} resamples, seed {self.seed}"
        elif self.interval == "credible" and self.lcmcr_settings:
            st = self.lcmcr_settings
            interval += (
                f", {st['K']} classes at most, {st['samples']:,} draws kept from "
                f"{st['samples'] * st['thinning']:,} sweeps after a burn-in of "
                f"{st['burnin']:,}, seed {self.seed}"
            )
        lines = [
            "Multiple systems estimation",
            f"  Lists ({len(self.lists)}):            {', '.join(self.lists)}",
            f"  Cases observed:       {_fmt_count(self.n_observed)}",
            f"  Model selection:      {method}",
            f"  Interactions:         {_fmt_pairs(self.interactions)}",
        ]
        if self.empty_overlaps:
            lines.append(f"  Non-overlapping:      {_fmt_pairs(self.empty_overlaps)}")
        if self.method in ("lcmcr", "logit_normal"):
            lines.pop()  # no interactions: the catchability term carries the dependence
        lines += [
            f"  Estimated unobserved: {_fmt_count(self.n_unobserved_estimate)}",
            f"  Estimated population: {_fmt_count(self.population_estimate)}",
            f"  {level} interval:         {_fmt_count(self.ci_low)} to "
            f"{_fmt_count(self.ci_high)} ({interval})",
        ]
        if self.method == "logit_normal":
            lines.append(
                f"  Heterogeneity sigma:  {self.model_params['sigma']:.3f} (logit scale, shared by "
                "every list)"
            )
            if math.isinf(self.ci_high):
                lines.append(
                    "  Upper limit:          none: the likelihood does not fall enough as the "
                    "total grows, so the data cannot bound it from above"
                )
        if self.method == "lcmcr":
            if self.lcmcr_settings:
                used = self.lcmcr_settings["mean_classes_used"]
                lines.append(f"  Latent classes used:  {used:.1f} on average")
        else:
            aic = f"AIC {self.aic:.2f}, " if math.isfinite(self.aic) else ""
            lines.append(
                f"  Fit:                  {aic}deviance {self.deviance:.2f} on "
                f"{self.df_resid} df{'' if self.converged else ', NOT CONVERGED'}"
            )
        if self.selection_path:
            lines.append("  Selection path:")
            for i, step in enumerate(self.selection_path, 1):
                a, b = step.pair
                lines.append(f"    {i}. + {a}:{b}  p = {step.p_value:.3g}  AIC {step.aic:.2f}")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable fields (no bootstrap replicates); inf becomes None."""

        def num(x: float | None) -> float | None:
            return None if x is None or not math.isfinite(x) else float(x)

        return {
            "population_estimate": num(self.population_estimate),
            "n_unobserved_estimate": num(self.n_unobserved_estimate),
            "ci_low": num(self.ci_low),
            "ci_high": num(self.ci_high),
            "interval": self.interval,
            "alpha": self.alpha,
            "interactions": [list(p) for p in self.interactions],
            "empty_overlaps": [list(p) for p in self.empty_overlaps],
            "n_observed": self.n_observed,
            "lists": list(self.lists),
            "method": self.method,
            "threshold": self.threshold,
            "model_params": {k: num(v) for k, v in self.model_params.items()},
            "model_std_errors": {k: num(v) for k, v in self.model_std_errors.items()},
            "aic": num(self.aic),
            "deviance": num(self.deviance),
            "df_resid": self.df_resid,
            "converged": self.converged,
            "selection_path": [
                {"pair": list(s.pair), "p_value": s.p_value, "aic": s.aic}
                for s in self.selection_path
            ],
            "n_boot": self.n_boot,
            "seed": self.seed,
            "profile_mle": num(self.profile_mle),
            "bca_acceleration": num(self.bca_acceleration),
            "bca_bias_correction": num(self.bca_bias_correction),
            "lcmcr_settings": None if self.lcmcr_settings is None else dict(self.lcmcr_settings),
        }
