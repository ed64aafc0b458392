"""Popcount kernels: compiled with numba when it is installed, numpy otherwise.

Both give identical integers; numba only makes them faster (one pass over
the words in registers instead of three whole-array passes, and all cores).
"""

from __future__ import annotations

import numpy as np

__all__ = ["KERNEL", "common_bits_dense", "common_bits_pairs", "dense_hits"]

_ROWS_PER_STEP = 4
_PAIR_CHUNK = 1 << 18
_HIT_CAPACITY = 32


def _dense_numpy(
    lw: np.ndarray, rw: np.ndarray, lp: np.ndarray, rp: np.ndarray,
    lo: np.ndarray, hi: np.ndarray, threshold: float,
) -> np.ndarray:  # fmt: skip
    m, n = lw.shape[0], rw.shape[0]
    out = np.full((m, n), -1, dtype=np.int32)
    rw_t = np.ascontiguousarray(rw.T)
    for start in range(0, m, _ROWS_PER_STEP):
        stop = min(start + _ROWS_PER_STEP, m)
        a, b = int(lo[start:stop].min()), int(hi[start:stop].max())
        if b <= a:
            continue
        anded = rw_t[None, :, a:b] & lw[start:stop, :, None]
        common = np.add.reduce(np.bitwise_count(anded), axis=1, dtype=np.int32)
        total = lp[start:stop, None] + rp[None, a:b]
        cols = np.arange(a, b)
        inside = (cols[None, :] >= lo[start:stop, None]) & (cols[None, :] < hi[start:stop, None])
        ok = inside & (2.0 * common >= threshold * total)
        out[start:stop, a:b] = np.where(ok, common, -1)
    return out


def _pairs_numpy(lw: np.ndarray, rw: np.ndarray, i: np.ndarray, j: np.ndarray) -> np.ndarray:
    out = np.empty(i.size, dtype=np.int32)
    for s in range(0, i.size, _PAIR_CHUNK):
        ii, jj = i[s : s + _PAIR_CHUNK], j[s : s + _PAIR_CHUNK]
        out[s : s + ii.size] = np.bitwise_count(lw[ii] & rw[jj]).sum(axis=1, dtype=np.int32)
    return out


try:  # pragma: no cover - exercised when numba is installed
    import numba
except ImportError:  # pragma: no cover
    numba = None

if numba is not None:

    @numba.njit(inline="always")
    def _popcount64(x):  # pragma: no cover - compiled
        # LLVM turns this idiom into the POPCNT instruction.
        x = x - ((x >> np.uint64(1)) & np.uint64(0x5555555555555555))
        x = (x & np.uint64(0x3333333333333333)) + (
            (x >> np.uint64(2)) & np.uint64(0x3333333333333333)
        )
        x = (x + (x >> np.uint64(4))) & np.uint64(0x0F0F0F0F0F0F0F0F)
        return (x * np.uint64(0x0101010101010101)) >> np.uint64(56)

    @numba.njit(parallel=True, cache=True)
    def _dense_numba_sparse(lw, rw, lp, rp, lo, hi, threshold, cap):  # pragma: no cover
        # Each row keeps up to ``cap`` hits; rows with more are redone densely.
        m, n_words = lw.shape
        n_hits = np.zeros(m, dtype=np.int64)
        cols = np.empty((m, cap), dtype=np.int64)
        commons = np.empty((m, cap), dtype=np.int32)
        for r in numba.prange(m):
            k = 0
            for c in range(lo[r], hi[r]):
                s = np.uint64(0)
                for w in range(n_words):
                    s += _popcount64(lw[r, w] & rw[c, w])
                if 2.0 * s >= threshold * (lp[r] + rp[c]):
                    if k < cap:
                        cols[r, k] = c
                        commons[r, k] = np.int32(s)
                    k += 1
            n_hits[r] = k
        return n_hits, cols, commons

    @numba.njit(parallel=True, cache=True)
    def _dense_numba(lw, rw, lp, rp, lo, hi, threshold):  # pragma: no cover - compiled
        m, n_words = lw.shape
        out = np.full((m, rw.shape[0]), -1, dtype=np.int32)
        for r in numba.prange(m):
            for c in range(lo[r], hi[r]):
                s = np.uint64(0)
                for w in range(n_words):
                    s += _popcount64(lw[r, w] & rw[c, w])
                if 2.0 * s >= threshold * (lp[r] + rp[c]):
                    out[r, c] = np.int32(s)
        return out

    @numba.njit(parallel=True, cache=True)
    def _pairs_numba(lw, rw, i, j):  # pragma: no cover - compiled
        out = np.empty(i.size, dtype=np.int32)
        n_words = lw.shape[1]
        for p in numba.prange(i.size):
            s = np.uint64(0)
            for w in range(n_words):
                s += _popcount64(lw[i[p], w] & rw[j[p], w])
            out[p] = np.int32(s)
        return out

    @numba.njit(cache=True)
    def _greedy_numba(li, rj, n_left, n_right):  # pragma: no cover - compiled
        used_l = np.zeros(n_left, dtype=np.bool_)
        used_r = np.zeros(n_right, dtype=np.bool_)
        keep = np.zeros(li.size, dtype=np.bool_)
        for p in range(li.size):
            if not used_l[li[p]] and not used_r[rj[p]]:
                used_l[li[p]] = True
                used_r[rj[p]] = True
                keep[p] = True
        return keep

    KERNEL = "numba"
else:  # pragma: no cover
    KERNEL = "numpy"


def common_bits_dense(
    lw: np.ndarray, rw: np.ndarray, lp: np.ndarray, rp: np.ndarray,
    lo: np.ndarray, hi: np.ndarray, threshold: float, *, kernel: str | None = None,
) -> np.ndarray:  # fmt: skip
    """``(m, n)`` int32: common bits of left row r and right row c when ``lo[r] <= c < hi[r]``
    and Dice >= ``threshold``, else -1. ``lp``/``rp`` are popcounts as float64."""
    args = (
        np.ascontiguousarray(lw), np.ascontiguousarray(rw),
        np.ascontiguousarray(lp, dtype=np.float64), np.ascontiguousarray(rp, dtype=np.float64),
        np.ascontiguousarray(lo, dtype=np.int64), np.ascontiguousarray(hi, dtype=np.int64),
        float(threshold),
    )  # fmt: skip
    if (kernel or KERNEL) == "numba":
        return _dense_numba(*args)
    return _dense_numpy(*args)


def dense_hits(
    lw: np.ndarray, rw: np.ndarray, lp: np.ndarray, rp: np.ndarray,
    lo: np.ndarray, hi: np.ndarray, threshold: float, *, kernel: str | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """``(rows, cols, common)`` of the pairs that :func:`common_bits_dense` marks."""
    if (kernel or KERNEL) == "numba":
        args = (
            np.ascontiguousarray(lw), np.ascontiguousarray(rw),
            np.ascontiguousarray(lp, dtype=np.float64), np.ascontiguousarray(rp, dtype=np.float64),
            np.ascontiguousarray(lo, dtype=np.int64), np.ascontiguousarray(hi, dtype=np.int64),
            float(threshold),
        )  # fmt: skip
        n_hits, cols, commons = _dense_numba_sparse(*args, _HIT_CAPACITY)
        kept = np.minimum(n_hits, _HIT_CAPACITY)
        rows = np.repeat(np.arange(n_hits.size), kept)
        mask = np.arange(_HIT_CAPACITY)[None, :] < kept[:, None]
        out_rows, out_cols, out_common = [rows], [cols[mask]], [commons[mask]]
        overflow = np.nonzero(n_hits > _HIT_CAPACITY)[0]
        if overflow.size:
            dense = _dense_numba(
                args[0][overflow], args[1], args[2][overflow], args[3],
                args[4][overflow], args[5][overflow], args[6],
            )  # fmt: skip
            r, c = np.nonzero(dense >= 0)
            keep_sparse = ~np.isin(rows, overflow)
            out_rows = [rows[keep_sparse], overflow[r]]
            out_cols = [out_cols[0][keep_sparse], c]
            out_common = [out_common[0][keep_sparse], dense[r, c]]
        return (
            np.concatenate(out_rows).astype(np.int64),
            np.concatenate(out_cols).astype(np.int64),
            np.concatenate(out_common).astype(np.int32),
        )
    dense = common_bits_dense(lw, rw, lp, rp, lo, hi, threshold, kernel=kernel)
    r, c = np.nonzero(dense >= 0)
    return r, c, dense[r, c]


def greedy_scan(li: np.ndarray, rj: np.ndarray) -> np.ndarray | None:
    """Keep-mask of the sequential greedy scan over pairs in rank order; None without numba."""
    if KERNEL != "numba":
        return None
    n_left = int(li.max(initial=-1)) + 1
    n_right = int(rj.max(initial=-1)) + 1
    return _greedy_numba(
        np.ascontiguousarray(li, dtype=np.int64), np.ascontiguousarray(rj, dtype=np.int64),
        n_left, n_right,
    )  # fmt: skip


def common_bits_pairs(
    lw: np.ndarray, rw: np.ndarray, i: np.ndarray, j: np.ndarray, *, kernel: str | None = None
) -> np.ndarray:
    """Common bits of each pair ``(lw[i[p]], rw[j[p]])``, int32."""
    i = np.ascontiguousarray(i, dtype=np.int64)
    j = np.ascontiguousarray(j, dtype=np.int64)
    if (kernel or KERNEL) == "numba":
        return _pairs_numba(np.ascontiguousarray(lw), np.ascontiguousarray(rw), i, j)
    return _pairs_numpy(lw, rw, i, j)
