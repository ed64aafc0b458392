"""The numbers of a linkage run."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from ._scoring import MatchScoreModel

__all__ = ["LinkageResult", "pairs_frame"]


def pairs_frame(
    left_ids: np.ndarray,
    right_ids: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    dice: np.ndarray,
    probability: np.ndarray,
) -> pd.DataFrame:
    """The frame of :attr:`LinkageResult.matches` for pairs of rows ``i``, ``j``."""
    return pd.DataFrame(
        {
            "left_id": left_ids[i],
            "right_id": right_ids[j],
            "left_row": i,
            "right_row": j,
            "dice": dice,
            "match_probability": probability,
        }
    )


@dataclass(frozen=True)
class LinkageResult:
    """Result of :meth:`tipstats.linkage.Matcher.link`.

    ``matches`` has one row per accepted pair: ``left_id``, ``right_id``,
    ``left_row``, ``right_row`` (positions in the encodings), ``dice`` and
    ``match_probability``, best first. ``scored_pairs`` has the same
    columns for every compared pair with Dice >= ``dice_floor`` (before the
    threshold and the 1-to-1 assignment), built on first use from
    ``pair_arrays`` (left rows, right rows, Dice, match probability). ``n_comparisons`` is the number
    of pairs whose Dice was computed or ruled out by the popcount bound: the
    candidate pairs after blocking, or ``n_left * n_right`` without blocking.
    ``reduction_ratio`` is ``1 - n_comparisons / (n_left * n_right)``.
    ``seconds`` holds wall times of ``blocking``, ``scoring``, ``model``,
    ``assignment`` and ``total``.
    """

    matches: pd.DataFrame
    pair_arrays: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray] = field(repr=False)
    left_ids: np.ndarray = field(repr=False)
    right_ids: np.ndarray = field(repr=False)
    n_left: int
    n_right: int
    n_comparisons: int
    n_pairs_skipped: int
    threshold: float
    dice_floor: float
    dice_threshold: float
    one_to_one: bool
    blocking: str
    backend: str
    score_model: MatchScoreModel
    seconds: dict[str, float] = field(default_factory=dict)

    @cached_property
    def scored_pairs(self) -> pd.DataFrame:
        """Every compared pair with Dice >= ``dice_floor`` (built on first use: it can be large)."""
        return pairs_frame(self.left_ids, self.right_ids, *self.pair_arrays)

    @property
    def n_scored_pairs(self) -> int:
        return int(self.pair_arrays[0].size)

    @property
    def n_matches(self) -> int:
        return len(self.matches)

    @property
    def reduction_ratio(self) -> float:
        total = self.n_left * self.n_right
        return 1.0 - self.n_comparisons / total if total else 0.0

    @property
    def comparisons_per_second(self) -> float:
        """Comparisons over the time spent blocking and computing Dice."""
        spent = self.seconds.get("blocking", 0.0) + self.seconds.get("scoring", 0.0)
        return self.n_comparisons / spent if spent > 0 else float("inf")

    def matched_id_pairs(self) -> set[tuple[object, object]]:
        """The accepted pairs as ``{(left_id, right_id), ...}``."""
        return set(zip(self.matches["left_id"], self.matches["right_id"], strict=True))

    def summary(self) -> str:
        """A plain-text report of the run."""
        m = self.score_model
        if m.method == "dice":
            model = "identity (match probability = Dice)"
        else:
            model = (
                f"beta mixture by EM on {m.n_pairs_fitted:,} pairs, "
                f"prior P(match) = {m.prior_match:.4g}, "
                f"{'converged' if m.converged else 'NOT converged'} in {m.n_iterations} iterations"
            )
        lines = [
            "Privacy-preserving record linkage (Bloom-filter encodings, Dice similarity)",
            "=" * 76,
            f"records                      {self.n_left:,} x {self.n_right:,}",
            f"blocking                     {self.blocking}",
            f"backend                      {self.backend}",
            f"comparisons                  {self.n_comparisons:,}"
            f" (reduction ratio {self.reduction_ratio:.6f})",
            f"pairs skipped (huge blocks)  {self.n_pairs_skipped:,}",
            f"pairs with Dice >= {self.dice_floor:<8.3g}  {self.n_scored_pairs:,}",
            f"score model                  {model}",
            f"threshold                    P(match) >= {self.threshold:g}"
            f" (Dice >= {self.dice_threshold:.3f})",
            f"1-to-1 assignment            {'greedy' if self.one_to_one else 'none'}",
            f"matches                      {self.n_matches:,}",
            f"comparisons per second       {self.comparisons_per_second:,.0f}",
            "wall time (s)                "
            + ", ".join(f"{k} {v:.3f}" for k, v in self.seconds.items()),
        ]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()
