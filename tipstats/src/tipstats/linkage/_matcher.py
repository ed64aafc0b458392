"""The matcher: blocking, Dice, match probability, threshold, 1-to-1 assignment."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ._assign import greedy_one_to_one
from ._backend import LinkageBackend, NumpyBackend
from ._blocking import BlockingRule, KeyTable
from ._encoding import Encodings
from ._result import LinkageResult, pairs_frame
from ._scoring import fit_match_model, identity_model

__all__ = ["SCORE_METHODS", "Matcher", "link"]

SCORE_METHODS = ("em", "dice")


def _resolve_backend(backend: str | LinkageBackend) -> LinkageBackend:
    if not isinstance(backend, str):
        return backend
    if backend == "numpy":
        return NumpyBackend()
    if backend == "duckdb":
        from .duckdb import DuckDBBackend

        return DuckDBBackend()
    raise ValueError(
        f"backend must be 'numpy', 'duckdb' or a backend object "
        f"(e.g. tipstats.linkage.spark.SparkBackend), not {backend!r}"
    )


def _rows_between(table: KeyTable, start: int, stop: int) -> KeyTable:
    keep = (table.rows >= start) & (table.rows < stop)
    return KeyTable(table.rows[keep], table.keys[keep])


def _best_per_left(left_rows: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Of pairs in ``order`` (best first), the first pair of each left record."""
    _, first = np.unique(left_rows[order], return_index=True)
    return order[np.sort(first)]


def _runners_up(i: np.ndarray, j: np.ndarray, dice: np.ndarray, best: np.ndarray) -> np.ndarray:
    """Each record's best pair other than its assigned one, on both sides.

    Under 1-to-1 linkage these are non-matches, and their Dice has the
    distribution of the best non-match a record finds, which is what an
    assigned non-match looks like.
    """
    others = np.ones(dice.size, dtype=bool)
    others[best] = False
    rest = np.nonzero(others)[0]
    rest = rest[np.argsort(-dice[rest], kind="stable")]
    _, first_left = np.unique(i[rest], return_index=True)
    _, first_right = np.unique(j[rest], return_index=True)
    return np.union1d(rest[first_left], rest[first_right])


def _first_rows(ids: np.ndarray) -> np.ndarray | None:
    """Each row's first row of the same id, or ``None`` when every id is once."""
    _, first, inverse = np.unique(ids, return_index=True, return_inverse=True)
    if first.size == ids.size:
        return None
    return first[inverse.ravel()]


def _best_of_spellings(
    left_ids: np.ndarray, right_ids: np.ndarray, i: np.ndarray, j: np.ndarray, dice: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Pairs of records, not filters: a record with several filters (spellings of its
    name) keeps, with each record of the other side, its best-scoring filter pair,
    reported at its first row."""
    first_left, first_right = _first_rows(left_ids), _first_rows(right_ids)
    if first_left is None and first_right is None:
        return i, j, dice
    if first_left is not None:
        i = first_left[i]
    if first_right is not None:
        j = first_right[j]
    order = np.lexsort((-dice, j, i))
    keep = np.ones(order.size, dtype=bool)
    keep[1:] = (i[order][1:] != i[order][:-1]) | (j[order][1:] != j[order][:-1])
    best = order[keep]
    return i[best], j[best], dice[best]


def _describe(blocking: Sequence[BlockingRule] | None) -> str:
    if not blocking:
        return "none (all pairs, popcount bound)"
    return " OR ".join(repr(rule) for rule in blocking)


@dataclass(frozen=True)
class Matcher:
    """How to link two sets of encodings; :meth:`link` runs it.

    Parameters
    ----------
    blocking
        Rules whose candidate pairs are united (Splink style); ``None``
        compares every pair (fine up to a few tens of millions of pairs).
    threshold
        Pairs with match probability below it are not matches.
    dice_floor
        Pairs with Dice below it are dropped before scoring; the score model
        is fitted on the pairs at or above it.
    score
        ``"em"``: match probability from a beta mixture fitted by EM
        (:func:`tipstats.linkage.fit_match_model`); ``"dice"``: the Dice
        coefficient itself, so ``threshold`` is a Dice threshold.
    one_to_one
        Keep at most one match per record, greedily by score.
    backend
        ``"duckdb"`` (default), ``"numpy"``, or a backend object such as
        :class:`tipstats.linkage.spark.SparkBackend`.
    max_block_pairs
        Blocks with more pairs than this are skipped and counted.
    left_chunk_rows
        With blocking, candidate pairs are made and scored for this many left
        records at a time, which bounds memory on large linkages.
    """

    blocking: tuple[BlockingRule, ...] | None = None
    threshold: float = 0.5
    dice_floor: float = 0.5
    score: str = "em"
    one_to_one: bool = True
    backend: str | LinkageBackend = "duckdb"
    max_block_pairs: int = 5_000_000
    left_chunk_rows: int = 100_000

    def __post_init__(self) -> None:
        if self.blocking is not None:
            object.__setattr__(self, "blocking", tuple(self.blocking))
        if self.score not in SCORE_METHODS:
            raise ValueError(f"score must be one of {SCORE_METHODS}, not {self.score!r}")
        if not 0.0 <= self.threshold <= 1.0:
            raise ValueError(f"threshold must be in [0, 1], not {self.threshold}")
        if self.left_chunk_rows < 1:
            raise ValueError("left_chunk_rows must be at least 1")
        if not 0.0 <= self.dice_floor < 1.0:
            raise ValueError(f"dice_floor must be in [0, 1), not {self.dice_floor}")

    def link(self, left: Encodings, right: Encodings) -> LinkageResult:
        """Link ``left`` to ``right`` and return the matches with the run's numbers."""
        left.check_comparable(right)
        backend = _resolve_backend(self.backend)
        seconds: dict[str, float] = {}
        t0 = time.perf_counter()
        link_pairs = getattr(backend, "link_pairs", None)
        if self.blocking and link_pairs is not None:
            # a backend that makes and scores the pairs in one job (Spark): the
            # candidate pairs stay in the engine, only those at the floor come back
            i, j, dice, n_comparisons, n_skipped = link_pairs(
                left,
                right,
                self.blocking,
                dice_floor=self.dice_floor,
                max_block_pairs=self.max_block_pairs,
            )
            seconds["blocking"] = 0.0
            seconds["scoring"] = time.perf_counter() - t0
        elif self.blocking:
            tables = [rule.key_tables(left, right) for rule in self.blocking]
            seconds["blocking"] = time.perf_counter() - t0
            seconds["scoring"] = 0.0
            parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
            n_comparisons = n_skipped = 0
            # A slice of left records at a time: all pairs of a left record are in
            # its slice, so duplicates are removed per slice and memory stays bounded.
            for start in range(0, len(left), self.left_chunk_rows):
                t = time.perf_counter()
                stop = start + self.left_chunk_rows
                chunk = [(_rows_between(lt, start, stop), rt) for lt, rt in tables]
                pairs = backend.candidate_pairs(
                    chunk, n_right=len(right), max_block_pairs=self.max_block_pairs
                )
                seconds["blocking"] += time.perf_counter() - t
                t = time.perf_counter()
                parts.append(backend.score_pairs(left, right, pairs, dice_floor=self.dice_floor))
                seconds["scoring"] += time.perf_counter() - t
                n_comparisons += len(pairs)
                n_skipped += pairs.n_pairs_skipped
            i, j, dice = (np.concatenate([p[k] for p in parts]) for k in range(3))
        else:
            seconds["blocking"] = 0.0
            t1 = time.perf_counter()
            i, j, dice = backend.score_all_pairs(left, right, dice_floor=self.dice_floor)
            n_comparisons, n_skipped = len(left) * len(right), 0
            seconds["scoring"] = time.perf_counter() - t1

        i, j, dice = _best_of_spellings(left.ids, right.ids, i, j, dice)

        # Assign first, by Dice: the score model is fitted on each record's assigned
        # (best) pair, where matches are common enough for the mixture to find them;
        # among all candidate pairs they can be one in ten thousand.
        t3 = time.perf_counter()
        order = greedy_one_to_one(i, j, dice) if self.one_to_one else np.lexsort((j, i, -dice))
        seconds["assignment"] = time.perf_counter() - t3

        t2 = time.perf_counter()
        if self.score == "em":
            best = order if self.one_to_one else _best_per_left(i, order)
            model = fit_match_model(
                dice[best],
                non_match_dice=dice[_runners_up(i, j, dice, best)],
                dice_floor=self.dice_floor,
            )
        else:
            model = identity_model(self.dice_floor, int(dice.size))
        probability = model.match_probability(dice)
        accept = order[probability[order] >= self.threshold]
        if not self.one_to_one:
            accept = accept[np.argsort(-dice[accept], kind="stable")]
        seconds["model"] = time.perf_counter() - t2
        seconds["total"] = time.perf_counter() - t0

        return LinkageResult(
            matches=pairs_frame(
                left.ids, right.ids, i[accept], j[accept], dice[accept], probability[accept]
            ),
            pair_arrays=(i, j, dice, probability),
            left_ids=left.ids,
            right_ids=right.ids,
            n_left=int(np.unique(left.ids).size),  # records, not filters
            n_right=int(np.unique(right.ids).size),
            n_comparisons=int(n_comparisons),
            n_pairs_skipped=int(n_skipped),
            threshold=self.threshold,
            dice_floor=self.dice_floor,
            dice_threshold=max(model.dice_at_probability(self.threshold), self.dice_floor),
            one_to_one=self.one_to_one,
            blocking=_describe(self.blocking),
            backend=getattr(backend, "name", type(backend).__name__),
            score_model=model,
            seconds=seconds,
        )


def link(left: Encodings, right: Encodings, **options: object) -> LinkageResult:
    """Shorthand for ``Matcher(**options).link(left, right)``."""
    return Matcher(**options).link(left, right)  # type: ignore[arg-type]
