"""``matis backup`` then ``matis restore`` into a fresh MATIS_HOME and a fresh database.

Every step is the real ``matis`` command in a subprocess with the production
profile: the source instance is migrated and given a case with encrypted
fields and an uploaded evidence file (the test factories); it is backed up;
the archive is restored into a new home with an empty database (SQLite, and a
new PostgreSQL database); verification passes and the case decrypts to the
same values. A wrong passphrase, a tampered archive and a non-empty target
are refused with messages that name the file or member.
"""

from __future__ import annotations

import base64
import io
import json
import os
import secrets
import sqlite3
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest

from matis.cases.protection.keys import KeyRing, write_key_file

pytestmark = pytest.mark.slow

PASSPHRASE = "correct horse battery staple"

SEED = """
import json
from matis.cli import _setup
_setup()
import datetime as dt
from django.core.management import call_command
call_command("load_plans", verbosity=0)
from matis.cases.test_factories import make_case
from matis.monitoring.models import EvidenceFile
from matis.testing.factories import make_scoped_object
case = make_case("THA", "Backup-Person-7")
case.summary = "Synthetic summary: met at the border crossing, referred to a shelter."
case.save()
person = case.person
person.given_name = "Sompong-Synthetic-Given"
person.date_of_birth = dt.date(1990, 4, 2)
person.aliases = ["Alias One", "Alias Two"]
person.contact_notes = "Synthetic contact note"
person.save()
evidence = make_scoped_object(EvidenceFile, "THA")
print(json.dumps({"case": case.pk, "evidence": evidence.pk}))
"""

READ = """
import hashlib, json, sys
from matis.cli import _setup
_setup()
from matis.cases.models import Case
from matis.cases.protection.fields import EncryptedMixin
from matis.monitoring.models import EvidenceFile
ids = json.loads(sys.argv[1])
case = Case.objects.select_related("person").get(pk=ids["case"])
def plain(obj):
    return {f.name: str(getattr(obj, f.name)) for f in obj._meta.concrete_fields
            if isinstance(f, EncryptedMixin)}
evidence = EvidenceFile.objects.get(pk=ids["evidence"])
with evidence.file.open("rb") as handle:
    digest = hashlib.sha256(handle.read()).hexdigest()
print(json.dumps({"case": plain(case), "person": plain(case.person), "file": digest}))
"""


def _key_file(path: Path) -> Path:
    ring = KeyRing(data_keys=(secrets.token_bytes(32),), index_key=secrets.token_bytes(32))
    write_key_file(path, ring)
    return path


def production_env(home: Path, key_file: Path, database_url: str | None = None) -> dict:
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    env.update(
        MATIS_ENV="production",
        MATIS_HOME=str(home),
        MATIS_SECRET_KEY=secrets.token_urlsafe(64),
        MATIS_ALLOWED_HOSTS="matis.example",
        MATIS_CASE_KEY_FILE=str(key_file),
        MATIS_LOG_LEVEL="ERROR",
        BACKUP_PASSPHRASE=PASSPHRASE,
    )
    if database_url:
        env["MATIS_DATABASE_URL"] = database_url
    return env


def matis(env: dict, *args: str, ok: bool = True) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [sys.executable, "-m", "matis.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if ok:
        assert done.returncode == 0, (args, done.stdout[-3000:], done.stderr[-3000:])
    return done


def python(env: dict, script: str, *args: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", script, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


AUDIT = """
import json
from matis.cli import _setup
_setup()
from matis.access.models import AuditLog
rows = AuditLog.objects.filter(object_type="ops.backup").order_by("id")
print(json.dumps([{"action": r.action, "actor": r.actor_id, **r.detail} for r in rows]))
"""


def _sha256(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def round_trip(
    tmp_path: Path, source_url: str | None, target_url: str | None, *, path: str | None = None
) -> dict:
    source_home, target_home = tmp_path / "source", tmp_path / "target"
    source_keys = _key_file(tmp_path / "etc-source" / "case-keys")
    source = production_env(source_home, source_keys, source_url)
    if path is not None:
        source["PATH"] = path
    matis(source, "manage", "migrate", "-v0")
    ids = python(source, SEED)
    before = python(source, READ, json.dumps(ids))
    assert before["person"]["given_name"] == "Sompong-Synthetic-Given"
    assert before["person"]["date_of_birth"] == "1990-04-02"

    backups = tmp_path / "backups"
    backups.mkdir()
    made = matis(
        source, "backup", "--output", str(backups), "--passphrase-env", "BACKUP_PASSPHRASE"
    )
    archive = next(backups.glob("matis-backup-*.tar.gz"))
    keys = Path(f"{archive}.keys")
    assert keys.exists() and keys.stat().st_mode & 0o077 == 0, made.stdout
    # The backup is audited in the source: who (OS account), when, which file, its digest.
    (backed_up,) = python(source, AUDIT)
    assert backed_up["action"] == "export" and backed_up["operation"] == "backup"
    assert backed_up["actor"] is None and backed_up["operator"]
    assert backed_up["archive"] == str(archive.resolve())
    assert backed_up["archive_sha256"] == _sha256(archive)
    assert backed_up["keys_file"] == str(keys.resolve())
    # The archive holds ciphertext only: no name in clear, and no key.
    with tarfile.open(archive, "r:gz") as raw:
        manifest = json.load(raw.extractfile("manifest.json"))
        contents = {m.name: raw.extractfile(m).read() for m in raw.getmembers() if m.isfile()}
    assert manifest["database"]["row_counts"]["cases_case"] == 1
    assert backed_up["created_at"] == manifest["created_at"]
    assert len(manifest["files"]) == 1 and manifest["migrations"]
    for name, content in contents.items():
        assert b"Sompong-Synthetic-Given" not in content, name
        assert source_keys.read_text().split("index ")[1][:44].encode() not in content

    # A fresh instance: new home, new (empty) database, keys to be written by restore.
    target_keys = tmp_path / "etc-target" / "case-keys"
    target = production_env(target_home, target_keys, target_url)
    if path is not None:
        target["PATH"] = path
    wrong = tmp_path / "wrong-passphrase"
    wrong.write_text("not the passphrase at all\n")
    refused = matis(target, "restore", str(archive), "--passphrase-file", str(wrong), ok=False)
    assert refused.returncode == 1
    assert f"Wrong passphrase for the key file {keys}" in refused.stderr
    assert not target_keys.exists()

    restored = matis(
        target, "restore", str(archive), "--passphrase-env", "BACKUP_PASSPHRASE",
        "--secrets-out", str(tmp_path / "etc-target" / "secrets.env"),
    )  # fmt: skip
    assert "Verification passed." in restored.stdout
    assert target_keys.read_text() == source_keys.read_text()
    secrets_env = (tmp_path / "etc-target" / "secrets.env").read_text()
    assert f"MATIS_SECRET_KEY={source['MATIS_SECRET_KEY']}\n" in secrets_env

    after = python(target, READ, json.dumps(ids))
    assert after == before
    # The restore is audited in the target; the source's backup row is not in the archive.
    (restored_row,) = python(target, AUDIT)
    assert restored_row["action"] == "import" and restored_row["operation"] == "restore"
    assert restored_row["archive_sha256"] == _sha256(archive)
    assert restored_row["verified"] is True and restored_row["forced"] is False
    # ... and verification still passes with that row (and `matis verify` adds none).
    verified = matis(target, "verify", str(archive))
    assert "Verification passed." in verified.stdout

    # The restored instance holds users now: a second restore is refused without --force.
    again = matis(
        target, "restore", str(archive), "--passphrase-env", "BACKUP_PASSPHRASE", ok=False
    )
    assert again.returncode == 1 and "not empty" in again.stderr and "--force" in again.stderr
    forced = matis(
        target, "restore", str(archive), "--passphrase-env", "BACKUP_PASSPHRASE", "--force"
    )
    assert "Verification passed." in forced.stdout
    assert [r["forced"] for r in python(target, AUDIT)] == [True]

    # Data changed after the restore no longer matches the archive.
    python(
        target,
        "from matis.cli import _setup\n_setup()\nfrom django.db import connection\n"
        "connection.cursor().execute(\"DELETE FROM monitoring_evidencefile\")\nprint('{}')",
    )
    drifted = matis(target, "verify", str(archive), ok=False)
    assert drifted.returncode == 1
    assert (
        "Table monitoring_evidencefile has 0 rows; the archive's manifest says 1." in drifted.stderr
    )
    return manifest


def test_sqlite_backup_and_restore_into_a_fresh_instance(tmp_path):
    round_trip(tmp_path, None, None)


def _postgres_admin_url() -> str:
    url = os.environ.get("MATIS_TEST_DATABASE_URL", "")
    if not url.startswith("postgres"):
        url = "postgresql://postgres@127.0.0.1/postgres"
    return url.rsplit("/", 1)[0] + "/postgres"


@pytest.fixture
def fresh_postgres_databases():
    psycopg = pytest.importorskip("psycopg")
    admin_url = _postgres_admin_url()
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL server at {admin_url}: {exc}")
    names = [f"matis_backup_{role}_{uuid.uuid4().hex[:8]}" for role in ("src", "dst")]
    for name in names:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = admin_url.rsplit("/", 1)[0]
    try:
        yield [f"{base}/{name}" for name in names]
    finally:
        for name in names:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def test_postgresql_backup_and_restore_into_a_fresh_database(tmp_path, fresh_postgres_databases):
    source_url, target_url = fresh_postgres_databases
    manifest = round_trip(tmp_path, source_url, target_url)
    assert manifest["database"]["format"] == "pg_dump"
    assert "database/matis.pgdump" in manifest["members"]


def test_postgresql_without_pg_dump_falls_back_to_copy(tmp_path, fresh_postgres_databases):
    """PATH without the PostgreSQL client tools: tables are copied in the same snapshot."""
    source_url, target_url = fresh_postgres_databases
    manifest = round_trip(tmp_path, source_url, target_url, path=str(Path(sys.executable).parent))
    assert manifest["database"]["format"] == "copy"
    assert "database/tables/cases_person.copy" in manifest["members"]
    assert manifest["versions"]["dump_tool"] == "COPY (pg_dump not on PATH)"


def test_a_tampered_archive_names_the_member(tmp_path):
    home = tmp_path / "home"
    keys = _key_file(tmp_path / "etc" / "case-keys")
    env = production_env(home, keys)
    matis(env, "manage", "migrate", "-v0")
    media = home / "files" / "monitoring"
    media.mkdir(parents=True)
    (media / "report.pdf").write_bytes(b"%PDF-1.4 synthetic\n")
    matis(env, "backup", "--output", str(tmp_path / "b.tar.gz"), "--passphrase-env",
          "BACKUP_PASSPHRASE")  # fmt: skip

    # Same manifest, one uploaded file changed.
    tampered = tmp_path / "t.tar.gz"
    with tarfile.open(tmp_path / "b.tar.gz", "r:gz") as src, tarfile.open(tampered, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == "files/monitoring/report.pdf":
                data = b"%PDF-1.4 altered!!\n"
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    (tmp_path / "t.tar.gz.keys").write_bytes((tmp_path / "b.tar.gz.keys").read_bytes())

    fresh = production_env(tmp_path / "fresh", tmp_path / "etc2" / "case-keys")
    done = matis(fresh, "restore", str(tampered), "--passphrase-env", "BACKUP_PASSPHRASE", ok=False)
    assert done.returncode == 1
    assert "member files/monitoring/report.pdf does not match" in done.stderr
    fresh_db = tmp_path / "fresh" / "matis.sqlite3"  # opened (empty) by the emptiness check
    assert (
        not fresh_db.exists()
        or not sqlite3.connect(fresh_db)
        .execute("SELECT name FROM sqlite_master WHERE type='table'")
        .fetchall()
    )
    assert not (tmp_path / "etc2" / "case-keys").exists()

    # A truncated archive is refused too, naming the archive.
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes((tmp_path / "b.tar.gz").read_bytes()[:2000])
    (tmp_path / "cut.tar.gz.keys").write_bytes((tmp_path / "b.tar.gz.keys").read_bytes())
    done = matis(
        fresh, "restore", str(truncated), "--passphrase-env", "BACKUP_PASSPHRASE", ok=False
    )
    assert done.returncode == 1 and f"The archive {truncated} is corrupt" in done.stderr


def test_key_export_round_trip_and_wrong_passphrase(tmp_path):
    from matis.ops import keyexport

    path = tmp_path / "x.keys"
    bundle = {"case_key_file": "index " + base64.b64encode(b"k" * 32).decode(), "secrets": {}}
    keyexport.write_private(path, keyexport.wrap(bundle, passphrase=PASSPHRASE, metadata={}))
    assert keyexport.unwrap(path, passphrase=PASSPHRASE) == bundle
    assert b"index" not in path.read_bytes()
    with pytest.raises(keyexport.KeyExportError, match=f"Wrong passphrase for the key file {path}"):
        keyexport.unwrap(path, passphrase=PASSPHRASE + "x")
    with pytest.raises(keyexport.KeyExportError, match="too short"):
        keyexport.wrap(bundle, passphrase="short", metadata={})
