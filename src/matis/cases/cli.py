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
