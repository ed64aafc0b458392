"""``matis justice measures``: the criminal-justice measures (investigations to compensation) as JSON."""

from __future__ import annotations

import argparse
import json
import sys


def _cmd_measures(args: argparse.Namespace) -> int:
    from matis.justice.measures import justice_measures

    country = args.country.upper() if args.country else None
    data = justice_measures(country, args.year)
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2, default=str)
    sys.stdout.write("\n")
    return 0


def add_commands(subparsers, setup) -> None:
    parser = subparsers.add_parser("justice", help="criminal cases: measures")
    sub = parser.add_subparsers(dest="justice_command", required=True)

    def run(args):
        setup()
        return _cmd_measures(args)

    measures = sub.add_parser("measures", help="print the measures of one country and year")
    measures.add_argument("--country", help="ISO alpha-3, e.g. THA (default: the region)")
    measures.add_argument("--year", type=int, required=True, help="year (CE)")
    measures.set_defaults(func=run)
