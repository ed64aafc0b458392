"""Blocking rules: which pairs of records are compared at all.

A rule turns each side's encodings into ``(row, key)`` lists; two records
are a candidate pair when they share a key under at least one rule. Keys are
computed from the encodings and the keyed blocking tokens only, never from
plain values, so the party that blocks learns nothing more than the party
that compares.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._encoding import Encodings

__all__ = ["BlockingRule", "KeyBlocking", "KeyTable", "LSHBlocking"]

_MIX = np.uint64(0x9E3779B97F4A7C15)


def _mix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Combine two uint64 keys into one (splitmix64 finaliser over a xor); never 0."""
    with np.errstate(over="ignore"):
        z = np.asarray(a, dtype=np.uint64) ^ (np.asarray(b, dtype=np.uint64) * _MIX)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return (z ^ (z >> np.uint64(31))) | np.uint64(1)


@dataclass(frozen=True)
class KeyTable:
    """``(row, key)`` pairs of one side under one rule; key 0 never matches."""

    rows: np.ndarray
    keys: np.ndarray

    @classmethod
    def from_matrix(cls, keys: np.ndarray) -> KeyTable:
        keys = np.asarray(keys, dtype=np.uint64)
        if keys.ndim == 1:
            keys = keys[:, None]
        rows = np.repeat(np.arange(keys.shape[0], dtype=np.int64), keys.shape[1])
        flat = keys.ravel()
        keep = flat != 0
        return cls(rows[keep], flat[keep])


class BlockingRule:
    """Base class: ``key_tables(left, right)`` gives the two sides' key tables."""

    def key_tables(self, left: Encodings, right: Encodings) -> tuple[KeyTable, KeyTable]:
        raise NotImplementedError


@dataclass(frozen=True)
class KeyBlocking(BlockingRule):
    """Records are compared when they share a keyed blocking token.

    With ``key="sex_birth_year"`` (made by an encoder whose schema has
    ``block_year_window=w``), two records are compared when they have the
    same sex and years of birth at most ``w`` apart; with
    ``key="sex_birth_date"``, when they have the same sex and date of birth
    (day and month in either order). Records with no token are in no block.
    """

    key: str = "sex_birth_year"

    def _tokens(self, enc: Encodings) -> np.ndarray:
        try:
            return enc.block_tokens[self.key]
        except KeyError:
            raise KeyError(
                f"the encodings have no blocking tokens {self.key!r}; "
                "encode with a schema that sets block_year_window"
            ) from None

    def key_tables(self, left: Encodings, right: Encodings) -> tuple[KeyTable, KeyTable]:
        # own token on the left against own-or-neighbour tokens on the right:
        # each pair within the window meets exactly once.
        return (
            KeyTable.from_matrix(self._tokens(left)[:, :1]),
            KeyTable.from_matrix(self._tokens(right)),
        )


@dataclass(frozen=True)
class LSHBlocking(BlockingRule):
    """Locality-sensitive hashing on the filter bits (Hamming LSH, bit sampling).

    Each of ``n_bands`` bands samples ``bits_per_band`` bit positions (the
    same positions on both sides, from ``seed``); records whose filters agree
    on all sampled positions of some band are compared. If two filters agree
    on a fraction ``s`` of their bits, they meet in at least one band with
    probability ``1 - (1 - s**bits_per_band) ** n_bands``: high for matches,
    tiny for non-matches. ``within`` restricts each band to records that also
    share that blocking token (for example ``"sex_birth_year"``), so fewer
    sampled bits are needed for the same number of comparisons.
    """

    n_bands: int = 30
    bits_per_band: int = 28
    seed: int = 0
    within: str | None = None

    def __post_init__(self) -> None:
        if not 1 <= self.bits_per_band <= 56:
            raise ValueError("bits_per_band must be between 1 and 56")
        if self.n_bands < 1:
            raise ValueError("n_bands must be at least 1")

    def signatures(self, enc: Encodings) -> np.ndarray:
        """``(n, n_bands)`` band signatures, the band number folded into the high bits."""
        rng = np.random.default_rng(self.seed)
        out = np.zeros((len(enc), self.n_bands), dtype=np.uint64)
        packed = enc.packed
        for band in range(self.n_bands):
            positions = rng.choice(enc.filter_bits, size=self.bits_per_band, replace=False)
            sig = np.zeros(len(enc), dtype=np.uint64)
            for shift, p in enumerate(positions):
                bit = (packed[:, p >> 3] >> np.uint8(7 - (p & 7))) & np.uint8(1)
                sig |= bit.astype(np.uint64) << np.uint64(shift)
            out[:, band] = sig | (np.uint64(band + 1) << np.uint64(56))
        return out

    def key_tables(self, left: Encodings, right: Encodings) -> tuple[KeyTable, KeyTable]:
        left_sig, right_sig = self.signatures(left), self.signatures(right)
        if self.within is None:
            return KeyTable.from_matrix(left_sig), KeyTable.from_matrix(right_sig)
        left_tok = KeyBlocking(self.within)._tokens(left)[:, :1]
        right_tok = KeyBlocking(self.within)._tokens(right)
        left_keys = np.where(left_tok != 0, _mix(left_sig, left_tok), 0)
        right_keys = np.concatenate(
            [np.where(right_tok[:, c : c + 1] != 0, _mix(right_sig, right_tok[:, c : c + 1]), 0)
             for c in range(right_tok.shape[1])],
            axis=1,
        )  # fmt: skip
        return KeyTable.from_matrix(left_keys), KeyTable.from_matrix(right_keys)


MATIS_LSH_BLOCKING = LSHBlocking(n_bands=40, bits_per_band=20)
"""The hub's blocking for :data:`tipstats.linkage.MATIS_SCHEMA`: LSH on the filters only.

Measured on :func:`tipstats.linkage.labelled_linkage_set` (3,000 records a
side), it keeps the recall of comparing every pair at the calibrated
threshold (0.920 against 0.922) with about one comparison in twenty.
"""
