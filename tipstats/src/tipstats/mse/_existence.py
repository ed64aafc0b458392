"""Existence and identifiability of the maximum likelihood estimate.

Mirrors SparseMSE's ``checkident``. For a log-linear model with design ``X``
(rows = patterns kept in the fit) and observed counts ``y`` the sufficient
statistics are ``t = X' y``. Fienberg & Rinaldo (2012): the (extended) MLE
exists, with every fitted cell strictly positive, iff some strictly positive
table ``x`` has the same sufficient statistics, ``X' x = t``. SparseMSE
checks this with the linear program

    maximise s  subject to  X' x = t,  x_w >= s for every pattern w,  x, s >= 0

whose optimum is zero exactly when the MLE does not exist. We solve the same
problem with ``scipy.optimize.linprog`` (HiGHS), after substituting
``x = u + s`` so that only equality constraints and bounds remain.
Identifiability is full column rank of ``X``.

Model selection fits each candidate model anyway, so before solving the LP
we try a cheaper proof of existence: if the fitted means are bounded away
from zero and a tiny correction makes them satisfy ``X' x = t`` exactly
while staying positive, that ``x`` is the strictly positive table the LP
looks for. Only when this certificate fails is the LP solved, so every
"does not exist" verdict comes from the LP, as in SparseMSE.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import linprog

from ._data import CaptureData
from ._design import Design, Pair, build_design
from ._glm import PoissonFit

__all__ = ["Check", "check_model", "lp_max_min_cell", "positive_table_certificate"]


@dataclass(frozen=True)
class Check:
    exists: bool
    identifiable: bool
    lp_value: float  # NaN when existence was proved without the LP

    @property
    def ok(self) -> bool:
        return self.exists and self.identifiable

    @property
    def error_code(self) -> int:
        """SparseMSE's ``ierr``: 0 fine, 1 MLE does not exist, 2 not identifiable, 3 both."""
        return int(not self.exists) + 2 * int(not self.identifiable)


def lp_max_min_cell(X: np.ndarray, y: np.ndarray) -> float:
    """Largest ``s`` such that a table with every cell >= ``s`` has ``X'x = X'y``.

    Returns 0 (up to solver tolerance) when the MLE does not exist.
    """
    A = X.T
    t = A @ y
    n_cells = X.shape[0]
    # x = u + s * 1 with u >= 0:  A u + (A 1) s = t
    A_eq = np.hstack([A, A.sum(axis=1, keepdims=True)])
    c = np.zeros(n_cells + 1)
    c[-1] = -1.0
    res = linprog(c, A_eq=A_eq, b_eq=t, bounds=(0, None), method="highs")
    if res.status != 0:
        return 0.0
    return float(res.x[-1])


def positive_table_certificate(X: np.ndarray, y: np.ndarray, mu: np.ndarray) -> bool:
    """True if ``mu``, corrected to satisfy ``X' x = X' y`` exactly, is strictly positive.

    A True answer proves the MLE exists; False proves nothing.
    """
    scale = max(1.0, float(y.sum()) / len(y))
    if not np.all(np.isfinite(mu)) or mu.min() < 1e-6 * scale:
        return False
    resid = X.T @ (y - mu)
    # minimum-norm delta with X' delta = resid
    delta = X @ np.linalg.lstsq(X.T @ X, resid, rcond=None)[0]
    x = mu + delta
    return bool(
        x.min() > 1e-6 * scale and np.allclose(X.T @ x, X.T @ y, rtol=1e-9, atol=1e-9 * scale)
    )


def check_model(
    data: CaptureData,
    pairs: Iterable[Pair],
    design: Design | None = None,
    fit: PoissonFit | None = None,
) -> Check:
    """SparseMSE ``checkident`` for main effects plus ``pairs`` on ``data``.

    ``design`` (from :func:`build_design` with structural zeros) and ``fit``
    (its Poisson fit) may be passed to save work; with ``fit`` the cheap
    existence certificate is tried before the linear program.
    """
    if design is None:
        design = build_design(data, pairs)
    identifiable = int(np.linalg.matrix_rank(design.X)) == design.X.shape[1]
    if fit is not None and positive_table_certificate(design.X, design.y, fit.mu):
        return Check(exists=True, identifiable=identifiable, lp_value=float("nan"))
    value = lp_max_min_cell(design.X, design.y)
    tol = 1e-8 * max(1.0, float(design.y.sum()))
    return Check(exists=value > tol, identifiable=identifiable, lp_value=value)
