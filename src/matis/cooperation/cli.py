"""``matis cooperation ...``: pull SOM/IMM decisions (national), the follow-up table (hub)."""

from __future__ import annotations

import argparse
import json
import sys


def _cmd_pull_decisions(args: argparse.Namespace) -> int:
    from matis.cooperation.services import decisions_pull
    from matis.exchange import conf

    country = (args.country or conf.national_country() or "").upper()
    if not country:
        raise SystemExit("error: name the country with --country or MATIS_COUNTRY")
    print(json.dumps({"new_decisions": decisions_pull(country_id=country)}))
    return 0


def _cmd_tracking(args: argparse.Namespace) -> int:
    from matis.common.tables import table_bytes
    from matis.cooperation.selectors import decision_tracking_rows, decision_tracking_table

    rows = decision_tracking_rows()
    data = table_bytes(decision_tracking_table(rows), args.format)
    if args.output:
        with open(args.output, "wb") as handle:
            handle.write(data)
        print(json.dumps({"rows": len(rows), "overdue": sum(r["overdue"] for r in rows)}))
    else:
        sys.stdout.buffer.write(data)
    return 0


def add_commands(subparsers, setup) -> None:
    parser = subparsers.add_parser(
        "cooperation", help="detention notices, assessments, SOM/IMM decisions"
    )
    sub = parser.add_subparsers(dest="cooperation_command", required=True)

    def wrap(func):
        def run(args):
            setup()
            return func(args)

        return run

    pull = sub.add_parser("pull-decisions", help="fetch the SOM/IMM decisions addressed to us")
    pull.add_argument("--country", help="ISO alpha-3 (default: MATIS_COUNTRY)")
    pull.set_defaults(func=wrap(_cmd_pull_decisions))

    tracking = sub.add_parser("tracking", help="hub: each country's status per action")
    tracking.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    tracking.add_argument("--output", help="write to this file (default: standard output)")
    tracking.set_defaults(func=wrap(_cmd_tracking))
