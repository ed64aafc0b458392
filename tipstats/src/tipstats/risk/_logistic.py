"""Logistic regression reported as odds ratios (private; see :mod:`tipstats.risk`)."""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

from ._validation import check_alpha, check_columns, check_dataframe, complete_rows, to_binary

INTERCEPT = "Intercept"


@dataclass(frozen=True, eq=False)
class LogisticRegressionResult:
    """Adjusted odds ratios from a logistic regression.

    Attributes
    ----------
    odds_ratios : DataFrame
        One row per model term with columns ``term``, ``variable``,
        ``level`` (the level compared, for categorical predictors),
        ``reference`` (the level it is compared with), ``odds_ratio``,
        ``ci_low``, ``ci_high``, ``p_value``, ``coef`` (log odds ratio) and
        ``std_err``.  The ``Intercept`` row holds the baseline odds (all
        predictors at zero / reference level), not an odds ratio.
    n : int
        Records used in the fit.
    n_events : int
        Records with outcome 1.
    n_dropped : int
        Records excluded because the outcome or a predictor was missing.
    log_likelihood, null_log_likelihood : float
        Log-likelihood of the model and of the intercept-only model.
    pseudo_r2 : float
        McFadden's pseudo R-squared, ``1 - log_likelihood / null_log_likelihood``.
    lr_p_value : float
        p-value of the likelihood-ratio test against the intercept-only model.
    aic : float
        Akaike information criterion.
    converged : bool
        Whether the maximum likelihood fit converged.
    perfect_separation : bool
        True if statsmodels detected perfect separation (some predictor
        pattern predicts the outcome exactly); the odds ratios are then not
        identified and should not be reported.
    alpha : float
        Significance level of the confidence intervals.
    statsmodels_result : object
        The underlying ``statsmodels`` ``LogitResults`` for further analysis.
    """

    odds_ratios: pd.DataFrame
    n: int
    n_events: int
    n_dropped: int
    log_likelihood: float
    null_log_likelihood: float
    pseudo_r2: float
    lr_p_value: float
    aic: float
    converged: bool
    perfect_separation: bool
    alpha: float
    statsmodels_result: Any = field(repr=False)

    def summary(self) -> str:
        """Return a plain-text table of odds ratios with fit statistics."""
        level = round(100 * (1 - self.alpha), 1)
        table = self.odds_ratios[["term", "odds_ratio", "ci_low", "ci_high", "p_value"]].rename(
            columns={
                "odds_ratio": "odds ratio",
                "ci_low": f"{level:g}% CI low",
                "ci_high": f"{level:g}% CI high",
                "p_value": "p-value",
            }
        )
        lines = [
            "Logistic regression (odds ratios)",
            f"  records {self.n} (outcome = 1: {self.n_events}), "
            f"McFadden pseudo R2 {self.pseudo_r2:.3f}, LR test p = {self.lr_p_value:.4g}",
            table.to_string(index=False, float_format=lambda v: f"{v:.4g}"),
            "Intercept row: baseline odds with every predictor at zero / reference level.",
        ]
        if self.n_dropped:
            lines.append(f"Note: {self.n_dropped} record(s) with missing values were excluded.")
        if self.perfect_separation:
            lines.append("WARNING: perfect separation - these odds ratios are not identified.")
        elif not self.converged:
            lines.append("WARNING: the fit did not converge.")
        return "\n".join(lines)


def _design(
    data: pd.DataFrame,
    predictors: Sequence[Hashable],
    categorical: Sequence[Hashable],
    reference: Mapping[Hashable, object],
) -> tuple[pd.DataFrame, list[dict[str, object]]]:
    """Build the design matrix (with intercept) and the description of each column."""
    columns: dict[str, np.ndarray] = {INTERCEPT: np.ones(len(data))}
    terms: list[dict[str, object]] = [
        {"term": INTERCEPT, "variable": INTERCEPT, "level": None, "reference": None}
    ]
    for name in predictors:
        series = data[name]
        if name in categorical:
            if isinstance(series.dtype, pd.CategoricalDtype):
                levels = [v for v in series.cat.categories if (series == v).any()]
            else:
                levels = sorted(series.unique().tolist(), key=lambda v: (str(type(v)), v))
            ref = reference.get(name, levels[0] if levels else None)
            if ref not in levels:
                raise ValueError(
                    f"reference level {ref!r} for column {name!r} does not occur in the data; "
                    f"levels are {levels!r}"
                )
            for level in levels:
                if level == ref:
                    continue
                term = f"{name}[{level}]"
                columns[term] = (series == level).to_numpy(dtype=float)
                terms.append({"term": term, "variable": name, "level": level, "reference": ref})
        else:
            # bool is accepted too: is_numeric_dtype is True for it
            if pd.api.types.is_numeric_dtype(series.dtype):
                values = series.to_numpy(dtype=float)
            else:
                raise ValueError(
                    f"predictor column {name!r} is not numeric; list it in categorical= "
                    "to compare its levels"
                )
            columns[str(name)] = values
            terms.append({"term": str(name), "variable": name, "level": None, "reference": None})
    design = pd.DataFrame(columns, index=data.index)
    # name the first column that adds nothing new (constant or collinear)
    matrix = design.to_numpy()
    for k in range(1, matrix.shape[1] + 1):
        if np.linalg.matrix_rank(matrix[:, :k]) < k:
            raise ValueError(
                f"design column {design.columns[k - 1]!r} is constant or a linear combination "
                "of earlier predictors; drop it or merge levels"
            )
    return design, terms


def logistic_regression(
    df: pd.DataFrame,
    *,
    outcome: Hashable,
    predictors: Sequence[Hashable],
    categorical: Sequence[Hashable] = (),
    reference: Mapping[Hashable, object] | None = None,
    outcome_level: object = None,
    alpha: float = 0.05,
) -> LogisticRegressionResult:
    """Fit a logistic regression and report adjusted odds ratios with confidence intervals.

    Parameters
    ----------
    df : DataFrame
        One row per subject.
    outcome : str
        Binary outcome column (0/1 or True/False, or see ``outcome_level``).
    predictors : sequence of str
        Predictor columns.  Numeric and boolean columns enter as they are
        (odds ratio per one-unit increase); columns listed in ``categorical``
        are expanded into indicator variables.
    categorical : sequence of str, optional
        Predictors to treat as categorical.  Each non-reference level gets an
        odds ratio against the reference level.
    reference : mapping, optional
        Reference level per categorical column, e.g.
        ``{"group": "non_migrant"}``.  Default: the first category of a pandas
        Categorical, otherwise the smallest value.
    outcome_level : object, optional
        Value of ``outcome`` that counts as 1 when the column is not binary.
    alpha : float, default 0.05
        Significance level of the confidence intervals.

    Returns
    -------
    LogisticRegressionResult

    Raises
    ------
    ValueError
        If a column is missing, the outcome is not binary or has a single
        value, a non-categorical predictor is not numeric, a reference level
        does not occur, or a design column is constant or collinear.

    Notes
    -----
    Fitted by maximum likelihood with :class:`statsmodels.api.Logit`; Wald
    confidence intervals ``exp(coef +/- z * se)``.  Records with any missing
    value in the outcome or predictors are excluded (``n_dropped``).
    """
    check_dataframe(df)
    alpha = check_alpha(alpha)
    predictors = list(predictors)
    categorical = list(categorical)
    reference = dict(reference or {})
    if not predictors:
        raise ValueError("predictors must name at least one column")
    check_columns(df, {"outcome": outcome})
    check_columns(df, {f"predictors[{i}]": p for i, p in enumerate(predictors)})
    for name in categorical:
        if name not in predictors:
            raise ValueError(f"categorical column {name!r} is not among the predictors")
    for name in reference:
        if name not in categorical:
            raise ValueError(f"reference given for {name!r}, which is not in categorical=")
    if outcome in predictors:
        raise ValueError(f"column {outcome!r} is both the outcome and a predictor")

    data = df[predictors].copy()
    data["__outcome__"] = to_binary(df[outcome], outcome, outcome_level)
    data, n_dropped = complete_rows(data, [*predictors, "__outcome__"])
    y = data.pop("__outcome__").to_numpy()
    if len(y) == 0:
        raise ValueError("no complete records to analyse")
    if np.all(y == y[0]):
        raise ValueError(f"outcome column {outcome!r} takes only one value among complete records")
    design, terms = _design(data, predictors, categorical, reference)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = sm.Logit(y, design).fit(disp=0, maxiter=100)
    separation = any(issubclass(w.category, PerfectSeparationWarning) for w in caught)
    for w in caught:
        if not issubclass(w.category, PerfectSeparationWarning | ConvergenceWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    converged = bool(fit.mle_retvals.get("converged", True))
    if separation:
        warnings.warn(
            "perfect separation: a predictor pattern predicts the outcome exactly, so the "
            "odds ratios are not identified. Merge sparse levels or use odds_ratio(method="
            "'exact') for a single factor",
            RuntimeWarning,
            stacklevel=2,
        )
    elif not converged:
        warnings.warn("the logistic regression did not converge", RuntimeWarning, stacklevel=2)

    ci = np.asarray(fit.conf_int(alpha=alpha))
    params = np.asarray(fit.params)
    table = pd.DataFrame(terms)
    with np.errstate(over="ignore"):  # huge coefficients under separation -> inf
        table["odds_ratio"] = np.exp(params)
        table["ci_low"] = np.exp(ci[:, 0])
        table["ci_high"] = np.exp(ci[:, 1])
    table["p_value"] = np.asarray(fit.pvalues)
    table["coef"] = params
    table["std_err"] = np.asarray(fit.bse)
    llf, llnull = float(fit.llf), float(fit.llnull)
    return LogisticRegressionResult(
        odds_ratios=table,
        n=len(y),
        n_events=int(y.sum()),
        n_dropped=n_dropped,
        log_likelihood=llf,
        null_log_likelihood=llnull,
        pseudo_r2=1 - llf / llnull if llnull != 0 else math.nan,
        lr_p_value=float(fit.llr_pvalue),
        aic=float(fit.aic),
        converged=converged,
        perfect_separation=separation,
        alpha=alpha,
        statsmodels_result=fit,
    )
