"""Poisson log-linear regression by iteratively reweighted least squares.

This mirrors R's ``glm.fit`` for ``family = poisson`` (start at ``mu = y + 0.1``,
stop when the relative change in deviance is below 1e-8 or after 25
iterations, fitted means floored at machine epsilon, covariance from the
weights of the last iteration), because the reference analyses (SparseMSE,
Rcapture) were run in R and their stepwise decisions depend on the fitted
values and Wald p-values R produces, including for parameters whose estimate
runs off to minus infinity. Model selection and bootstrapping fit thousands
of small models, so the fitter is kept lean (one QR per iteration, no
formula handling); the test suite checks it against ``statsmodels`` GLM.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg import solve_triangular
from scipy.special import gammaln

__all__ = ["PoissonFit", "fit_poisson", "poisson_deviance", "poisson_loglik"]

_EPS = np.finfo(float).eps


@dataclass(frozen=True, eq=False)
class PoissonFit:
    coef: np.ndarray
    mu: np.ndarray
    cov: np.ndarray
    deviance: float
    loglik: float
    rank: int
    converged: bool
    n_iter: int

    @property
    def aic(self) -> float:
        return -2.0 * self.loglik + 2.0 * self.rank

    @property
    def std_errors(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))


def poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    pos = y > 0
    return float(
        2.0 * (np.sum(y[pos] * np.log(y[pos] / mu[pos])) - np.sum(y) + np.sum(mu))
    )


def poisson_loglik(y: np.ndarray, mu: np.ndarray) -> float:
    pos = y > 0
    return float(np.sum(y[pos] * np.log(mu[pos])) - np.sum(mu) - np.sum(gammaln(y + 1.0)))


def _linkinv(eta: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.maximum(np.exp(eta), _EPS)


def _wls(X: np.ndarray, z: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Weighted least squares; returns coefficients, (X'WX)^-1 and rank."""
    sw = np.sqrt(w)
    Xw = X * sw[:, None]
    q, r = np.linalg.qr(Xw)
    diag = np.abs(np.diag(r))
    if diag.size and diag.min() > 1e-7 * max(diag.max(), 1.0):
        beta = solve_triangular(r, q.T @ (z * sw))
        rinv = solve_triangular(r, np.eye(r.shape[0]))
        return beta, rinv @ rinv.T, r.shape[0]
    # Rank deficient: minimum-norm solution (selection never keeps such models).
    beta = np.linalg.lstsq(Xw, z * sw, rcond=None)[0]
    return beta, np.linalg.pinv(Xw.T @ Xw), int(np.linalg.matrix_rank(Xw))


def fit_poisson(
    X: np.ndarray, y: np.ndarray, *, maxit: int = 25, tol: float = 1e-8
) -> PoissonFit:
    """Maximum-likelihood fit of ``y ~ Poisson(exp(X @ coef))``."""
    y = np.asarray(y, dtype=float)
    mu = y + 0.1
    eta = np.log(mu)
    dev_old = poisson_deviance(y, mu)
    coef_old: np.ndarray | None = None
    converged = False
    n_iter = 0
    coef = np.zeros(X.shape[1])
    cov = np.full((X.shape[1], X.shape[1]), np.nan)
    rank = X.shape[1]
    for n_iter in range(1, maxit + 1):  # noqa: B007 - n_iter is reported
        z = eta + (y - mu) / mu
        coef, cov, rank = _wls(X, z, mu)
        eta = X @ coef
        mu = _linkinv(eta)
        dev = poisson_deviance(y, mu)
        halvings = 0
        while not np.isfinite(dev) and coef_old is not None and halvings < 50:
            coef = (coef + coef_old) / 2.0
            eta = X @ coef
            mu = _linkinv(eta)
            dev = poisson_deviance(y, mu)
            halvings += 1
        if abs(dev - dev_old) / (abs(dev) + 0.1) < tol:
            converged = True
            break
        dev_old = dev
        coef_old = coef
    return PoissonFit(
        coef=coef,
        mu=mu,
        cov=cov,
        deviance=poisson_deviance(y, mu),
        loglik=poisson_loglik(y, mu),
        rank=rank,
        converged=converged,
        n_iter=n_iter,
    )
