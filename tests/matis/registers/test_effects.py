"""A campaign's pre/post effect: the difference of two proportions with its interval."""

import pytest

from matis.registers.effects import proportion_difference, wilson_interval

Z95 = 1.959963984540054


def test_hand_checked_campaign_example():
    """120 of 400 before, 180 of 400 after, worked by hand:

    p_before = 0.30, p_after = 0.45, difference = +0.15.
    Wilson 95% intervals (z = 1.959964, z^2 = 3.841459):
      120/400: centre = (0.30 + 3.841459/800) / (1 + 3.841459/400) = 0.301903,
               half   = z * sqrt(0.3*0.7/400 + 3.841459/640000) / 1.009604 = 0.044734
               -> 0.257168 to 0.346637
      180/400: -> 0.401952 to 0.498999
    Newcombe: low  = 0.15 - sqrt((0.45-0.401952)^2 + (0.346637-0.30)^2) = 0.15 - 0.066960
                   = 0.083040
              high = 0.15 + sqrt((0.498999-0.45)^2 + (0.30-0.257168)^2) = 0.15 + 0.065081
                   = 0.215081
    Wald:     se = sqrt(0.3*0.7/400 + 0.45*0.55/400) = 0.0338194
              0.15 -/+ 1.959964 * 0.0338194 = 0.083715 to 0.216285
    """
    effect = proportion_difference(
        positive_before=120, n_before=400, positive_after=180, n_after=400
    )
    assert effect.p_before == pytest.approx(0.30)
    assert effect.p_after == pytest.approx(0.45)
    assert effect.difference == pytest.approx(0.15)
    assert wilson_interval(120, 400, Z95) == pytest.approx((0.257168, 0.346637), abs=1e-6)
    assert wilson_interval(180, 400, Z95) == pytest.approx((0.401952, 0.498999), abs=1e-6)
    assert effect.ci_low == pytest.approx(0.083040, abs=1e-6)
    assert effect.ci_high == pytest.approx(0.215081, abs=1e-6)
    assert effect.std_err == pytest.approx(0.0338194, abs=1e-7)
    assert effect.wald_ci_low == pytest.approx(0.083715, abs=1e-6)
    assert effect.wald_ci_high == pytest.approx(0.216285, abs=1e-6)
    assert effect.verdict == "improved"


def test_newcombe_published_example_and_statsmodels():
    """Newcombe (1998), Stat Med 17:873, example 56/70 vs 48/80: method 10 gives 0.0524 to 0.3339."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    effect = proportion_difference(positive_before=48, n_before=80, positive_after=56, n_after=70)
    assert effect.difference == pytest.approx(0.2)
    assert (round(effect.ci_low, 4), round(effect.ci_high, 4)) == (0.0524, 0.3339)
    for k1, n1, k2, n2 in [(5, 12, 11, 13), (0, 30, 4, 25), (90, 100, 60, 100), (7, 7, 7, 7)]:
        ours = proportion_difference(positive_before=k1, n_before=n1, positive_after=k2, n_after=n2)
        low, high = confint_proportions_2indep(k2, n2, k1, n1, method="newcomb", compare="diff")
        assert (ours.ci_low, ours.ci_high) == pytest.approx((low, high), abs=1e-9)
        low, high = confint_proportions_2indep(k2, n2, k1, n1, method="wald", compare="diff")
        assert (ours.wald_ci_low, ours.wald_ci_high) == pytest.approx((low, high), abs=1e-9)


def test_verdicts_follow_the_interval():
    assert (
        proportion_difference(
            positive_before=60, n_before=150, positive_after=66, n_after=150
        ).verdict
        == "no_evidence"
    )
    assert (
        proportion_difference(
            positive_before=90, n_before=100, positive_after=60, n_after=100
        ).verdict
        == "worsened"
    )


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"positive_before": 5, "n_before": 0, "positive_after": 1, "n_after": 10}, "before"),
        ({"positive_before": 5, "n_before": 4, "positive_after": 1, "n_after": 10}, "5 positive"),
        ({"positive_before": 1, "n_before": 4, "positive_after": -1, "n_after": 10}, "after"),
    ],
)
def test_impossible_surveys_are_refused(kwargs, message):
    with pytest.raises(ValueError, match=message):
        proportion_difference(**kwargs)
