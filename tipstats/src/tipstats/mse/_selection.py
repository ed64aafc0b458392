"""Model selection: SparseMSE stepwise, AIC forward stepwise, main effects only.

``sparse_stepwise`` mirrors ``SparseMSE::stepwisefit`` (Chan, Silverman &
Vincent 2021). Starting from main effects, for every pair of lists not yet in
the model it compares the observed number of cases on both lists, ``n*``,
with a Poisson whose mean is the current model's fitted total for those
patterns and takes the smaller tail probability,
``min(P(X <= n*), P(X >= n*))``. The pair with the smallest p (first in
column order on ties) is added if p < threshold and the enlarged model passes
``checkident`` (identifiable, MLE exists); a pair failing the check counts as
p = 1. Pairs with no observed overlap enter as structural zeros. As in
SparseMSE, threshold 0 gives main effects only and threshold 1 first tries
the model with every pair.

``aic_stepwise`` mirrors ``modslavmse::MSEfit`` (Bales, Hesketh & Silverman
2015; Silverman 2014 for the Home Office): starting from main effects, fit
each model with one more pair, take the one with the lowest AIC; stop if no
pair lowers AIC or if the new pair's Wald p-value (z test of its
coefficient, as ``summary.glm`` reports it) exceeds the threshold. The model
is the plain log-linear model on all ``2**m - 1`` patterns (Rcapture's
``closedpCI.t``), with no structural zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ._data import CaptureData
from ._design import Design, Pair, all_pairs, build_design, overlap_counts
from ._existence import check_model
from ._glm import PoissonFit, fit_poisson

__all__ = [
    "METHODS",
    "SelectedModel",
    "SelectionStep",
    "aic_stepwise",
    "main_effects",
    "select_model",
    "sparse_stepwise",
]

METHODS = ("sparse_stepwise", "aic_stepwise", "main_effects")


@dataclass(frozen=True)
class SelectionStep:
    """One pair added during stepwise selection, with the statistic that chose it."""

    pair: Pair
    p_value: float
    aic: float


@dataclass(frozen=True, eq=False)
class SelectedModel:
    data: CaptureData
    method: str
    pairs: tuple[Pair, ...]  # in the order they were added
    design: Design
    fit: PoissonFit
    steps: tuple[SelectionStep, ...]

    @property
    def n_unobserved(self) -> float:
        return float(np.exp(self.fit.coef[0]))

    @property
    def population(self) -> float:
        return self.data.n_observed + self.n_unobserved

    @property
    def aic(self) -> float:
        """AIC, counting each structural-zero pair as a parameter (as SparseMSE does)."""
        return self.fit.aic + 2.0 * len(self.design.empty_pairs)


def _fit_model(
    data: CaptureData, method: str, pairs: list[Pair], steps: list[SelectionStep]
) -> SelectedModel:
    design = build_design(data, pairs, structural_zeros=method != "aic_stepwise")
    fit = fit_poisson(design.X, design.y)
    return SelectedModel(data, method, tuple(pairs), design, fit, tuple(steps))


def main_effects(data: CaptureData) -> SelectedModel:
    return _fit_model(data, "main_effects", [], [])


def _pair_masks(data: CaptureData, pairs: list[Pair]) -> np.ndarray:
    """Boolean (n_patterns, n_pairs): is each pattern on both lists of each pair."""
    p = data.patterns
    return np.column_stack([(p[:, a] & p[:, b]) == 1 for a, b in pairs])


def sparse_stepwise(data: CaptureData, threshold: float = 0.02) -> SelectedModel:
    method = "sparse_stepwise"
    pairs_all = all_pairs(data.n_lists)
    if threshold == 1 and check_model(data, pairs_all).ok:
        return _fit_model(data, method, list(pairs_all), [])
    if threshold == 0:
        return _fit_model(data, method, [], [])
    n_star = overlap_counts(data, pairs_all)
    masks = _pair_masks(data, pairs_all).astype(float)
    included = np.zeros(len(pairs_all), dtype=bool)
    chosen_pairs: list[Pair] = []
    steps: list[SelectionStep] = []
    model = _fit_model(data, method, chosen_pairs, steps)
    for _ in range(len(pairs_all)):
        mu_all = np.zeros(len(data.counts))
        mu_all[model.design.keep] = np.exp(model.design.X @ model.fit.coef)
        p_star = mu_all @ masks
        p_values = np.minimum(
            stats.poisson.cdf(n_star, p_star), stats.poisson.sf(n_star - 1, p_star)
        )
        p_values[included] = 1.0
        # SparseMSE sets p = 1 for every candidate failing checkident and then
        # takes the smallest p (lowest index on ties). Checking candidates in
        # order of (p, index) and stopping at the first that passes gives the
        # same choice with far fewer linear programs.
        order = np.lexsort((np.arange(len(p_values)), p_values))
        accepted: SelectedModel | None = None
        for j in order:
            if not p_values[j] < threshold:
                break
            candidate = _fit_model(data, method, [*chosen_pairs, pairs_all[j]], steps)
            if check_model(data, candidate.pairs, candidate.design, candidate.fit).ok:
                accepted = candidate
                break
        if accepted is None:
            break
        chosen = int(j)
        included[chosen] = True
        chosen_pairs.append(pairs_all[chosen])
        steps.append(SelectionStep(pairs_all[chosen], float(p_values[chosen]), accepted.aic))
        model = SelectedModel(
            data, method, accepted.pairs, accepted.design, accepted.fit, tuple(steps)
        )
    return model


def _wald_p_value(fit: PoissonFit, column: int) -> float:
    se = fit.std_errors[column]
    if not np.isfinite(se) or se == 0:
        return 1.0
    return float(2.0 * stats.norm.sf(abs(fit.coef[column] / se)))


def aic_stepwise(data: CaptureData, threshold: float = 0.05) -> SelectedModel:
    method = "aic_stepwise"
    pairs_all = all_pairs(data.n_lists)
    chosen_pairs: list[Pair] = []
    steps: list[SelectionStep] = []
    model = _fit_model(data, method, chosen_pairs, steps)
    aic0 = model.fit.aic
    for _ in range(len(pairs_all)):
        best: tuple[float, SelectedModel, Pair] | None = None
        for pair in pairs_all:
            if pair in chosen_pairs:
                continue
            # identifiability before fitting: with two lists the interaction has as many
            # parameters as observed patterns plus one, and the fit cannot even be set up
            design = build_design(data, [*chosen_pairs, pair], structural_zeros=False)
            X = design.X
            if X.shape[1] > X.shape[0] or np.linalg.matrix_rank(X) < X.shape[1]:
                continue  # not identifiable (e.g. the interaction of two lists)
            candidate = _fit_model(data, method, [*chosen_pairs, pair], steps)
            aic = candidate.fit.aic
            if best is None or aic < best[0]:
                best = (aic, candidate, pair)
        if best is None or best[0] >= aic0:
            break
        aic, candidate, pair = best
        p_value = _wald_p_value(candidate.fit, candidate.design.X.shape[1] - 1)
        if p_value > threshold:
            break
        chosen_pairs.append(pair)
        steps.append(SelectionStep(pair, p_value, aic))
        model = SelectedModel(
            data, method, candidate.pairs, candidate.design, candidate.fit, tuple(steps)
        )
        aic0 = aic
    return model


def select_model(data: CaptureData, method: str, threshold: float) -> SelectedModel:
    if method == "sparse_stepwise":
        return sparse_stepwise(data, threshold)
    if method == "aic_stepwise":
        return aic_stepwise(data, threshold)
    if method == "main_effects":
        return main_effects(data)
    raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")
