"""``matis manage send_digests``: the inbox mails (daily digests and immediate notices)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from matis.inbox.services import inbox_mails_send


class Command(BaseCommand):
    help = (
        "Mail each user the inbox digest of the day (once per day) and, to users who "
        "chose it, the items that arrived since the last mail. Safe to run repeatedly."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--only",
            choices=["daily", "immediate"],
            help="send only the daily digests, or only the immediate mails",
        )
        parser.add_argument(
            "--day", help="the day of the digest, YYYY-MM-DD (default: today)", default=None
        )

    def handle(self, *args, only=None, day=None, **options):
        when = None
        if day:
            try:
                when = dt.date.fromisoformat(day)
            except ValueError:
                raise CommandError(f"--day: {day!r} is not a date (YYYY-MM-DD)") from None
        runs = inbox_mails_send(
            daily=only in (None, "daily"), immediate=only in (None, "immediate"), day=when
        )
        for kind, run in runs.items():
            self.stdout.write(
                f"{kind}: {run.sent} sent, {run.skipped} skipped, {run.failed} failed"
            )
        if any(run.failed for run in runs.values()):
            raise CommandError("some mails failed; see the log")
