"""``matis publish statistics``: a publisher releases the approved statistics from the shell."""

from __future__ import annotations

import argparse
import sys


def add_commands(subparsers, setup) -> None:
    parser = subparsers.add_parser("publish", help="public releases (matis.publication)")
    sub = parser.add_subparsers(dest="publish_command", required=True)
    stats = sub.add_parser("statistics", help="release the approved official statistics")
    stats.add_argument("--by", required=True, help="e-mail of the publisher (audited)")
    stats.add_argument(
        "--at", help="publication date, ISO 8601 (default now; a later date embargoes it)"
    )
    stats.add_argument("--note", default="", help="revision note (required from version 2)")
    stats.set_defaults(func=lambda args: _statistics(args, setup))


def _statistics(args: argparse.Namespace, setup) -> int:
    setup()
    from django.core.exceptions import PermissionDenied, ValidationError
    from django.utils.dateparse import parse_datetime

    from matis.access.models import User
    from matis.publication.services import release_statistics

    user = User.objects.filter(email__iexact=args.by, is_active=True).first()
    if user is None:
        print(f"error: no active user {args.by}", file=sys.stderr)
        return 2
    at = parse_datetime(args.at) if args.at else None
    if args.at and at is None:
        print(f"error: --at {args.at!r} is not an ISO 8601 date and time", file=sys.stderr)
        return 2
    try:
        release = release_statistics(actor=user, publish_at=at, revision_note=args.note)
    except (PermissionDenied, ValidationError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"released {release} ({len(release.snapshot['observations'])} figures), public from "
          f"{release.publish_at.isoformat()}")  # fmt: skip
    return 0
