"""Issue 13, finding 18: a register import on SQLite no longer makes other writers fail.

Runs on a file copy of the test database with the production SQLite options
(WAL, busy timeout, transactions that BEGIN IMMEDIATE): one thread imports a
workbook and holds the write lock a second longer than it needs, another
thread meanwhile writes the way a page does (read, then write, in one
transaction). The writer must wait and succeed, never see "database is locked".
"""

from __future__ import annotations

import contextlib
import io
import sqlite3
import threading
import time

import pytest
from django.conf import settings
from django.db import OperationalError, connection, connections, transaction
from django.test import RequestFactory
from django.utils import timezone
from openpyxl import Workbook

from matis.registers.kit.excel import importer as importer_module
from matis.registers.kit.specs import get_register

HOLD_SECONDS = 1.0


def hotline_workbook(rows: int) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "hotline"
    sheet.append(["ref", "country", "service", "year", "month", "issue", "outcome", "count"])
    for n in range(rows):
        sheet.append([None, "THA", f"Service {n // 12}", 2020, n % 12 + 1, "other", "resolved", 1])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    return data


@contextlib.contextmanager
def sqlite_file_database(tmp_path):
    """Point new connections at a WAL file copy of the test database, with the production options."""
    path = tmp_path / "copy.sqlite3"
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    production = settings.DATABASES["default"]["OPTIONS"]
    original = connections.settings["default"]
    connections.settings["default"] = {
        **original,
        "NAME": str(path),
        "TEST": {**original.get("TEST", {}), "NAME": str(path)},
        "OPTIONS": {
            "timeout": production["timeout"],
            "transaction_mode": production["transaction_mode"],
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
    try:
        yield path
    finally:
        connections.settings["default"] = original


@pytest.mark.django_db(transaction=True)
def test_18_writers_wait_for_an_import_instead_of_failing(make_user, tmp_path, monkeypatch):
    if connection.vendor != "sqlite":
        pytest.skip("the write lock is SQLite's")
    officer = make_user("task_force_officer", "THA")
    other = make_user("task_force_officer", "THA")
    assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"

    locked = threading.Event()
    write_planned = importer_module._Importer.write_planned

    def slow_write(self, *args, **kwargs):
        result = write_planned(self, *args, **kwargs)
        locked.set()
        time.sleep(HOLD_SECONDS)  # still inside the import's transaction: the lock is held
        return result

    monkeypatch.setattr(importer_module._Importer, "write_planned", slow_write)
    outcome, errors, waits = {}, [], []

    def run_import():
        try:
            outcome["result"] = importer_module.import_workbook(
                get_register("hotline"), hotline_workbook(120), actor=officer
            )
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    def write_like_a_page():
        from matis.access.models import User

        try:
            assert locked.wait(30)
            start = time.monotonic()
            with transaction.atomic():
                user = User.objects.get(pk=other.pk)
                User.objects.filter(pk=user.pk).update(last_login=timezone.now())
            waits.append(time.monotonic() - start)
        except OperationalError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run_import), threading.Thread(target=write_like_a_page)]
    with sqlite_file_database(tmp_path):
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert not errors, errors
    assert outcome["result"].count("hotline", "created") == 120
    assert waits and waits[0] >= HOLD_SECONDS / 2  # the writer waited for the lock


def test_18_a_lock_that_outlasts_the_timeout_is_a_503_not_a_500():
    from matis.common.errors import server_error

    request = RequestFactory().get("/")
    try:
        raise OperationalError("database is locked")
    except OperationalError:
        response = server_error(request)
    assert response.status_code == 503
    assert response["Retry-After"]
    assert b"try again" in response.content
    try:
        raise ValueError("a bug")
    except ValueError:
        assert server_error(request).status_code == 500
