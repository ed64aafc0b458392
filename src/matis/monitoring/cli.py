"""``matis monitoring ...``: indicators and the Excel workbook from the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_commands(subparsers, setup) -> None:
    parser = subparsers.add_parser("monitoring", help="SPA III monitoring: indicators, workbooks")
    sub = parser.add_subparsers(dest="monitoring_command", required=True)

    load = sub.add_parser("load-indicators", help="load the standard indicator set (idempotent)")
    load.add_argument("--file", help="indicator YAML (default: the bundled one)")
    load.set_defaults(func=lambda args: _load_indicators(args, setup))

    refresh = sub.add_parser(
        "refresh-indicators", help="recompute computed indicators for a year from their providers"
    )
    refresh.add_argument("--year", type=int, required=True)
    refresh.set_defaults(func=lambda args: _refresh(args, setup))

    export = sub.add_parser("export-workbook", help="write the prefilled workbook of a country")
    export.add_argument("--country", required=True, help="ISO alpha-3, e.g. THA")
    export.add_argument("--year", type=int, required=True)
    export.add_argument("--output", "-o", required=True)
    export.set_defaults(func=lambda args: _export(args, setup))

    imp = sub.add_parser(
        "import-workbook", help="check and import a filled workbook as a task force officer"
    )
    imp.add_argument("file")
    imp.add_argument("--user", required=True, help="email of the country's task force officer")
    imp.set_defaults(func=lambda args: _import(args, setup))


def _load_indicators(args: argparse.Namespace, setup) -> int:
    setup()
    from matis.monitoring.services import indicators_load

    created, updated = indicators_load(path=Path(args.file) if args.file else None)
    print(f"indicators: {created} created, {updated} updated")
    return 0


def _refresh(args: argparse.Namespace, setup) -> int:
    setup()
    from matis.monitoring.models import ReportingPeriod
    from matis.monitoring.services import indicator_actuals_refresh

    period = ReportingPeriod.objects.filter(plan__code="SPA3", year=args.year).first()
    if period is None:
        print(f"error: no reporting period for {args.year}", file=sys.stderr)
        return 2
    print(indicator_actuals_refresh(actor=None, period=period))
    return 0


def _export(args: argparse.Namespace, setup) -> int:
    setup()
    from matis.monitoring.models import ReportingPeriod
    from matis.monitoring.workbook import build_workbook

    period = ReportingPeriod.objects.filter(plan__code="SPA3", year=args.year).first()
    if period is None:
        print(f"error: no reporting period for {args.year}", file=sys.stderr)
        return 2
    Path(args.output).write_bytes(build_workbook(country_id=args.country.upper(), period=period))
    print(f"wrote {args.output}")
    return 0


def _import(args: argparse.Namespace, setup) -> int:
    setup()
    from matis.access.models import User
    from matis.common.importing import UPDATED, ImportRejected
    from matis.monitoring.workbook import ACTIVITIES, INDICATORS, workbook_import

    user = User.objects.filter(email=args.user.lower(), is_active=True).first()
    if user is None:
        print(f"error: no active user {args.user}", file=sys.stderr)
        return 2
    try:
        result = workbook_import(actor=user, data=Path(args.file).read_bytes())
    except ImportRejected as exc:
        print(f"nothing was imported; {len(exc.errors)} problem(s):", file=sys.stderr)
        for error in exc.errors:
            print(f"  {error}", file=sys.stderr)
        return 1
    print(
        f"{result.count(ACTIVITIES, UPDATED)} reports and "
        f"{result.count(INDICATORS, UPDATED)} indicator values changed"
    )
    return 0
