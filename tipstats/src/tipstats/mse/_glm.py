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

from dataclasses import dataclass, field

import numpy as np
from scipy.special import gammaln

__all__ = ["PoissonFit", "fit_poisson", "poisson_deviance", "poisson_loglik"]

_EPS = np.finfo(float).eps


@dataclass(frozen=True, eq=False)
class PoissonFit:
    coef: np.ndarray
    mu: np.ndarray
    deviance: float
    loglik: float
    rank: int
    converged: bool
    n_iter: int
    #: R factor of the QR decomposition of sqrt(W) X in the last iteration
    #: (or None when X is rank deficient); the covariance is (R'R)^-1.
    r_factor: np.ndarray | None = field(default=None, repr=False)
    pinv_cov: np.ndarray | None = field(default=None, repr=False)

    @property
    def aic(self) -> float:
        return -2.0 * self.loglik + 2.0 * self.rank

    @property
    def cov(self) -> np.ndarray:
        """Inverse Fisher information, as ``summary.glm``'s ``cov.unscaled``."""
        if self.r_factor is None:
            assert self.pinv_cov is not None
            return self.pinv_cov
        rinv = np.linalg.solve(self.r_factor, np.eye(self.r_factor.shape[0]))
        return rinv @ rinv.T

    @property
    def std_errors(self) -> np.ndarray:
        return np.sqrt(np.clip(np.diag(self.cov), 0.0, None))


def poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    pos = y > 0
    return float(2.0 * (np.sum(y[pos] * np.log(y[pos] / mu[pos])) - np.sum(y) + np.sum(mu)))


def poisson_loglik(y: np.ndarray, mu: np.ndarray) -> float:
    pos = y > 0
    return float(np.sum(y[pos] * np.log(mu[pos])) - np.sum(mu) - np.sum(gammaln(y + 1.0)))


def _linkinv(eta: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.maximum(np.exp(eta), _EPS)


def _wls(X: np.ndarray, z: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    """Weighted least squares by QR; returns coefficients and the R factor.

    The R factor is None when X is rank deficient, judged as R's ``dqrdc2``
    does (a column whose norm after orthogonalisation is below 1e-11 times
    its own norm); the coefficients are then the minimum-norm solution.
    """
    sw = np.sqrt(w)
    Xw = X * sw[:, None]
    q, r = np.linalg.qr(Xw)
    if np.all(np.abs(np.diag(r)) > 1e-11 * np.linalg.norm(Xw, axis=0)):
        return np.linalg.solve(r, q.T @ (z * sw)), r
    return np.linalg.lstsq(Xw, z * sw, rcond=None)[0], None


def fit_poisson(X: np.ndarray, y: np.ndarray, *, maxit: int = 25, tol: float = 1e-8) -> PoissonFit:
    """Maximum-likelihood fit of ``y ~ Poisson(exp(X @ coef))``."""
    y = np.asarray(y, dtype=float)
    mu = y + 0.1
    eta = np.log(mu)
    dev_old = poisson_deviance(y, mu)
    coef_old: np.ndarray | None = None
    converged = False
    n_iter = 0
    coef = np.zeros(X.shape[1])
    r_factor: np.ndarray | None = None
    w = mu
    for n_iter in range(1, maxit + 1):  # noqa: B007 - n_iter is reported
        z = eta + (y - mu) / mu
        w = mu
        coef, r_factor = _wls(X, z, w)
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
    pinv_cov = None
    rank = X.shape[1]
    if r_factor is None:
        Xw = X * np.sqrt(w)[:, None]
        rank = int(np.linalg.matrix_rank(Xw))
        pinv_cov = np.linalg.pinv(Xw.T @ Xw)
    return PoissonFit(
        coef=coef,
        mu=mu,
        deviance=poisson_deviance(y, mu),
        loglik=poisson_loglik(y, mu),
        rank=rank,
        converged=converged,
        n_iter=n_iter,
        r_factor=r_factor,
        pinv_cov=pinv_cov,
    )
