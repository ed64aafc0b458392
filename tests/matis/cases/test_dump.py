"""A dump of the database holds none of the demo people's names or document numbers.

SQLite: the whole database file (``VACUUM INTO`` a copy). PostgreSQL: ``pg_dump``
of the test database. The dump is searched for every name (as written and
romanised) and every document number of the synthetic people just loaded.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from django.db import connection

from matis.cases.demo import generate_people, load_demo
from matis.cases.protection.names import clean_name, romanise

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
N_CASES = 150


def dump_database(tmp_path, name: str) -> bytes:
    if connection.vendor == "sqlite":
        target = tmp_path / f"{name}.sqlite3"
        with connection.cursor() as cursor:
            cursor.execute("VACUUM INTO %s", [str(target)])
        return target.read_bytes()
    if connection.vendor == "postgresql":
        pg_dump = shutil.which("pg_dump")
        assert pg_dump, "pg_dump is needed to check the PostgreSQL database"
        s = connection.settings_dict
        env = dict(os.environ, PGPASSWORD=s.get("PASSWORD") or "")
        cmd = [
            pg_dump,
            "--no-owner",
            "-h",
            s.get("HOST") or "127.0.0.1",
            "-p",
            str(s.get("PORT") or 5432),
            "-U",
            s.get("USER") or "postgres",
            s["NAME"],
        ]
        return subprocess.run(cmd, env=env, check=True, capture_output=True).stdout
    pytest.fail(f"no dump method for {connection.vendor}")


def secrets_of_demo_people() -> set[str]:
    found = set()
    for _country, _opened, person in generate_people(N_CASES):
        for name in (person.given_name, person.family_name):
            if name:
                found |= {clean_name(name), romanise(name)}
        found.add(f"{clean_name(person.given_name)} {clean_name(person.family_name)}".strip())
        found |= {number for _kind, number in person.documents}
    # Short Latin tokens ("Tran", "Le") occur by chance inside ordinary words of any
    # database (a full test run leaves other apps' reference texts in it), so single
    # romanised words must have at least five letters; names in their own script and
    # the full "given family" strings are checked at any length of four bytes or more.
    return {s for s in found if len(s.encode()) >= (5 if s.isascii() and " " not in s else 4)}


def test_database_dump_holds_no_name_or_document_number(tmp_path):
    from matis.access.demo import load_demo as load_access_demo
    from matis.cases.models import Case, IdentityDocument

    load_access_demo()
    secrets = secrets_of_demo_people()
    baseline = dump_database(tmp_path, "before")
    # strings already in the database before any case exists (plan texts, agency names)
    # are coincidences, not leaks; there must be few of them for the test to mean anything
    coincidences = {s for s in secrets if s.encode() in baseline}
    assert len(coincidences) <= len(secrets) // 20, sorted(coincidences)

    load_demo(N_CASES)
    assert Case.objects.count() == N_CASES
    assert IdentityDocument.objects.exists()
    dump = dump_database(tmp_path, "after")
    # the dump is readable plaintext where data is not secret
    assert b"Provincial shelter (THA, synthetic)" in dump
    assert Case.objects.first().reference.encode() in dump
    leaked = sorted(s for s in secrets - coincidences if s.encode() in dump)
    assert not leaked, f"{len(leaked)} names or numbers in plaintext, e.g. {leaked[:5]}"
