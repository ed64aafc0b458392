"""Did a campaign change behaviour? The difference of two proportions with a confidence interval.

A campaign measures one behaviour (e.g. "would check a recruiter's licence")
in a survey before it starts and in another survey after it ends. The two
surveys are independent samples, so the effect is the difference of two
independent proportions, ``p_post - p_pre``, with Newcombe's hybrid score
interval (Newcombe 1998, method 10), built from the two Wilson score
intervals. Unlike the simple Wald interval it stays inside [-1, 1] and keeps
its coverage when a proportion is near 0 or 1 or a survey is small. The Wald
interval is reported too, because it is the one most readers can check by hand.

Pure arithmetic: no Django, so it can move to ``tipstats.effects`` unchanged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist


@dataclass(frozen=True)
class ProportionDifference:
    """Change in a proportion from a before-survey to an after-survey."""

    n_before: int
    positive_before: int
    n_after: int
    positive_after: int
    p_before: float
    p_after: float
    difference: float
    ci_low: float
    ci_high: float
    wald_ci_low: float
    wald_ci_high: float
    std_err: float
    alpha: float

    @property
    def verdict(self) -> str:
        """``improved`` / ``worsened`` when the interval excludes 0, else ``no_evidence``."""
        if self.ci_low > 0:
            return "improved"
        if self.ci_high < 0:
            return "worsened"
        return "no_evidence"

    def summary(self) -> str:
        level = round(100 * (1 - self.alpha), 1)
        return (
            f"before {self.positive_before}/{self.n_before} = {self.p_before:.3f}, "
            f"after {self.positive_after}/{self.n_after} = {self.p_after:.3f}; "
            f"difference {self.difference:+.3f}, {level:g}% CI {self.ci_low:+.3f} to "
            f"{self.ci_high:+.3f} (Newcombe); Wald {self.wald_ci_low:+.3f} to "
            f"{self.wald_ci_high:+.3f}"
        )


def wilson_interval(positive: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a single proportion."""
    p = positive / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _check(positive: int, n: int, which: str) -> None:
    if not isinstance(n, int) or not isinstance(positive, int):
        raise ValueError(f"{which}: counts must be whole numbers")
    if n <= 0:
        raise ValueError(f"{which}: the survey must have at least one respondent (n={n})")
    if not 0 <= positive <= n:
        raise ValueError(f"{which}: {positive} positive answers out of {n} respondents")


def proportion_difference(
    *, positive_before: int, n_before: int, positive_after: int, n_after: int, alpha: float = 0.05
) -> ProportionDifference:
    """Effect of a campaign: ``p_after - p_before`` with Newcombe and Wald intervals.

    Parameters
    ----------
    positive_before, n_before : int
        Respondents showing the behaviour, and respondents, in the survey before.
    positive_after, n_after : int
        The same in the survey after.
    alpha : float, default 0.05
        1 - confidence level.
    """
    _check(positive_before, n_before, "before")
    _check(positive_after, n_after, "after")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be strictly between 0 and 1; got {alpha!r}")
    z = NormalDist().inv_cdf(1 - alpha / 2)
    p1, p2 = positive_before / n_before, positive_after / n_after
    difference = p2 - p1
    l1, u1 = wilson_interval(positive_before, n_before, z)
    l2, u2 = wilson_interval(positive_after, n_after, z)
    low = difference - math.sqrt((p2 - l2) ** 2 + (u1 - p1) ** 2)
    high = difference + math.sqrt((u2 - p2) ** 2 + (p1 - l1) ** 2)
    se = math.sqrt(p1 * (1 - p1) / n_before + p2 * (1 - p2) / n_after)
    return ProportionDifference(
        n_before=n_before,
        positive_before=positive_before,
        n_after=n_after,
        positive_after=positive_after,
        p_before=p1,
        p_after=p2,
        difference=difference,
        ci_low=low,
        ci_high=high,
        wald_ci_low=difference - z * se,
        wald_ci_high=difference + z * se,
        std_err=se,
        alpha=alpha,
    )
