"""Measure how a large register import on SQLite affects other writers (issue 13, finding 18).

Usage (demo-style SQLite settings: WAL, busy timeout; a throw-away MATIS_HOME):

    MATIS_ENV=demo MATIS_HOME=$(mktemp -d) python scripts/sqlite_lock_probe.py [ROWS]

It migrates a fresh database, then imports a ROWS-row hotline workbook
(default 20,000) in one thread while another thread makes a small page-like
write (read, then write, in one transaction) every 0.1 s. It prints how long
the import's write transaction held the lock, how many of the concurrent
writes failed with "database is locked", and the longest time one waited.
"""

from __future__ import annotations

import io
import itertools
import os
import sys
import threading
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")


def main(rows: int) -> None:
    django.setup()
    from django.core.management import call_command
    from django.db import OperationalError, connection, transaction
    from django.utils import timezone
    from openpyxl import Workbook

    from matis.access.models import Agency, User
    from matis.common.importing import store as store_module
    from matis.registers.kit.excel import import_workbook
    from matis.registers.kit.specs import get_register

    call_command("migrate", verbosity=0)
    agency = Agency.objects.create(country_id="THA", name="Probe agency", org_type="government")
    officer = User.objects.create_user(
        email="probe.officer@example.org",
        password=None,
        role="task_force_officer",
        country_id="THA",
        agency=agency,
    )
    other = User.objects.create_user(
        email="probe.other@example.org",
        password=None,
        role="task_force_officer",
        country_id="THA",
        agency=agency,
    )

    book = Workbook()
    sheet = book.active
    sheet.title = "hotline"
    sheet.append(["ref", "country", "service", "year", "month", "issue", "outcome", "count"])
    issues = [
        "trafficking",
        "labour_exploitation",
        "recruitment_fraud",
        "fraudulent_marriage",
        "migration_information",
        "other",
    ]
    outcomes = [
        "information",
        "referred_police",
        "referred_labour",
        "referred_social",
        "resolved",
        "no_action",
    ]
    combos = itertools.product(
        [f"Service {n}" for n in range(20)], range(2010, 2026), range(1, 13), issues, outcomes
    )
    for service, year, month, issue, outcome in itertools.islice(combos, rows):
        sheet.append([None, "THA", service, year, month, issue, outcome, 3])
    data = io.BytesIO()
    book.save(data)
    connection.close()

    held = {}
    original = store_module.store_atomically

    def timed(*args, **kwargs):
        start = time.monotonic()
        try:
            return original(*args, **kwargs)
        finally:
            held["seconds"] = time.monotonic() - start

    store_module.store_atomically = timed
    done = threading.Event()
    writes = {"ok": 0, "locked": 0, "other": 0, "max_wait": 0.0}

    def importer():
        try:
            data.seek(0)
            result = import_workbook(get_register("hotline"), data, actor=officer)
            held["result"] = result.as_dict()
        finally:
            connection.close()
            done.set()

    def writer():
        while not done.is_set():
            start = time.monotonic()
            try:
                with transaction.atomic():
                    user = User.objects.get(pk=other.pk)  # a page reads, then writes
                    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
                writes["ok"] += 1
            except OperationalError as exc:
                writes["locked" if "locked" in str(exc) else "other"] += 1
            writes["max_wait"] = max(writes["max_wait"], time.monotonic() - start)
            time.sleep(0.1)
        connection.close()

    threads = [threading.Thread(target=importer), threading.Thread(target=writer)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    total = time.monotonic() - started
    options = connection.settings_dict["OPTIONS"]
    print(
        f"rows={rows} transaction_mode={options.get('transaction_mode', 'DEFERRED')} "
        f"timeout={options.get('timeout')}s\n"
        f"import total {total:.1f} s; write transaction (lock held) {held.get('seconds', 0):.1f} s\n"
        f"concurrent writes: {writes['ok']} ok, {writes['locked']} 'database is locked', "
        f"{writes['other']} other errors; longest wait {writes['max_wait']:.1f} s\n"
        f"result: {held.get('result')}"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
