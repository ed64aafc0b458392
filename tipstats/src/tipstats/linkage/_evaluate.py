"""Evaluation against ground truth: precision, recall, F1, and the blocking's pairs completeness."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ._result import LinkageResult

__all__ = ["LinkageEvaluation", "evaluate_linkage"]


@dataclass(frozen=True)
class LinkageEvaluation:
    """Quality of a linkage against the true pairs.

    ``precision`` = TP / (TP + FP), ``recall`` = TP / (TP + FN), ``f1`` their
    harmonic mean; each is ``nan`` when undefined (nothing predicted, no
    true pair). ``pairs_completeness`` is the share of true pairs that were
    compared and reached the Dice floor (``nan`` unless a
    :class:`LinkageResult` was evaluated): an upper bound on recall that
    shows what blocking and the floor cost.
    """

    n_true_positive: int
    n_false_positive: int
    n_false_negative: int
    precision: float
    recall: float
    f1: float
    pairs_completeness: float

    def summary(self) -> str:
        return "\n".join(
            [
                "Linkage evaluation",
                "=" * 40,
                f"true positives      {self.n_true_positive:,}",
                f"false positives     {self.n_false_positive:,}",
                f"false negatives     {self.n_false_negative:,}",
                f"precision           {self.precision:.4f}",
                f"recall              {self.recall:.4f}",
                f"F1                  {self.f1:.4f}",
                f"pairs completeness  {self.pairs_completeness:.4f}",
            ]
        )

    def __str__(self) -> str:
        return self.summary()


def _pair_set(pairs: LinkageResult | pd.DataFrame | Iterable[tuple[object, object]]) -> set:
    if isinstance(pairs, LinkageResult):
        return pairs.matched_id_pairs()
    if isinstance(pairs, pd.DataFrame):
        cols = ["left_id", "right_id"] if "left_id" in pairs.columns else list(pairs.columns[:2])
        return set(zip(pairs[cols[0]], pairs[cols[1]], strict=True))
    return {(a, b) for a, b in pairs}


def _reached(result: LinkageResult, truth: set) -> int:
    """How many true pairs are among the result's scored pairs (by row codes, no big frame)."""
    # a record with several filters (spellings) is reported at its first row
    left_row: dict = {}
    for k, v in enumerate(result.left_ids.tolist()):
        left_row.setdefault(v, k)
    right_row: dict = {}
    for k, v in enumerate(result.right_ids.tolist()):
        right_row.setdefault(v, k)
    rows = [(left_row[a], right_row[b]) for a, b in truth if a in left_row and b in right_row]
    if not rows:
        return 0
    n = np.int64(max(len(result.right_ids), 1))
    i, j = result.pair_arrays[0], result.pair_arrays[1]
    scored = np.sort(i.astype(np.int64) * n + j)
    wanted = np.array([a * int(n) + b for a, b in rows], dtype=np.int64)
    pos = np.searchsorted(scored, wanted).clip(max=max(scored.size - 1, 0))
    return int((scored.size > 0) * (scored[pos] == wanted).sum())


def _ratio(num: int, den: int) -> float:
    return num / den if den else float("nan")


def evaluate_linkage(
    predicted: LinkageResult | pd.DataFrame | Iterable[tuple[object, object]],
    true_pairs: pd.DataFrame | Iterable[tuple[object, object]],
) -> LinkageEvaluation:
    """Precision, recall and F1 of ``predicted`` against ``true_pairs``.

    Both are ``(left_id, right_id)`` pairs: a :class:`LinkageResult`, a frame
    with ``left_id``/``right_id`` columns (or its first two columns), or an
    iterable of tuples. Given a :class:`LinkageResult`, the pairs
    completeness of its blocking is reported too.
    """
    predicted_set = _pair_set(predicted)
    truth = _pair_set(true_pairs)
    tp = len(predicted_set & truth)
    fp = len(predicted_set) - tp
    fn = len(truth) - tp
    precision = _ratio(tp, tp + fp)
    recall = _ratio(tp, tp + fn)
    f1 = _ratio(2 * tp, 2 * tp + fp + fn)
    completeness = float("nan")
    if isinstance(predicted, LinkageResult) and truth:
        completeness = _reached(predicted, truth) / len(truth)
    return LinkageEvaluation(tp, fp, fn, precision, recall, f1, completeness)
