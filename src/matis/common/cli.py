"""Command-line building blocks shared by the apps' ``cli.py`` modules."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from importlib import import_module


def add_measures_command(
    subparsers, setup, *, app: str, help_text: str, measures: str
) -> argparse.ArgumentParser:
    """``matis <app> measures --country C --year Y``: print ``measures(country, year)`` as JSON.

    ``measures`` is the dotted path of the function, imported only when the
    command runs (after Django is set up).
    """
    parser = subparsers.add_parser(app, help=help_text)
    sub = parser.add_subparsers(dest=f"{app}_command", required=True)

    def run(args: argparse.Namespace) -> int:
        setup()
        module_name, func_name = measures.rsplit(".", 1)
        func: Callable = getattr(import_module(module_name), func_name)
        country = args.country.upper() if args.country else None
        json.dump(func(country, args.year), sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return 0

    command = sub.add_parser("measures", help="print the measures of one country and year")
    command.add_argument("--country", help="ISO alpha-3, e.g. THA (default: the region)")
    command.add_argument("--year", type=int, required=True, help="year (CE)")
    command.set_defaults(func=run)
    return parser
