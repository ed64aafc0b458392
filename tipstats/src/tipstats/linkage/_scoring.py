"""Match probability from Dice: a two-component beta mixture fitted by EM.

Among the candidate pairs with Dice at or above a floor, the Dice
coefficient is modelled as a mixture of matches and non-matches,

    f(d) = pi * Beta(z; a_m, b_m) + (1 - pi) * Beta(z; a_u, b_u),
    z = (d - floor) / (1 - floor),

fitted by expectation-maximisation (weighted method-of-moments M-step). The
match probability of a pair is the posterior ``pi f_m / f``, made
non-decreasing in Dice (a pair more similar than another is never less
likely to match) by taking at each Dice the smallest posterior at or above
it, the conservative choice where a fitted component has a second mode. No labelled pairs are needed: the model is fitted afresh
on each linkage, so it adapts to how noisy the two sources are.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import betaln

__all__ = ["MatchScoreModel", "fit_match_model"]

_EPS = 1e-4
_GRID = np.linspace(0.0, 1.0, 2001)
_SPARSE_NON_MATCH = (1.0, 30.0)


@dataclass(frozen=True)
class MatchScoreModel:
    """A fitted beta mixture, or the identity (probability = Dice) when it could not be fitted.

    ``prior_match`` is the estimated share of matches among the pairs it was
    fitted on; ``m_alpha, m_beta`` and ``u_alpha, u_beta`` are the beta
    parameters of matches and non-matches on the rescaled Dice scale.
    """

    method: str
    dice_floor: float
    prior_match: float
    m_alpha: float
    m_beta: float
    u_alpha: float
    u_beta: float
    n_pairs_fitted: int
    n_iterations: int
    converged: bool
    log_likelihood: float

    def match_probability(self, dice: np.ndarray) -> np.ndarray:
        """Probability that each pair with these Dice coefficients is a match."""
        dice = np.asarray(dice, dtype=np.float64)
        if self.method == "dice":
            return np.clip(dice, 0.0, 1.0)
        return np.interp(dice, _GRID, self._curve, left=0.0, right=self._curve[-1])

    @property
    def _curve(self) -> np.ndarray:
        curve = self.__dict__.get("_curve_cache")
        if curve is None:
            post = self._posterior(_GRID)
            post[self.dice_floor > _GRID] = 0.0
            curve = np.minimum.accumulate(post[::-1])[::-1]
            object.__setattr__(self, "_curve_cache", curve)
        return curve

    def _posterior(self, dice: np.ndarray) -> np.ndarray:
        z = np.clip((dice - self.dice_floor) / (1.0 - self.dice_floor), _EPS, 1 - _EPS)
        log_z, log_1mz = np.log(z), np.log1p(-z)
        log_m = np.log(self.prior_match) + _beta_logpdf(log_z, log_1mz, self.m_alpha, self.m_beta)
        log_u = np.log1p(-self.prior_match) + _beta_logpdf(
            log_z, log_1mz, self.u_alpha, self.u_beta
        )
        return np.exp(log_m - np.logaddexp(log_m, log_u))

    def dice_at_probability(self, probability: float) -> float:
        """The smallest Dice coefficient whose match probability reaches ``probability``."""
        if self.method == "dice":
            return float(probability)
        above = np.nonzero(self._curve >= probability)[0]
        return float(_GRID[above[0]]) if above.size else float("inf")


def _beta_logpdf(log_z: np.ndarray, log_1mz: np.ndarray, a: float, b: float) -> np.ndarray:
    return (a - 1.0) * log_z + (b - 1.0) * log_1mz - betaln(a, b)


def _beta_moments(z: np.ndarray, weight: np.ndarray) -> tuple[float, float]:
    total = weight.sum()
    mean = float((weight * z).sum() / total)
    var = float((weight * (z - mean) ** 2).sum() / total)
    var = min(max(var, 1e-6), mean * (1 - mean) * 0.999)
    common = mean * (1 - mean) / var - 1
    return mean * common, (1 - mean) * common


def identity_model(dice_floor: float, n_pairs: int = 0) -> MatchScoreModel:
    """The model that takes Dice itself as the match probability."""
    nan = float("nan")
    return MatchScoreModel("dice", dice_floor, nan, nan, nan, nan, nan, n_pairs, 0, False, nan)


def _rescale(dice: np.ndarray, dice_floor: float) -> np.ndarray:
    return np.clip((dice - dice_floor) / (1.0 - dice_floor), _EPS, 1 - _EPS)


def fit_match_model(
    dice: np.ndarray,
    *,
    non_match_dice: np.ndarray | None = None,
    dice_floor: float = 0.0,
    max_iter: int = 300,
    tol: float = 1e-7,
    max_pairs: int = 200_000,
    seed: int = 0,
) -> MatchScoreModel:
    """Fit the beta mixture to the Dice coefficients of candidate pairs.

    Parameters
    ----------
    dice
        Dice coefficients of the pairs to score (pairs below ``dice_floor``
        are ignored).
    non_match_dice
        Dice coefficients of pairs known to be non-matches, such as each
        record's runner-up after 1-to-1 assignment. When at least 20 are
        given, the non-match component is fitted to them once and held
        fixed, and EM estimates only the match component and the prior. With
        fewer than 20 at or above the floor, the non-match component is
        Beta(1, 30) on the rescaled scale: a density falling steeply from the
        floor.
        This keeps the model identifiable when nearly every pair matches
        (or nearly none does), where a free two-component fit splits one
        group in two.
    dice_floor
        The lowest Dice kept; the mixture is fitted on ``[dice_floor, 1]``.
    max_pairs
        At most this many pairs (a seeded random sample) are used to fit.

    Returns the identity model (``method="dice"``) when there are fewer than
    20 pairs or they all have the same Dice.
    """
    rng = np.random.default_rng(seed)
    dice = np.asarray(dice, dtype=np.float64)
    dice = dice[dice >= dice_floor]
    if dice.size > max_pairs:
        dice = rng.choice(dice, size=max_pairs, replace=False)
    if dice.size < 20 or np.ptp(dice) < 1e-3:
        return identity_model(dice_floor, int(dice.size))
    z = _rescale(dice, dice_floor)
    log_z, log_1mz = np.log(z), np.log1p(-z)
    fixed_u = None
    if non_match_dice is not None:
        nm = np.asarray(non_match_dice, dtype=np.float64)
        nm = nm[nm >= dice_floor]
        if nm.size > max_pairs:
            nm = rng.choice(nm, size=max_pairs, replace=False)
        if nm.size >= 20 and np.ptp(nm) >= 1e-3:
            zu = _rescale(nm, dice_floor)
            fixed_u = _beta_moments(zu, np.ones_like(zu))
        elif nm.size < 20:
            # Non-matches hardly ever reach the floor: model their density as
            # falling steeply from it rather than letting EM split the matches.
            fixed_u = _SPARSE_NON_MATCH
    if fixed_u is not None:
        a_u, b_u = fixed_u
        log_fu = _beta_logpdf(log_z, log_1mz, a_u, b_u)
        resp = (log_fu < np.quantile(log_fu, 0.5)).astype(np.float64)
    else:
        median = np.quantile(z, 0.5)
        resp = (z >= median + 0.5 * (1 - median)).astype(np.float64)
        if resp.sum() < 2 or resp.sum() > z.size - 2:
            resp = (z >= median).astype(np.float64)
    resp = np.clip(resp, 0.05, 0.95)
    previous = -np.inf
    converged = False
    loglik = float("nan")
    prior = a_m = b_m = float("nan")
    iteration = 0
    for _ in range(max_iter):
        iteration += 1
        prior = float(np.clip(resp.mean(), 1e-9, 1 - 1e-9))
        a_m, b_m = _beta_moments(z, resp)
        if fixed_u is None:
            a_u, b_u = _beta_moments(z, 1.0 - resp)
            log_fu = _beta_logpdf(log_z, log_1mz, a_u, b_u)
        log_m = np.log(prior) + _beta_logpdf(log_z, log_1mz, a_m, b_m)
        log_u = np.log1p(-prior) + log_fu
        log_total = np.logaddexp(log_m, log_u)
        resp = np.exp(log_m - log_total)
        loglik = float(log_total.sum())
        if abs(loglik - previous) < tol * max(1.0, abs(loglik)):
            converged = True
            break
        previous = loglik
    if fixed_u is None and a_m / (a_m + b_m) < a_u / (a_u + b_u):
        # label the more similar component "match"
        prior, a_m, b_m, a_u, b_u = 1 - prior, a_u, b_u, a_m, b_m
    return MatchScoreModel(
        "em_beta_mixture_fixed_u" if fixed_u is not None else "em_beta_mixture",
        float(dice_floor),
        float(prior),
        float(a_m),
        float(b_m),
        float(a_u),
        float(b_u),
        int(z.size),
        iteration,
        converged,
        loglik,
    )
