"""``matis registers ...``: Excel export/import of a register, indicator sync, register counts."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def add_commands(subparsers, setup) -> None:
    parser = subparsers.add_parser("registers", help="programme registers: Excel, indicators")
    sub = parser.add_subparsers(dest="registers_command", required=True)

    listing = sub.add_parser("list", help="list the registers and their row counts")
    listing.set_defaults(func=lambda args: _list(args, setup))

    export = sub.add_parser("export", help="write a register's rows as an Excel workbook")
    export.add_argument("register", help="register key, e.g. training-events")
    export.add_argument("--user", required=True, help="email of the user whose scope applies")
    export.add_argument("--output", "-o", required=True)
    export.set_defaults(func=lambda args: _export(args, setup))

    imp = sub.add_parser("import", help="check and import a register workbook (all or nothing)")
    imp.add_argument("register")
    imp.add_argument("file")
    imp.add_argument("--user", required=True, help="email of the user who imports")
    imp.set_defaults(func=lambda args: _import(args, setup))

    sync = sub.add_parser(
        "sync-indicators", help="create the computed monitoring indicators (idempotent)"
    )
    sync.set_defaults(func=lambda args: _sync(args, setup))

    counts = sub.add_parser("counts", help="print the register counts of a year as JSON")
    counts.add_argument("--year", type=int, required=True)
    counts.add_argument("--countries", default="", help="ISO alpha-3 codes, comma-separated")
    counts.set_defaults(func=lambda args: _counts(args, setup))


def _user(email: str):
    from matis.access.models import User

    user = User.objects.filter(email=email.lower(), is_active=True).first()
    if user is None:
        print(f"error: no active user {email}", file=sys.stderr)
    return user


def _spec(key: str):
    from matis.registers.kit.specs import get_register, registers

    try:
        return get_register(key)
    except KeyError:
        keys = ", ".join(r.key for r in registers())
        print(f"error: unknown register {key!r}; one of: {keys}", file=sys.stderr)
        return None


def _list(args, setup) -> int:
    setup()
    from matis.registers.kit.specs import registers

    for spec in registers():
        print(f"{spec.key:<20} {spec.model.objects.count():>7}  {', '.join(spec.activities)}")
    return 0


def _export(args, setup) -> int:
    setup()
    from matis.registers.kit.excel import export_workbook
    from matis.registers.selectors import visible_rows

    spec, user = _spec(args.register), _user(args.user)
    if spec is None or user is None:
        return 2
    Path(args.output).write_bytes(export_workbook(spec, visible_rows(spec, user), actor=user))
    print(f"{args.output}: written")
    return 0


def _import(args, setup) -> int:
    setup()
    from matis.common.importing import ImportRejected
    from matis.registers.kit.excel import import_workbook

    spec, user = _spec(args.register), _user(args.user)
    if spec is None or user is None:
        return 2
    try:
        with open(args.file, "rb") as handle:
            result = import_workbook(spec, handle, actor=user, filename=Path(args.file).name)
    except ImportRejected as exc:
        for error in exc.errors:
            print(f"error: {error}", file=sys.stderr)
        print(f"{len(exc.errors)} error(s): nothing was imported", file=sys.stderr)
        return 1
    print(json.dumps(result.as_dict(), indent=1))
    return 0


def _sync(args, setup) -> int:
    setup()
    from matis.registers.indicators import sync_monitoring_indicators

    print(f"{sync_monitoring_indicators()} indicator(s) created or updated")
    return 0


def _counts(args: argparse.Namespace, setup) -> int:
    setup()
    from matis.common.models import COMMIT_COUNTRIES
    from matis.registers.indicators import register_counts_for_report

    countries = [c.strip().upper() for c in args.countries.split(",") if c.strip()]
    table = register_counts_for_report(args.year, countries or list(COMMIT_COUNTRIES))
    print(json.dumps(table, ensure_ascii=False, indent=1))
    return 0
