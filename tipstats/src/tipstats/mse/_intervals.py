"""Confidence intervals for the population: profile likelihood and BCa bootstrap.

Profile likelihood (``profile_interval``) follows Rcapture's ``closedpCI.t``,
which produced the Home Office interval: the total ``N`` is profiled under
the multinomial likelihood of the ``2**m`` patterns (Cormack 1992). For a
trial ``N`` the unobserved count ``n0 = N - n`` is appended as a data cell,
the Poisson model is refitted, and

    l(N) = -deviance(N) / 2 + log( n0**n0 * N! / (N**N * n0!) )

(the log-gamma form of the factorials, so non-integer ``N`` is allowed). The
interval is ``{N : l(N) >= max l - chi2_1(1 - alpha) / 2}``, its lower end
floored at the observed total.

BCa bootstrap (``bca_interval``) follows ``SparseMSE::estimatepopulation``:
resample individuals (a multinomial over the observed patterns with the
observed total), re-run the whole method, model selection included, on each
resample; take the acceleration from a jackknife that removes one case at a
time (one replicate per observed pattern, weighted by its count); BCa
quantiles with R's type-8 sample quantile (``median_unbiased`` in numpy).
Resample ``i`` draws from its own generator seeded by child ``i`` of
``numpy.random.SeedSequence(seed)``, so the result does not depend on how
resamples are split across worker processes.
"""

from __future__ import annotations

import contextlib
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats
from scipy.special import gammaln, xlogy

from ._data import CaptureData
from ._design import Design
from ._glm import fit_poisson
from ._selection import select_model

__all__ = [
    "BootstrapOutcome",
    "ProfileOutcome",
    "bca_interval",
    "bca_limits",
    "jackknife_acceleration",
    "profile_interval",
    "resolve_n_jobs",
]

ProgressCallback = Callable[[int, int], None]


# --------------------------------------------------------------------------- profile


@dataclass(frozen=True)
class ProfileOutcome:
    low: float
    high: float
    mle: float  # maximiser of the multinomial profile likelihood


def profile_loglik(design: Design, n_observed: float, total: float) -> float:
    """Multinomial profile log-likelihood of population ``total`` (up to a constant)."""
    n0 = total - n_observed
    X = np.vstack([design.X, np.eye(1, design.X.shape[1])])
    y = np.append(design.y, n0)
    fit = fit_poisson(X, y)
    correction = xlogy(n0, n0) + gammaln(total + 1.0) - total * np.log(total) - gammaln(n0 + 1.0)
    return -fit.deviance / 2.0 + float(correction)


def profile_interval(
    design: Design, n_observed: float, point: float, alpha: float = 0.05
) -> ProfileOutcome:
    n = float(n_observed)

    def loglik(total: float) -> float:
        return profile_loglik(design, n, total)

    lo_edge = n + 1e-9 * max(n, 1.0)
    hi_edge = 3.0 * point
    res = optimize.minimize_scalar(
        lambda t: -loglik(t),
        bounds=(lo_edge, hi_edge),
        method="bounded",
        options={"xatol": 1e-6 * max(point, 1.0)},
    )
    mle = float(res.x)
    lmax = -float(res.fun)
    target = lmax - stats.chi2.ppf(1.0 - alpha, 1) / 2.0

    def excess(total: float) -> float:
        return loglik(total) - target

    xtol = 1e-8 * max(point, 1.0)
    low = n if excess(lo_edge) >= 0 else optimize.brentq(excess, lo_edge, mle, xtol=xtol)
    high = np.inf
    upper = hi_edge
    for _ in range(12):  # extend the search if the likelihood is very flat
        if excess(upper) < 0:
            high = optimize.brentq(excess, mle, upper, xtol=xtol)
            break
        upper *= 3.0
    return ProfileOutcome(low=float(low), high=float(high), mle=mle)


# --------------------------------------------------------------------------- bootstrap


@dataclass(frozen=True, eq=False)
class BootstrapOutcome:
    low: float
    high: float
    estimates: np.ndarray
    jackknife: np.ndarray
    acceleration: float
    bias_correction: float
    entropy: int


def _estimate(data: CaptureData, method: str, threshold: float) -> float:
    return select_model(data, method, threshold).population


def _bootstrap_chunk(
    data: CaptureData,
    method: str,
    threshold: float,
    seeds: list[np.random.SeedSequence],
) -> np.ndarray:
    n = data.n_observed
    probs = data.counts / data.counts.sum()
    out = np.empty(len(seeds))
    for k, seq in enumerate(seeds):
        counts = np.random.default_rng(seq).multinomial(n, probs).astype(float)
        out[k] = _estimate(data.with_counts(counts), method, threshold)
    return out


def _jackknife_chunk(
    data: CaptureData, method: str, threshold: float, cells: list[int]
) -> np.ndarray:
    out = np.empty(len(cells))
    for k, cell in enumerate(cells):
        counts = data.counts.copy()
        counts[cell] -= 1.0
        out[k] = _estimate(data.with_counts(counts), method, threshold)
    return out


def jackknife_acceleration(counts: np.ndarray, estimates: np.ndarray) -> float:
    """SparseMSE's acceleration: jackknife residuals weighted by pattern counts."""
    w = np.asarray(counts, dtype=float)
    resid = np.sum(w * estimates) / np.sum(w) - estimates
    denom = 6.0 * np.sum(w * resid**2) ** 1.5
    return float(np.sum(w * resid**3) / denom) if denom > 0 else 0.0


def bca_limits(
    estimates: np.ndarray, point: float, acceleration: float, probs: np.ndarray
) -> tuple[np.ndarray, float]:
    """BCa quantiles of ``estimates`` at ``probs`` and the bias correction z0."""
    b = len(estimates)
    below = np.mean(estimates < point)
    below = min(max(below, 0.5 / b), 1.0 - 0.5 / b)  # keep z0 finite
    z0 = float(stats.norm.ppf(below))
    za = stats.norm.ppf(probs) + z0
    adjusted = stats.norm.cdf(z0 + za / (1.0 - acceleration * za))
    return np.quantile(estimates, adjusted, method="median_unbiased"), z0


_THREAD_ENV = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


@contextlib.contextmanager
def _single_threaded_children() -> Iterator[None]:
    """Start worker processes with one BLAS thread each.

    The models are small, so BLAS threads only compete with the other
    workers. Spawned children read these variables when numpy loads; the
    parent's environment is restored afterwards.
    """
    saved = {k: os.environ.get(k) for k in _THREAD_ENV}
    os.environ.update({k: "1" for k in _THREAD_ENV})
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def resolve_n_jobs(n_jobs: int) -> int:
    if n_jobs == -1:
        return os.cpu_count() or 1
    return n_jobs


def bca_interval(
    data: CaptureData,
    method: str,
    threshold: float,
    point: float,
    *,
    n_boot: int,
    seed: int | None,
    n_jobs: int = 1,
    alpha: float = 0.05,
    progress: ProgressCallback | None = None,
) -> BootstrapOutcome:
    root = np.random.SeedSequence(seed)
    seeds = root.spawn(n_boot)
    jack_cells = [int(i) for i in np.flatnonzero(data.counts > 0)]
    workers = min(resolve_n_jobs(n_jobs), n_boot)
    estimates = np.empty(n_boot)
    jack = np.empty(len(jack_cells))

    if workers <= 1:
        jack[:] = _jackknife_chunk(data, method, threshold, jack_cells)
        step = max(1, n_boot // 100)
        for start in range(0, n_boot, step):
            stop = min(start + step, n_boot)
            estimates[start:stop] = _bootstrap_chunk(data, method, threshold, seeds[start:stop])
            if progress is not None:
                progress(stop, n_boot)
    else:
        # Several chunks per worker keeps the workers busy when some
        # resamples select bigger models (and so take longer) than others.
        n_chunks = min(n_boot, workers * 8)
        bounds = np.linspace(0, n_boot, n_chunks + 1).astype(int)
        ctx = multiprocessing.get_context("spawn")
        with (
            _single_threaded_children(),
            ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool,
        ):
            jack_split = np.array_split(np.array(jack_cells, dtype=int), workers)
            jack_futures = [
                pool.submit(_jackknife_chunk, data, method, threshold, [int(c) for c in part])
                for part in jack_split
                if len(part)
            ]
            pending: dict[Future[np.ndarray], tuple[int, int]] = {
                pool.submit(_bootstrap_chunk, data, method, threshold, seeds[lo:hi]): (lo, hi)
                for lo, hi in itertools.pairwise(bounds)
                if hi > lo
            }
            done = 0
            try:
                while pending:
                    finished, _ = wait(pending, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        lo, hi = pending.pop(fut)
                        estimates[lo:hi] = fut.result()
                        done += hi - lo
                        if progress is not None:
                            progress(done, n_boot)
                jack[:] = np.concatenate([f.result() for f in jack_futures])
            except BaseException:
                # A failing worker, a progress callback that raises (e.g. to
                # cancel) or Ctrl-C: drop the queued work instead of finishing it.
                pool.shutdown(wait=False, cancel_futures=True)
                raise

    acceleration = jackknife_acceleration(data.counts[jack_cells], jack)
    probs = np.array([alpha / 2.0, 1.0 - alpha / 2.0])
    (low, high), z0 = bca_limits(estimates, point, acceleration, probs)
    return BootstrapOutcome(
        low=float(low),
        high=float(high),
        estimates=estimates,
        jackknife=jack,
        acceleration=acceleration,
        bias_correction=z0,
        entropy=int(root.entropy),  # type: ignore[arg-type]
    )
