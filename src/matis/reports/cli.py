"""``matis reports annual``: render the annual monitoring report from the command line."""

from __future__ import annotations

import argparse
import shutil
import sys


def add_commands(subparsers, setup) -> None:
    parser = subparsers.add_parser("reports", help="annual monitoring reports")
    sub = parser.add_subparsers(dest="reports_command", required=True)
    annual = sub.add_parser("annual", help="render the annual report now (HTML and PDF)")
    annual.add_argument("--year", type=int, required=True)
    annual.add_argument("--language", default="en", help="en, th, km, lo, my, zh-hans or vi")
    annual.add_argument("--country", help="ISO alpha-3 for a national report; default regional")
    annual.add_argument("--pdf", help="also copy the PDF to this path")
    annual.add_argument("--html", help="also copy the HTML to this path")
    annual.set_defaults(func=lambda args: _annual(args, setup))


def _annual(args: argparse.Namespace, setup) -> int:
    setup()
    from django.core.exceptions import ValidationError

    from matis.reports.services import annual_report_render, annual_report_request

    try:
        report = annual_report_request(
            actor=None,
            year=args.year,
            language=args.language,
            country_id=args.country.upper() if args.country else None,
            enqueue=False,
        )
    except ValidationError as exc:
        print(f"error: {'; '.join(exc.messages)}", file=sys.stderr)
        return 2
    report = annual_report_render(report_id=report.pk)
    print(f"report {report.pk}: {report.pages} pages")
    for target, field in ((args.pdf, report.pdf_file), (args.html, report.html_file)):
        if target:
            with field.open("rb") as source, open(target, "wb") as out:
                shutil.copyfileobj(source, out)
            print(f"wrote {target}")
    return 0
