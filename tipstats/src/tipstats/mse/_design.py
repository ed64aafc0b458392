"""Design matrices for log-linear MSE models with two-list interactions.

The model for the expected count of pattern ``w`` is

    log mu_w = intercept + sum_j w_j * beta_j + sum_{(a,b) in model} w_a w_b * gamma_ab

so ``exp(intercept)`` is the expected count of the all-zero (unobserved)
pattern. Following Chan, Silverman & Vincent (2021) and SparseMSE's
``buildmodel``, a pair of lists in the model that has no observed case in
common ("non-overlapping") gets ``gamma_ab = -inf``: the patterns containing
both lists are structural zeros, dropped from the fit, and the pair has no
column in the design.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from ._data import CaptureData

__all__ = [
    "Design",
    "all_pairs",
    "build_design",
    "overlap_counts",
    "pair_name",
]

Pair = tuple[int, int]


def all_pairs(n_lists: int) -> list[Pair]:
    """All pairs ``(i, j)`` with ``i < j``, ordered (0,1), (0,2), ..., (1,2), ..."""
    return [(i, j) for i in range(n_lists - 1) for j in range(i + 1, n_lists)]


def pair_name(lists: Sequence[str], pair: Pair) -> str:
    return f"{lists[pair[0]]}:{lists[pair[1]]}"


def overlap_counts(data: CaptureData, pairs: Sequence[Pair]) -> np.ndarray:
    """Number of observed cases on both lists of each pair (whatever else they are on)."""
    p = data.patterns
    return np.array([float(data.counts[(p[:, a] & p[:, b]) == 1].sum()) for a, b in pairs])


@dataclass(frozen=True, eq=False)
class Design:
    """Design matrix of one model for one data set.

    ``keep`` marks the patterns (rows of ``data.patterns``) that stay in the
    fit; ``X`` and ``y`` are restricted to them. ``fitted_pairs`` have a
    column in ``X`` (after the intercept and the main effects); ``empty_pairs``
    are the non-overlapping pairs whose parameter is minus infinity.
    """

    X: np.ndarray
    y: np.ndarray
    keep: np.ndarray
    column_names: tuple[str, ...]
    fitted_pairs: tuple[Pair, ...]
    empty_pairs: tuple[Pair, ...]


def build_design(
    data: CaptureData, pairs: Iterable[Pair], *, structural_zeros: bool = True
) -> Design:
    """Design for main effects plus the two-list interactions ``pairs``.

    With ``structural_zeros`` (SparseMSE), a pair with no observed overlap
    drops its patterns instead of getting a column. Without it (the plain
    log-linear model of Bales, Hesketh & Silverman, as fitted by Rcapture)
    every pair gets a column and every pattern stays; the MLE of a
    non-overlapping pair's parameter is then minus infinity and the fit only
    approaches it.
    """
    pats = data.patterns
    keep = np.ones(len(pats), dtype=bool)
    fitted: list[Pair] = []
    empty: list[Pair] = []
    for a, b in pairs:
        both = (pats[:, a] & pats[:, b]) == 1
        if structural_zeros and data.counts[both].sum() == 0:
            empty.append((a, b))
            keep &= ~both
        else:
            fitted.append((a, b))
    kept = pats[keep].astype(float)
    columns = [np.ones(len(kept)), *kept.T]
    columns += [kept[:, a] * kept[:, b] for a, b in fitted]
    X = np.column_stack(columns)
    names = ("(Intercept)", *data.lists, *(pair_name(data.lists, p) for p in fitted))
    return Design(
        X=X,
        y=data.counts[keep],
        keep=keep,
        column_names=names,
        fitted_pairs=tuple(fitted),
        empty_pairs=tuple(empty),
    )
