"""``matis statistics ...``: import files, figures from records, the structure, context series."""

from __future__ import annotations

import argparse
import sys
import time

FORMATS = ("glotip", "sdmx-csv", "csv", "xlsx", "adx")
PHASES = {"read": "reading and checking", "compare": "comparing", "store": "writing"}


class ConsoleProgress:
    """Prints the import's progress: one updating line on a terminal, a line per 10% otherwise."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stdout
        self.tty = self.stream.isatty()
        self.last: tuple[str, int] = ("", -1)
        self.started = time.monotonic()

    def __call__(self, phase: str, done: int, total: int) -> None:
        percent = int(100 * done / total) if total else 0
        step = percent if self.tty else percent // 10 * 10
        if (phase, step) == self.last:
            return
        self.last = (phase, step)
        label = PHASES.get(phase, phase)
        text = f"  {label}: {done:,} of {total:,} rows ({percent}%)" if total else f"  {label} ..."
        if self.tty:
            self.stream.write("\r" + text.ljust(60))
        else:
            self.stream.write(text + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.tty:
            self.stream.write("\n")
        self.stream.write(f"  took {time.monotonic() - self.started:.1f} s\n")


def cmd_import(args: argparse.Namespace) -> int:
    from matis.official_statistics.services import ImportRejected, observations_import

    progress = ConsoleProgress()
    country = args.country.upper() if args.country else None
    try:
        with open(args.path, "rb") as source:
            result = observations_import(
                actor=None,
                source=source,
                fmt=args.format,
                country=country,
                skip_other_countries=bool(country),
                dry_run=args.dry_run,
                progress=progress,
                filename=args.path,
            )
    except FileNotFoundError:
        print(f"error: no file {args.path}", file=sys.stderr)
        return 2
    except ImportRejected as exc:
        progress.finish()
        print(exc.summary(limit=args.max_errors), file=sys.stderr)
        return 1
    progress.finish()
    print(result)
    return 0


def cmd_load_structure(args: argparse.Namespace) -> int:
    from pathlib import Path

    from matis.official_statistics.loader import StructureError, load_structure

    try:
        print(load_structure(Path(args.file) if args.file else None, update=args.update))
    except StructureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_load_context(args: argparse.Namespace) -> int:
    from matis.official_statistics.loader import load_context_series

    print(load_context_series())
    return 0


def cmd_export_adx(args: argparse.Namespace) -> int:
    """Write one approved submission as ADX (figures below N are withheld and counted)."""
    from matis.access.audit import audit_record
    from matis.access.models import AuditAction
    from matis.official_statistics.io.adx import AdxExportError, observations_adx
    from matis.official_statistics.models import Observation, Submission
    from matis.official_statistics.models.observations import OBSERVATION_FIELDS

    country = args.country.upper()
    submission = Submission.objects.filter(country_id=country, period=args.year).first()
    if submission is None or not submission.is_approved:
        print(f"error: {country} {args.year} has no approved submission", file=sys.stderr)
        return 1
    rows = (
        Observation.objects.filter(submission=submission, approved=True)
        .order_by("indicator_id", "series_key")
        .values_list(*OBSERVATION_FIELDS)
    )
    try:
        export = observations_adx(rows.iterator(chunk_size=5000))
    except AdxExportError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    audit_record(
        actor=None,
        action=AuditAction.EXPORT,
        obj=submission,
        object_type="statistics.observation",
        format="adx",
    )
    if args.output:
        with open(args.output, "w", encoding="utf-8") as out:
            out.write(export.text)
    else:
        sys.stdout.write(export.text)
    print(
        f"{export.n_values} values written, {export.n_withheld} withheld (below N or missing)",
        file=sys.stderr,
    )
    return 0


def cmd_load_aliases(args: argparse.Namespace) -> int:
    from pathlib import Path

    from matis.common.aliases import AliasFileError, country_aliases_load

    try:
        print(country_aliases_load(Path(args.file) if args.file else None, update=args.update))
    except AliasFileError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_load_adx_mapping(args: argparse.Namespace) -> int:
    from pathlib import Path

    from matis.official_statistics.io.adx import AdxMappingError, adx_mapping_load

    try:
        print(adx_mapping_load(Path(args.file) if args.file else None, update=args.update))
    except AdxMappingError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


def cmd_from_records(args: argparse.Namespace) -> int:
    """Print the figures from records (true counts, with the stored form); apply on request."""
    from django.core.exceptions import PermissionDenied

    from matis.access.models import User
    from matis.official_statistics.services.records import (
        RULES,
        ProposalError,
        records_proposal_apply,
        records_proposal_compute,
    )

    user = User.objects.filter(email=args.user.lower(), is_active=True).first()
    if user is None:
        print(f"error: no active user {args.user}", file=sys.stderr)
        return 2
    try:
        proposal = records_proposal_compute(
            actor=user, country_id=user.country_id or "", year=args.year
        )
    except PermissionDenied as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    for code, figures in proposal.by_indicator().items():
        rule = RULES[code]
        print(f"{code}")
        print(f"  counts: {rule.counts}")
        print(f"  year:   {rule.year}")
        print(f"  once:   {rule.duplicates}")
        for f in figures:
            value = "-" if f.value is None else f"{f.value:g}"
            print(f"    {f.series_key or 'total':<28} {value:>10}  stored as {f.stored_display}")
    for reason, n in proposal.excluded.items():
        print(f"not counted: {reason} {n}")
    for problem in proposal.problems:
        print(f"problem: {problem}", file=sys.stderr)
    if not args.apply:
        return 1 if proposal.problems else 0
    try:
        result = records_proposal_apply(actor=user, country_id=user.country_id, year=args.year)
    except ProposalError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"applied to the draft submission {user.country_id} {args.year}: {result}")
    return 0


def add_commands(subparsers, setup) -> None:
    parser = subparsers.add_parser("statistics", help="official statistics: import, structure")
    sub = parser.add_subparsers(dest="statistics_command", required=True)

    def with_setup(func):
        def run(args):
            setup()
            return func(args)

        return run

    imp = sub.add_parser("import", help="import a file of observations (all rows or nothing)")
    imp.add_argument("path", help="the file to import")
    imp.add_argument(
        "--format",
        required=True,
        choices=FORMATS,
        help=(
            "glotip: the UNODC GLOTIP export; sdmx-csv; csv: MATIS CSV; xlsx: the template; "
            "adx: DHIS2 ADX (XML)"
        ),
    )
    imp.add_argument(
        "--country",
        help="import only this country's rows (ISO alpha-3); other rows are skipped and counted",
    )
    imp.add_argument("--dry-run", action="store_true", help="check and compare only; write nothing")
    imp.add_argument("--max-errors", type=int, default=50, help="how many problems to print")
    imp.set_defaults(func=with_setup(cmd_import))

    structure = sub.add_parser("load-structure", help="load indicators, code lists and rules")
    structure.add_argument("--file", help="structure YAML (default: the bundled one)")
    structure.add_argument(
        "--update", action="store_true", help="also reset entries that exist to the file's values"
    )
    structure.set_defaults(func=with_setup(cmd_load_structure))

    adx = sub.add_parser("export-adx", help="write an approved submission as DHIS2 ADX")
    adx.add_argument("--country", required=True, help="ISO alpha-3, e.g. THA")
    adx.add_argument("--year", type=int, required=True, help="year (CE)")
    adx.add_argument("-o", "--output", help="file to write (default: standard output)")
    adx.set_defaults(func=with_setup(cmd_export_adx))

    aliases = sub.add_parser(
        "load-aliases", help="load the country name aliases (names, demonyms, other languages)"
    )
    aliases.add_argument("--file", help="alias CSV (default: the bundled one)")
    aliases.add_argument(
        "--update", action="store_true", help="also reset the file's aliases to the file's values"
    )
    aliases.set_defaults(func=with_setup(cmd_load_aliases))

    mapping = sub.add_parser("load-adx-mapping", help="load the DHIS2 ADX code mapping")
    mapping.add_argument("--file", help="mapping YAML (default: the bundled one)")
    mapping.add_argument(
        "--update", action="store_true", help="also reset the file's entries to the file's values"
    )
    mapping.set_defaults(func=with_setup(cmd_load_adx_mapping))

    records = sub.add_parser(
        "from-records",
        help="figures from case, return and justice records, with their counting rules",
    )
    records.add_argument("--user", required=True, help="email of the country's statistics officer")
    records.add_argument("--year", type=int, required=True, help="the year (CE)")
    records.add_argument(
        "--apply", action="store_true", help="write them into the year's draft submission"
    )
    records.set_defaults(func=with_setup(cmd_from_records))

    context = sub.add_parser("load-context", help="load the TIP tier and 3P index series")
    context.set_defaults(func=with_setup(cmd_load_context))
