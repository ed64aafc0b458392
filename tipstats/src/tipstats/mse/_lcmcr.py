"""Bayesian non-parametric latent-class MSE (LCMCR).

Manrique-Vallier, D. (2016). Bayesian population size estimation using
Dirichlet process mixtures. *Biometrics* 72(4), 1246-1254.
doi:10.1111/biom.12502. The reference implementation is the R package LCMCR
(Manrique-Vallier, GPL); this is an independent numpy implementation of the
same model, priors and Gibbs sampler, written from the paper and checked step
by step against the package's sampler (no code taken from it); on the
package's Kosovo example the two agree within Monte Carlo error
(tests/mse/test_mse_lcmcr.py).

Model. Every person ``i`` of the ``N`` in the population belongs to one latent
class ``z_i`` in ``1..K``; within a class the lists catch people independently,
list ``j`` with probability ``lambda[j, k]``. Class weights follow a truncated
stick-breaking (Dirichlet process) prior with concentration ``alpha ~
Gamma(a_alpha, b_alpha)``; ``lambda[j, k] ~ Beta(1, 1)``; ``p(N) ∝ 1/N``.
Heterogeneous catchability shared across lists (the same people hard to find
for every list) is what the classes absorb; the log-linear models cannot.

Gibbs sampler with data augmentation for the ``n0`` people on no list, on
pattern counts (the cost does not grow with the number of people):

1. class counts of each observed pattern, multinomial;
2. ``lambda`` from its Beta full conditional over observed and augmented people;
3. stick-breaking weights ``V_k ~ Beta(1 + n_k, alpha + sum_{l>k} n_l)``;
4. ``n0 ~ NegativeBinomial(n, 1 - pi0)`` with ``pi0`` the probability of being
   on no list (this is the full conditional under ``p(N) ∝ 1/N``);
5. the ``n0`` unseen people's classes, multinomial;
6. ``alpha ~ Gamma(a_alpha + K - 1, b_alpha - log pi_K)``.

As in the R package (``src/NPLCM_CR_Basic_Freq.cpp``, version 0.4.14): 500
warm-up sweeps with ``alpha`` held at ``0.3 / K``, after which the classes are
relabelled by decreasing weight; ``n0`` draws above ``20 n`` are redrawn; the
defaults (``K = 10``, ``a_alpha = b_alpha = 0.25``) are those of the package's
Kosovo example.

Stick-breaking draws are made on the log scale from Gamma variates, so a
weight that underflows to zero does not stall the chain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._data import CaptureData

__all__ = ["LCMCRDraws", "sample_lcmcr"]


@dataclass(frozen=True)
class LCMCRDraws:
    """Posterior draws of the population size and the settings that made them."""

    population: np.ndarray  # int64, one per kept draw
    n_observed: int
    K: int
    burnin: int
    samples: int
    thinning: int
    a_alpha: float
    b_alpha: float
    seed: int
    mean_classes_used: float


def _log_gamma_variates(rng: np.random.Generator, shape: np.ndarray) -> np.ndarray:
    """log of Gamma(shape, 1) variates, accurate for small shapes."""
    shape = np.asarray(shape, dtype=float)
    small = shape < 1.0
    g = rng.standard_gamma(np.where(small, shape + 1.0, shape))
    out = np.log(g)
    if small.any():
        u = rng.random(shape.shape)
        out = np.where(small, out + np.log(u) / np.where(small, shape, 1.0), out)
    return out


def _log_normalise(logp: np.ndarray) -> np.ndarray:
    m = logp.max(axis=-1, keepdims=True)
    p = np.exp(logp - m)
    return p / p.sum(axis=-1, keepdims=True)


def sample_lcmcr(
    data: CaptureData,
    *,
    K: int = 10,
    burnin: int = 2000,
    samples: int = 1000,
    thinning: int = 10,
    a_alpha: float = 0.25,
    b_alpha: float = 0.25,
    seed: int = 0,
) -> LCMCRDraws:
    """Run the Gibbs sampler and keep ``samples`` draws, one every ``thinning``."""
    rng = np.random.default_rng(seed)
    keep = data.counts > 0
    X = data.patterns[keep].astype(float)  # (M, J)
    freq = data.counts[keep].astype(np.int64)  # (M,)
    n = int(freq.sum())
    Xc = 1.0 - X

    # Initial values as in the R package: lambda at the lists' observed
    # catch rates, most of the weight on four classes, a small alpha.
    lam = np.tile(((X * freq[:, None]).sum(axis=0) / n)[:, None], (1, K))
    lam = np.clip(lam, 1e-6, 1 - 1e-6)
    nu = np.full(K, 0.1 / max(K - 4, 1))
    nu[: min(4, K)] = 0.25 * 0.9
    nu /= nu.sum()
    log_nu = np.log(nu)
    alpha = 0.3 / K
    c0 = np.zeros(K, dtype=np.int64)
    n0 = 0

    warm = 500
    total = warm + burnin + samples * thinning
    out = np.empty(samples, dtype=np.int64)
    used = np.empty(samples, dtype=float)
    kept = 0
    for it in range(total):
        log_lam = np.log(lam)
        log_1m = np.log1p(-lam)
        # 1. classes of the observed people, by pattern
        probs = _log_normalise(log_nu[None, :] + X @ log_lam + Xc @ log_1m)
        cz = rng.multinomial(freq, probs)  # (M, K)
        # 2. lambda
        ones = X.T @ cz  # (J, K)
        nk = cz.sum(axis=0) + c0
        lam = rng.beta(1.0 + ones, 1.0 + (nk[None, :] - ones))
        lam = np.clip(lam, 1e-12, 1 - 1e-12)
        # 3. stick-breaking weights, on the log scale
        tail = np.concatenate([np.cumsum(nk[::-1])[::-1][1:], [0]])  # sum_{l>k} n_l
        la = _log_gamma_variates(rng, 1.0 + nk[:-1])
        lb = _log_gamma_variates(rng, alpha + tail[:-1])
        ls = np.logaddexp(la, lb)
        log_v, log_1mv = la - ls, lb - ls
        acc = np.concatenate([[0.0], np.cumsum(log_1mv)])
        log_nu = np.concatenate([log_v + acc[:-1], [acc[-1]]])
        # 4. the number on no list
        log_miss = log_nu + np.log1p(-lam).sum(axis=0)
        pi0 = float(np.exp(log_miss).sum())
        pi0 = min(pi0, 1.0 - 1e-12)
        # The R package redraws any n0 above 20 n (so N <= 21 n); done the same way.
        n0 = int(rng.negative_binomial(n, 1.0 - pi0))
        while n0 > 20 * n:
            n0 = int(rng.negative_binomial(n, 1.0 - pi0))
        # 5. their classes
        c0 = rng.multinomial(n0, _log_normalise(log_miss))
        # 6. concentration (held fixed during the warm-up, as the R package does)
        if it >= warm:
            alpha = rng.gamma(a_alpha + K - 1.0, 1.0 / (b_alpha - log_nu[-1]))
            alpha = max(alpha, 1e-300)
        elif it == warm - 1:
            # End of the warm-up: relabel the classes by decreasing weight, as
            # the R package does, so the stick-breaking order starts from the
            # big classes (the posterior is label-invariant; this only helps
            # the truncated stick mix).
            order = np.argsort(-log_nu, kind="stable")
            lam, log_nu, c0 = lam[:, order], log_nu[order], c0[order]
        done = it - warm - burnin
        if done >= 0 and done % thinning == thinning - 1:
            out[kept] = n + n0
            used[kept] = np.count_nonzero(nk)
            kept += 1
    return LCMCRDraws(
        population=out,
        n_observed=n,
        K=K,
        burnin=burnin,
        samples=samples,
        thinning=thinning,
        a_alpha=a_alpha,
        b_alpha=b_alpha,
        seed=seed,
        mean_classes_used=float(used.mean()),
    )
