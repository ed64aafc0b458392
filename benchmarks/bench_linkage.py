"""Benchmark of privacy-preserving linkage (issue 7, "Must show").

Prints:

1. FEBRL4 (5,000 + 5,000 records): precision and recall of matching the
   Bloom-filter encodings, beside matching the same records in plain text
   (exact q-gram sets, same weights, same matcher). Targets >= 0.99 each; the
   clkhash tutorial reached precision 1.000, recall 0.992.
2. Comparisons per second of our matcher as a ratio to ``anonlink`` on the same
   encodings in the same run (target >= 1), kernel against kernel: one thread
   against one thread, and all cores against anonlink in as many processes.
3. Wall time of a ``--big-n`` x ``--big-n`` linkage with blocking (default
   1,000,000 x 1,000,000) on synthetic records made here.
4. F1 on the synthetic cross-script benchmark (the same people written in
   Thai, Khmer, Lao, Burmese, Chinese, Vietnamese and Latin script, with
   typical errors).

Run: ``.venv/bin/python benchmarks/bench_linkage.py`` (``--big-n 100000`` for a
quick run, ``--skip-big`` to leave part 3 out).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tipstats" / "tests" / "linkage"))

from febrl import febrl_schema, load_febrl4  # noqa: E402

from tipstats.linkage import (  # noqa: E402
    MATIS_LSH_BLOCKING,
    MATIS_SCHEMA,
    BloomEncoder,
    Encodings,
    LSHBlocking,
    Matcher,
    dice_all_pairs,
    evaluate_linkage,
)
from tipstats.linkage._kernels import KERNEL  # noqa: E402
from tipstats.linkage._synthetic import (  # noqa: E402
    SCRIPTS,
    cross_script_benchmark,
    render_people,
    synthetic_people,
)

SECRET = b"benchmark-only-secret-never-use-in-production"


def plaintext_encodings(frames: list[pd.DataFrame], schema) -> list[Encodings]:
    """Each distinct token of each field gets its own bits (k / min k of them, no sharing).

    Dice on these vectors is the exact weighted Dice of the plain q-gram sets:
    matching them is plaintext matching with the weights of the encoding.
    """
    min_k = min(f.k for f in schema.fields)
    vocabulary: dict[str, int] = {}
    token_lists = []
    for frame in frames:
        rows = []
        for _, record in frame.iterrows():
            bits = []
            for spec in schema.fields:
                for token in spec.tokens(record[spec.column]):
                    for copy in range(spec.k // min_k):
                        key = f"{spec.label}\x00{token}\x00{copy}"
                        bits.append(vocabulary.setdefault(key, len(vocabulary)))
            rows.append(bits)
        token_lists.append(rows)
    width = -(-len(vocabulary) // 64) * 64
    out = []
    for frame, rows in zip(frames, token_lists, strict=True):
        dense = np.zeros((len(frame), width), dtype=bool)
        for r, bits in enumerate(rows):
            dense[r, bits] = True
        out.append(Encodings(frame.index.to_numpy(), np.packbits(dense, axis=1), "plaintext"))
    return out


def as_bitarrays(enc: Encodings):
    from bitarray import bitarray

    out = []
    for raw in enc.to_bytes():
        bits = bitarray(endian="big")
        bits.frombytes(raw)
        out.append(bits)
    return out


def part_febrl() -> tuple[Encodings, Encodings]:
    print("\n1. FEBRL4: encoded vs plaintext matching")
    print("-" * 72)
    a, b, truth = load_febrl4()
    schema = febrl_schema()
    t = time.perf_counter()
    encoder = BloomEncoder(schema, SECRET)
    ea, eb = encoder.encode(a), encoder.encode(b)
    encode_s = time.perf_counter() - t
    matcher = Matcher()
    matcher.link(ea.take(np.arange(50)), eb.take(np.arange(50)))  # compile / warm up
    rows = []
    encoded = matcher.link(ea, eb)
    ev = evaluate_linkage(encoded, truth)
    rows.append(("encoded (1024-bit CLKs, HMAC-SHA256)", ev, encoded))
    pa, pb = plaintext_encodings([a, b], schema)
    plain = matcher.link(pa, pb)
    evp = evaluate_linkage(plain, truth)
    rows.append((f"plaintext (exact q-gram sets, {pa.filter_bits} tokens)", evp, plain))
    print(
        f"records {len(a):,} + {len(b):,}, true pairs {len(truth):,}; encoding took {encode_s:.2f} s"
    )
    print(f"{'matching':44s} {'precision':>9s} {'recall':>7s} {'F1':>7s} {'Dice thr':>8s}")
    for label, e, r in rows:
        print(f"{label:44s} {e.precision:9.4f} {e.recall:7.4f} {e.f1:7.4f} {r.dice_threshold:8.3f}")
    print("reference: clkhash tutorial on FEBRL4 with anonlink: precision 1.000, recall 0.992")
    return ea, eb


_ANON: dict = {}


def _anonlink_chunk(bounds: tuple[int, int]) -> int:
    """One process's share of an all-cores anonlink run (rows lo:hi of the left side)."""
    from anonlink import candidate_generation, similarities

    lo, hi = bounds
    sims, _, _ = candidate_generation.find_candidate_pairs(
        [_ANON["a"][lo:hi], _ANON["b"]], similarities.dice_coefficient_accelerated, _ANON["t"]
    )
    return len(sims)


def part_speed(ea: Encodings, eb: Encodings, repeats: int) -> None:
    """Kernel against kernel: anonlink's C++ Dice against ours, on one thread and on all cores.

    anonlink's candidate generation is single-threaded; on all cores it is run the
    way its own entity service scales it, as chunks of the left side in separate
    processes (a fork pool started before timing). Each ratio compares the same
    number of threads.
    """
    import multiprocessing
    import os

    print("\n2. Comparisons per second, same encodings, same run (all 25,000,000 pairs)")
    print("-" * 72)
    try:
        from anonlink import candidate_generation, similarities
    except ImportError:
        print("anonlink is not installed (pip install -e '.[dev]'); no ratio")
        return
    import numba

    threshold = Matcher().dice_floor
    clks_a, clks_b = as_bitarrays(ea), as_bitarrays(eb)
    n = len(ea) * len(eb)
    cores = os.cpu_count() or 1
    _ANON.update(a=clks_a, b=clks_b, t=threshold)
    step = -(-len(clks_a) // cores)
    chunks = [(lo, min(lo + step, len(clks_a))) for lo in range(0, len(clks_a), step)]
    pool = multiprocessing.get_context("fork").Pool(cores)
    pool.map(_anonlink_chunk, [(0, 1)] * cores)  # start the workers before timing

    def anon_one():
        sims, _, _ = candidate_generation.find_candidate_pairs(
            [clks_a, clks_b], similarities.dice_coefficient_accelerated, threshold
        )
        return len(sims)

    def anon_all():
        return sum(pool.map(_anonlink_chunk, chunks))

    def ours(threads):
        def run():
            previous = numba.get_num_threads()
            numba.set_num_threads(threads)
            try:
                return len(dice_all_pairs(ea, eb, threshold=threshold)[0])
            finally:
                numba.set_num_threads(previous)

        return run

    runs = {
        "anonlink 0.15.3 (C++), 1 thread": anon_one,
        "tipstats, 1 thread": ours(1),
        f"anonlink 0.15.3 (C++), {cores} processes": anon_all,
        f"tipstats, {cores} threads": ours(cores),
    }
    ours(1)()  # warm up (JIT)
    best: dict[str, float] = {}
    found: dict[str, int] = {}
    try:
        for _ in range(repeats):
            for label, run in runs.items():
                t = time.perf_counter()
                found[label] = run()
                best[label] = min(best.get(label, np.inf), time.perf_counter() - t)
    finally:
        pool.close()
        pool.join()
    print(f"threshold Dice >= {threshold}; best of {repeats} interleaved runs; kernel: {KERNEL}")
    print(f"{'matcher':38s} {'seconds':>8s} {'comparisons/s':>15s} {'ratio':>6s} {'pairs':>7s}")
    labels = list(runs)
    for base, mine in ((labels[0], labels[1]), (labels[2], labels[3])):
        for label in (base, mine):
            rate = n / best[label]
            ratio = best[base] / best[label]
            print(f"{label:38s} {best[label]:8.3f} {rate:15,.0f} {ratio:6.2f} {found[label]:7,}")
    print("ratio: anonlink's time / ours on the same number of threads (> 1: ours is faster)")


def big_registers(n: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, set]:
    """Two registers of ``n`` records; half of the right one are people of the left one."""
    rng = np.random.default_rng(seed)
    n_shared = n // 2
    # Two- and three-syllable given names, flatter popularity: ~10^6 distinct names, so a
    # million people are not mostly namesakes (the cross-script set keeps short names).
    people = synthetic_people(n + (n - n_shared), seed=seed, given_syllables=(2, 3), popularity=0.4)
    left_people = people.iloc[:n]
    shared = rng.choice(n, size=n_shared, replace=False)
    right_people = pd.concat([left_people.iloc[shared], people.iloc[n:]])
    left = render_people(left_people, rng.choice(SCRIPTS, size=n), seed=seed + 1)
    right = render_people(right_people, rng.choice(SCRIPTS, size=n), seed=seed + 2)
    right.index = pd.RangeIndex(n, 2 * n)
    truth = {(int(shared_row), n + k) for k, shared_row in enumerate(shared)}
    return left, right, truth


def part_big(n: int) -> None:
    print(f"\n3. {n:,} x {n:,} linkage with blocking (synthetic, seven scripts)")
    print("-" * 72)
    t = time.perf_counter()
    left, right, truth = big_registers(n, seed=11)
    make_s = time.perf_counter() - t
    t = time.perf_counter()
    encoder = BloomEncoder(MATIS_SCHEMA, SECRET)
    el, er = encoder.encode(left), encoder.encode(right)
    encode_s = time.perf_counter() - t
    del left, right
    # the hardened MATIS schema sends no blocking tokens: LSH on the filters only
    blocking = (LSHBlocking(n_bands=12, bits_per_band=48),)
    matcher = Matcher(blocking=blocking)
    result = matcher.link(el, er)
    ev = evaluate_linkage(result, truth)
    print(f"records made in {make_s:.1f} s, encoded in {encode_s:.1f} s (not part of the linkage)")
    print(f"blocking: {result.blocking}")
    print(f"candidate pairs {result.n_comparisons:,} of {n * n:,} "
          f"(reduction ratio {result.reduction_ratio:.8f}); skipped {result.n_pairs_skipped:,}")  # fmt: skip
    print("linkage wall time: " + ", ".join(f"{k} {v:.1f} s" for k, v in result.seconds.items()))
    print(f"planted pairs {len(truth):,}: precision {ev.precision:.4f}, recall {ev.recall:.4f}, "
          f"F1 {ev.f1:.4f}, pairs completeness {ev.pairs_completeness:.4f}")  # fmt: skip


def part_cross_script(n_people: int, seeds: list[int]) -> None:
    print(f"\n4. Cross-script synthetic benchmark ({n_people:,} + {n_people:,} records per seed)")
    print("-" * 72)
    encoder = BloomEncoder(MATIS_SCHEMA, SECRET)
    rows, by_script = [], []
    for seed in seeds:
        left, right, truth = cross_script_benchmark(n_people, seed=seed)
        el, er = encoder.encode(left), encoder.encode(right)
        for label, matcher in [
            ("all pairs", Matcher()),
            ("blocking: the hub's LSH", Matcher(blocking=(MATIS_LSH_BLOCKING,))),
        ]:
            result = matcher.link(el, er)
            ev = evaluate_linkage(result, truth)
            rows.append((label, seed, ev.precision, ev.recall, ev.f1))
            if label == "all pairs":
                found = result.matched_id_pairs()
                for a, b in truth:
                    hit = (a, b) in found
                    by_script += [(left.loc[a, "script"], hit), (right.loc[b, "script"], hit)]
    frame = pd.DataFrame(rows, columns=["matcher", "seed", "precision", "recall", "F1"])
    print(frame.to_string(index=False, float_format=lambda x: f"{x:.4f}"))
    print(frame.groupby("matcher")[["precision", "recall", "F1"]].mean().round(4).to_string())
    recall = pd.DataFrame(by_script, columns=["script", "found"]).groupby("script")["found"].mean()
    print("recall of true pairs with one record in each script (all pairs):")
    print(recall.round(3).to_string())


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-n", type=int, default=1_000_000, help="records per side in part 3")
    parser.add_argument("--skip-big", action="store_true", help="leave out part 3")
    parser.add_argument("--parts", default="1234", help="which parts to run, e.g. 13")
    parser.add_argument("--repeats", type=int, default=5, help="timing repeats in part 2")
    parser.add_argument("--cross-n", type=int, default=2000, help="people per side in part 4")
    args = parser.parse_args(argv)
    print("tipstats.linkage benchmark")
    print("=" * 72)
    if "1" in args.parts or "2" in args.parts:
        ea, eb = part_febrl()
        if "2" in args.parts:
            part_speed(ea, eb, args.repeats)
    if "4" in args.parts:
        part_cross_script(args.cross_n, seeds=[1, 2, 3])
    if "3" in args.parts and not args.skip_big:
        part_big(args.big_n)


if __name__ == "__main__":
    main()
