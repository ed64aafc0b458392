"""``matis returns measures``: the return, reintegration and re-trafficking measures as JSON;
``matis returns propagate-withdrawals``: stop and notify relayed returns whose consent is gone."""

from __future__ import annotations

import json
import sys

from matis.common.cli import add_measures_command


def _propagate(args) -> int:
    from matis.exchange import conf
    from matis.returns.services import repatriation_withdrawals_propagate

    country = (args.country or conf.national_country() or "").upper() or None
    done = repatriation_withdrawals_propagate(country_id=country)
    json.dump({"country": country, "withdrawn": done}, sys.stdout)
    sys.stdout.write("\n")
    return 0


def add_commands(subparsers, setup) -> None:
    parser = add_measures_command(
        subparsers,
        setup,
        app="returns",
        help_text="returns and reintegration: measures",
        measures="matis.returns.measures.returns_measures",
    )
    sub = next(a for a in parser._actions if a.dest == "returns_command")

    def run(args) -> int:
        setup()
        return _propagate(args)

    propagate = sub.add_parser(
        "propagate-withdrawals",
        help="returns to a country on another instance whose consent was withdrawn: "
        "stop them and tell the home country to erase",
    )
    propagate.add_argument("--country", help="sending country (default: MATIS_COUNTRY)")
    propagate.set_defaults(func=run)
