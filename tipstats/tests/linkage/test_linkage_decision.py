"""The decision rule when many records have no counterpart (a third, two thirds)."""

import itertools

import numpy as np
import pytest

from tipstats.linkage import (
    MATIS_LSH_BLOCKING,
    MATIS_SCHEMA,
    BloomEncoder,
    Matcher,
    calibrate_dice_threshold,
    dice_threshold_for_precision,
    evaluate_linkage,
    labelled_linkage_set,
)
from tipstats.linkage._calibrate import MATIS_CALIBRATION

CALIBRATION_SECRET = b"calibration-secret-0123456789"
OTHER_SECRET = b"held-out-secret-not-used-to-calibrate"


def hub_link(encoder, left, right, threshold):
    """As the hub links: Dice threshold, every pair above it, LSH blocking."""
    return Matcher(
        blocking=(MATIS_LSH_BLOCKING,),
        score="dice",
        threshold=threshold,
        dice_floor=min(threshold, 0.5),
        one_to_one=False,
        backend="numpy",
    ).link(encoder.encode(left), encoder.encode(right))


def test_the_labelled_set_has_the_asked_share_of_unmatched_records():
    left, right, truth = labelled_linkage_set(300, unmatched_share=2 / 3, seed=3)
    assert len(left) == len(right) == 300
    assert len(truth) == 100
    assert left.index.is_unique and right.index.is_unique
    # counterparts are noisy: not all names are written the same way
    same = sum(left.loc[a, "name"] == right.loc[b, "name"] for a, b in truth)
    assert 0 < same < len(truth)
    swapped = sum(
        left.loc[a, "name"].split()[-1] == right.loc[b, "name"].split()[0] for a, b in truth
    )
    assert swapped > len(truth) // 4  # family name first in about half of them


def test_the_calibration_table_is_what_calibration_gives():
    encoder = BloomEncoder(MATIS_SCHEMA, CALIBRATION_SECRET)
    found = calibrate_dice_threshold(encoder, 0.95, blocking=(MATIS_LSH_BLOCKING,))
    assert found.dice_threshold == MATIS_CALIBRATION[0.95]
    assert min(found.precision.values()) >= 0.95
    assert "precision" in found.summary()


@pytest.mark.parametrize("unmatched_share", [1 / 3, 2 / 3])
def test_calibrated_threshold_holds_its_precision_on_new_people(unmatched_share):
    # other people (seed), another secret: not the set the table was made on
    encoder = BloomEncoder(MATIS_SCHEMA, OTHER_SECRET)
    left, right, truth = labelled_linkage_set(3000, unmatched_share=unmatched_share, seed=101)
    result = hub_link(encoder, left, right, dice_threshold_for_precision(0.95))
    ev = evaluate_linkage(result, truth)
    assert ev.precision >= 0.95
    assert ev.recall >= 0.9


def test_the_old_default_rule_accepts_non_matches_when_most_records_are_unmatched():
    encoder = BloomEncoder(MATIS_SCHEMA, OTHER_SECRET)
    left, right, truth = labelled_linkage_set(3000, unmatched_share=2 / 3, seed=102)
    em = Matcher(blocking=(MATIS_LSH_BLOCKING,), backend="numpy").link(
        encoder.encode(left), encoder.encode(right)
    )
    assert evaluate_linkage(em, truth).precision < 0.95


def test_a_higher_precision_asks_for_a_higher_threshold():
    rows = sorted(MATIS_CALIBRATION.items())
    assert all(a[1] <= b[1] for a, b in itertools.pairwise(rows))
    assert dice_threshold_for_precision(0.95) == MATIS_CALIBRATION[0.95]
    assert dice_threshold_for_precision(0.93) == MATIS_CALIBRATION[0.95]  # conservative
    for bad in (0.0, 0.999, 1.5):
        with pytest.raises(ValueError, match="min_precision"):
            dice_threshold_for_precision(bad)
    assert np.isfinite(dice_threshold_for_precision(0.5))
