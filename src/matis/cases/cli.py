"""``matis cases ...``: keys, rotation, retention and the detention register."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_new_key(args: argparse.Namespace) -> int:
    from matis.cases.protection import keys

    if not args.key_file:
        print(keys.new_key())
        return 0
    path = Path(args.key_file)
    ring = keys.parse_key_file(path.read_text(encoding="ascii"), where=str(path))
    import base64

    fresh = base64.b64decode(keys.new_key())
    keys.write_key_file(
        path, keys.KeyRing(data_keys=(fresh, *ring.data_keys), index_key=ring.index_key)
    )
    print(
        f"added data key {keys.key_id(fresh)} at the front of {path}; "
        f"now run `matis cases rotate-keys`"
    )
    return 0


def _cmd_rotate(args: argparse.Namespace) -> int:
    from matis.cases.protection import keys
    from matis.cases.services import keys_rotate, stale_value_count

    rows = keys_rotate(actor=None)
    stale = stale_value_count()
    print(
        f"re-encrypted {rows} rows with key {keys.keyring().newest_id}; "
        f"values under older keys: {stale}"
    )
    return 0 if stale == 0 else 1


def _cmd_purge(args: argparse.Namespace) -> int:
    from matis.cases.services import purge_expired

    refs = purge_expired(actor=None, dry_run=args.dry_run)
    verb = "would delete" if args.dry_run else "securely deleted"
    print(f"{verb} {len(refs)} cases past their retention date")
    for ref in refs:
        print(f"  {ref}")
    return 0


def _cmd_register(args: argparse.Namespace) -> int:
    from matis.cases import detention_register

    rows = detention_register.register_table(args.country.upper(), args.year)
    if args.format == "csv":
        data = detention_register.register_csv(rows).encode("utf-8")
    else:
        data = detention_register.register_xlsx(rows, title=f"{args.country.upper()} {args.year}")
    if args.out:
        Path(args.out).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def _user(email: str):
    from matis.access.models import User

    user = User.objects.filter(email=email.lower(), is_active=True).first()
    if user is None:
        print(f"error: no active user {email}", file=sys.stderr)
    return user


def _cmd_import(args: argparse.Namespace) -> int:
    from django.core.exceptions import PermissionDenied

    from matis.cases.interchange import ImportFailed
    from matis.cases.services import cases_import

    user = _user(args.user)
    if user is None:
        return 2
    try:
        text = Path(args.path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.path}: {exc}", file=sys.stderr)
        return 2
    try:
        result = cases_import(actor=user, text=text, fmt=args.format, dry_run=args.dry_run)
    except PermissionDenied:
        print(f"error: {user.email} may not register cases", file=sys.stderr)
        return 2
    except ImportFailed as exc:
        print(f"error: {args.path}: nothing imported", file=sys.stderr)
        for problem in exc.problems:
            print(f"  {problem}", file=sys.stderr)
        return 1
    verb = "would create" if args.dry_run else "created"
    print(
        f"{args.path}: {result.rows} rows; {verb} {len(result.created)} cases; "
        f"{result.skipped} already imported"
    )
    return 0


def _cmd_export(args: argparse.Namespace) -> int:
    from django.core.exceptions import PermissionDenied

    from matis.cases.export import cases_csv

    user = _user(args.user)
    if user is None:
        return 2
    try:
        data = cases_csv(actor=user, fmt=args.format)
    except PermissionDenied:
        print(f"error: {user.email} may not export cases as {args.format}", file=sys.stderr)
        return 2
    if args.out:
        Path(args.out).write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
    return 0


def add_commands(subparsers, setup) -> None:
    parser = subparsers.add_parser("cases", help="case records: keys, retention, registers")
    sub = parser.add_subparsers(dest="cases_command", required=True)

    def wrap(func):
        def run(args):
            setup()
            return func(args)

        return run

    new_key = sub.add_parser("new-key", help="print a new key, or add one to a key file")
    new_key.add_argument("--key-file", help="add a new data key at the front of this key file")
    new_key.set_defaults(func=_cmd_new_key)

    rotate = sub.add_parser("rotate-keys", help="re-encrypt all case data with the newest key")
    rotate.set_defaults(func=wrap(_cmd_rotate))

    purge = sub.add_parser("purge-expired", help="securely delete cases past retention")
    purge.add_argument("--dry-run", action="store_true")
    purge.set_defaults(func=wrap(_cmd_purge))

    reg = sub.add_parser("detention-register", help="export the national detention register")
    reg.add_argument("--country", required=True, help="ISO alpha-3, e.g. THA")
    reg.add_argument("--year", type=int, required=True, help="year (CE)")
    reg.add_argument("--format", choices=["csv", "xlsx"], default="csv")
    reg.add_argument("--out", help="file to write (default: standard output)")
    reg.set_defaults(func=wrap(_cmd_register))

    imp = sub.add_parser("import", help="create cases from an HTCDS or CTDC CSV file")
    imp.add_argument("path", help="the CSV file (UTF-8)")
    imp.add_argument("--format", choices=["htcds", "ctdc"], required=True)
    imp.add_argument("--user", required=True, help="email of the user who imports")
    imp.add_argument("--dry-run", action="store_true", help="check the file, write nothing")
    imp.set_defaults(func=wrap(_cmd_import))

    exp = sub.add_parser("export", help="write cases as HTCDS or CTDC CSV")
    exp.add_argument("--format", choices=["htcds", "ctdc"], required=True)
    exp.add_argument("--user", required=True, help="email of the user whose scope applies")
    exp.add_argument("--out", help="file to write (default: standard output)")
    exp.set_defaults(func=wrap(_cmd_export))
