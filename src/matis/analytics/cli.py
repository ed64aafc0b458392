"""``matis analytics mse FILE``: run an estimate from the command line (no database needed)."""

from __future__ import annotations

import argparse


def _cmd_mse(args: argparse.Namespace) -> int:
    import pandas as pd

    from tipstats import mse

    table = pd.read_csv(args.file)

    def progress(done: int, total: int) -> None:
        if done == total or done % max(total // 20, 1) == 0:
            print(f"  bootstrap {done}/{total}", flush=True)

    result = mse.fit(
        table,
        count=args.count,
        method=args.method,
        threshold=args.threshold,
        interval=args.interval,
        n_boot=args.n_boot,
        seed=args.seed,
        n_jobs=args.jobs,
        progress=progress,
    )
    print(result.summary())
    if args.compare:
        view = mse.compare(table, count=args.count, seed=20111 if args.seed is None else args.seed)
        print("\nEvery method side by side:")
        print(view.drop(columns="error").to_string(index=False, float_format="{:,.0f}".format))
    return 0


def add_commands(subparsers, setup) -> None:
    parser = subparsers.add_parser("analytics", help="research analytics with tipstats")
    sub = parser.add_subparsers(dest="analytics_command", required=True)
    mse_parser = sub.add_parser(
        "mse", help="multiple systems estimation from a capture-history CSV"
    )
    mse_parser.add_argument("file")
    mse_parser.add_argument("--count", default="count")
    mse_parser.add_argument(
        "--method",
        default="sparse_stepwise",
        choices=["sparse_stepwise", "aic_stepwise", "main_effects", "lcmcr", "logit_normal"],
    )
    mse_parser.add_argument("--threshold", type=float, default=0.02)
    mse_parser.add_argument("--interval", default="profile", choices=["profile", "bca"])
    mse_parser.add_argument("--n-boot", type=int, default=1000)
    mse_parser.add_argument("--seed", type=int, default=None)
    mse_parser.add_argument("--jobs", type=int, default=1)
    mse_parser.add_argument(
        "--compare", action="store_true", help="also print every method's estimate side by side"
    )
    mse_parser.set_defaults(func=_cmd_mse)
