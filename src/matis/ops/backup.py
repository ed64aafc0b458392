"""Backup, restore and verification of a whole instance (``matis backup|restore|verify``).

A backup is two files:

- the archive ``matis-backup-<time>.tar.gz``: ``manifest.json`` first, then the
  database (``database/matis.sqlite3``, a copy made with SQLite's online backup
  API, or ``database/matis.pgdump``, a ``pg_dump`` custom-format dump),
  the uploaded files (``files/...``) and the configuration without secrets
  (``config/settings.json``). Personal case data stays encrypted in it.
- the key export ``<archive>.keys`` (:mod:`matis.ops.keyexport`): the case-data
  key ring and the instance's other secrets, sealed with an operator passphrase.

The manifest records the versions (MATIS, Django, Python, database server and
dump tool), the migration state, the row count of every table and the SHA-256
digest of every member and every uploaded file, all taken from one consistent
snapshot of the database (SQLite: the backup copy itself; PostgreSQL: a
repeatable-read transaction whose snapshot ``pg_dump --snapshot`` shares).

``restore`` checks every member's digest while extracting, unwraps the keys,
refuses a database that already holds users or audit entries (unless
``force``), then writes the keys, the database and the files and runs
:func:`verify_instance`: row counts against the manifest, every encrypted
value decrypted with the instance's key ring, every file's digest.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import io
import json
import os
import platform
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import django
from django.apps import apps
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.migrations.loader import MigrationLoader

from matis.cases.protection.cipher import DecryptionError, decrypt
from matis.cases.protection.fields import EncryptedMixin
from matis.cases.protection.keys import (
    CaseKeysMissing,
    KeyRing,
    configured_key_file,
    key_id,
    load_keyring,
    parse_key_file,
    render_key_file,
    reset_keyring,
    write_key_file,
)
from matis.ops import keyexport

ARCHIVE_FORMAT = "matis-backup-1"
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database/matis.sqlite3"
PGDUMP_MEMBER = "database/matis.pgdump"
COPY_PREFIX = "database/tables/"  # PostgreSQL without pg_dump: one COPY file per table
CONFIG_MEMBER = "config/settings.json"
FILES_PREFIX = "files/"
# Audit rows of backups and restores (``matis.access`` EXPORT / IMPORT): the live database
# gains them after the snapshot, so verification leaves them out of the comparison.
AUDIT_OBJECT_TYPE = "ops.backup"
CHUNK = 1024 * 1024
# Settings that are secrets: they go into the key export, never into the archive.
SECRET_SETTINGS = (
    "SECRET_KEY",
    "MATIS_CASE_KEYS",
    "MATIS_CASE_INDEX_KEY",
    "MATIS_EXCHANGE_VAULT_KEY",
    "MATIS_EXCHANGE_SECRET",
    "MATIS_LINKAGE_SECRET",
)
SECRET_FILE_SETTINGS = ("MATIS_EXCHANGE_KEY_FILE", "MATIS_LINKAGE_SECRET_FILE")
# Non-secret settings recorded in the archive, for reference when rebuilding a server.
CONFIG_SETTINGS = (
    "ENV",
    "MATIS_ROLE",
    "MATIS_COUNTRY",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "TIME_ZONE",
    "TRUSTED_PROXIES",
    "TRUSTED_PROXY_COUNT",
    "EMAIL_HOST",
    "EMAIL_PORT",
    "EMAIL_USE_TLS",
    "DEFAULT_FROM_EMAIL",
    "MATIS_CASE_KEY_FILE",
    "MATIS_CASE_RETENTION_YEARS",
    "MATIS_BREAK_GLASS_HOURS",
    "MATIS_CASE_SCREENING_FILE",
    "MATIS_RETURNS_PENDING_DAYS",
    "MATIS_RETURNS_INSTRUMENT_FILE",
    "MATIS_EVIDENCE_MAX_BYTES",
    "MATIS_DISCLOSURE",
    "MATIS_EXCHANGE_HUB_URL",
    "MATIS_EXCHANGE_KEY_ID",
    "MATIS_LINKAGE_THRESHOLD",
    "MATIS_LINKAGE_BACKEND",
)


class BackupError(Exception):
    """A backup, restore or verification cannot go on; the message says why and what to do."""


# --- small helpers ---------------------------------------------------------------


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def _matis_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("matis")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "unknown"


def _media_root() -> Path:
    return Path(settings.MEDIA_ROOT)


def media_files() -> Iterator[tuple[str, Path]]:
    """Every uploaded file as (path relative to MEDIA_ROOT with '/', absolute path), sorted."""
    root = _media_root()
    if not root.is_dir():
        return
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink()):
        yield path.relative_to(root).as_posix(), path


def _database() -> dict:
    return settings.DATABASES["default"]


def _vendor() -> str:
    return connection.vendor


def _safe_member_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name == path.as_posix()


# --- the key ring and secrets ----------------------------------------------------------


def _ring_ids(ring: KeyRing) -> dict:
    return {"data": [key_id(k) for k in ring.data_keys], "index": key_id(ring.index_key)}


def _secrets_bundle() -> tuple[dict, dict]:
    """(the secrets to wrap, the public key ids); the case key ring if the instance has one."""
    bundle: dict = {"secrets": {}, "files": {}}
    ids: dict = {}
    try:
        ring = load_keyring()
    except CaseKeysMissing:
        ring = None
    if ring is not None:
        bundle["case_key_file"] = render_key_file(ring)
        ids = _ring_ids(ring)
    for name in SECRET_SETTINGS:
        if name in {"MATIS_CASE_KEYS", "MATIS_CASE_INDEX_KEY"}:
            continue  # in case_key_file
        value = getattr(settings, name, "")
        if value:
            bundle["secrets"]["MATIS_SECRET_KEY" if name == "SECRET_KEY" else name] = value
    for name in SECRET_FILE_SETTINGS:
        path = getattr(settings, name, None)
        if path and Path(path).is_file():
            bundle["files"][name] = Path(path).read_text(encoding="utf-8")
    return bundle, ids


# --- taking a backup -------------------------------------------------------------------------


@dataclass
class Snapshot:
    member: str  # the database member's name in the archive
    path: Path  # the dump on disk
    row_counts: dict[str, int]
    migrations: list[list[str]]
    server_version: str
    tool: str
    format: str = "sqlite"
    # the portable format: more members (name -> path) and each table's columns
    extra: dict[str, Path] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)


def _sqlite_snapshot(workdir: Path) -> Snapshot:
    """Copy the live database with SQLite's online backup API (consistent while it is in use)."""
    source_path = Path(_database()["NAME"])
    if not source_path.exists():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    target = workdir / "matis.sqlite3"
    source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=ro", uri=True, timeout=60)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        tables = [
            row[0]
            for row in copy.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                "ORDER BY name"
            )
        ]
        counts = {t: copy.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
        migrations = (
            [list(r) for r in copy.execute("SELECT app, name FROM django_migrations ORDER BY id")]
            if "django_migrations" in counts
            else []
        )
        version = copy.execute("SELECT sqlite_version()").fetchone()[0]
    finally:
        copy.close()
        source.close()
    return Snapshot(SQLITE_MEMBER, target, counts, migrations, version, "sqlite3 backup API")


def _pg_env() -> dict:
    """Environment for pg_dump / pg_restore: the connection of the ``default`` database."""
    db = _database()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    for key, name in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER")):
        if db.get(key):
            env[name] = str(db[key])
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    env["PGDATABASE"] = db["NAME"]
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def pg_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} is not on PATH. Install the PostgreSQL client tools of the server's "
            "major version (e.g. `apt install postgresql-client`) and run again."
        )
    return path


def _tool_version(path: str) -> str:
    done = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)  # noqa: S603
    return done.stdout.strip()


def _postgresql_snapshot(workdir: Path) -> Snapshot:
    """A dump of one snapshot, shared with the row counts (one repeatable-read transaction).

    With ``pg_dump`` on PATH: a custom-format dump of that snapshot. Without it
    (the fallback): every table written with ``COPY ... TO STDOUT`` inside the
    same transaction; restore rebuilds the schema with the migrations.
    """
    pg_dump = shutil.which("pg_dump")
    target = workdir / "matis.pgdump"
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot(), current_setting('server_version')")
        snapshot_id, server_version = cursor.fetchone()
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
        migrations = []
        if "django_migrations" in counts:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
            migrations = [list(r) for r in cursor.fetchall()]
        if pg_dump is None:
            extra, columns = _copy_tables(cursor, tables, workdir)
            return Snapshot(
                COPY_PREFIX, workdir, counts, migrations, server_version,
                "COPY (pg_dump not on PATH)", "copy", extra, columns,
            )  # fmt: skip
        done = subprocess.run(  # noqa: S603
            [
                pg_dump,
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot_id}",
                f"--file={target}",
            ],
            env=_pg_env(),
            capture_output=True,
            text=True,
            check=False,
        )
    if done.returncode != 0:
        raise BackupError(f"pg_dump failed: {done.stderr.strip()[-2000:]}")
    return Snapshot(
        PGDUMP_MEMBER, target, counts, migrations, server_version, _tool_version(pg_dump), "pg_dump"
    )


def _copy_tables(cursor, tables: list[str], workdir: Path) -> tuple[dict, dict]:
    qn = connection.ops.quote_name
    extra: dict[str, Path] = {}
    columns: dict[str, list[str]] = {}
    folder = workdir / "tables"
    folder.mkdir()
    for table in tables:
        names = [c.name for c in connection.introspection.get_table_description(cursor, table)]
        columns[table] = names
        path = folder / f"{table}.copy"
        statement = f"COPY {qn(table)} ({', '.join(qn(c) for c in names)}) TO STDOUT"
        with open(path, "wb") as out, cursor.cursor.copy(statement) as copy:
            for block in copy:
                out.write(block)
        extra[f"{COPY_PREFIX}{table}.copy"] = path
    return extra, columns


def _snapshot(workdir: Path) -> Snapshot:
    vendor = _vendor()
    if vendor == "sqlite":
        return _sqlite_snapshot(workdir)
    if vendor == "postgresql":
        return _postgresql_snapshot(workdir)
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")


def _config_document() -> bytes:
    values = {name: getattr(settings, name, None) for name in CONFIG_SETTINGS}
    return (json.dumps(values, indent=2, sort_keys=True, default=str) + "\n").encode("utf-8")


@dataclass
class BackupResult:
    archive: Path
    keys: Path
    manifest: dict


def default_archive_name(when: dt.datetime) -> str:
    return f"matis-backup-{when.strftime('%Y%m%dT%H%M%SZ')}.tar.gz"


def backup_create(
    *,
    output: Path,
    passphrase: str,
    keys_output: Path | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> BackupResult:
    """Write the archive and, separately, the key export. Nothing is left half-written.

    ``output`` is a directory (the archive gets a dated name) or a file name.
    """
    keyexport.check_passphrase(passphrase)
    when = _now()
    output = Path(output)
    archive = output / default_archive_name(when) if output.is_dir() else output
    keys_path = Path(keys_output) if keys_output else archive.with_name(archive.name + ".keys")
    for path in (archive, keys_path):
        if path.exists():
            raise BackupError(f"{path} already exists: choose another name.")
        if not path.parent.is_dir():
            raise BackupError(f"The folder {path.parent} does not exist.")
    bundle, ring_ids = _secrets_bundle()

    with tempfile.TemporaryDirectory(prefix="matis-backup-") as tmp:
        workdir = Path(tmp)
        progress("Copying the database ...")
        snap = _snapshot(workdir)
        progress("Listing uploaded files ...")
        files = [
            (rel, path, _sha256_file(path), path.stat().st_size) for rel, path in media_files()
        ]
        config = _config_document()
        database_files = snap.extra or {snap.member: snap.path}
        members = {
            name: {"sha256": _sha256_file(path), "size": path.stat().st_size}
            for name, path in database_files.items()
        }
        members[CONFIG_MEMBER] = {"sha256": hashlib.sha256(config).hexdigest(), "size": len(config)}
        manifest = {
            "format": ARCHIVE_FORMAT,
            "created_at": when.isoformat(),
            "versions": {
                "matis": _matis_version(),
                "django": django.get_version(),
                "python": platform.python_version(),
                "database_server": snap.server_version,
                "dump_tool": snap.tool,
            },
            "instance": {
                "env": settings.ENV,
                "role": settings.MATIS_ROLE,
                "country": settings.MATIS_COUNTRY,
            },
            "database": {
                "vendor": _vendor(),
                "format": snap.format,
                "member": snap.member,
                "row_counts": snap.row_counts,
                "columns": snap.columns,
            },
            "migrations": snap.migrations,
            "files": [
                {"path": rel, "sha256": digest, "size": size} for rel, _, digest, size in files
            ],
            "members": members,
            "case_keys": ring_ids,
            "keys_file": keys_path.name,
        }
        manifest_bytes = (json.dumps(manifest, indent=2, sort_keys=True) + "\n").encode("utf-8")

        progress(f"Writing {archive} ...")
        partial = archive.with_name(archive.name + ".partial")
        try:
            fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
                _add_bytes(tar, MANIFEST, manifest_bytes)
                for name, path in database_files.items():
                    tar.add(path, arcname=name, recursive=False)
                _add_bytes(tar, CONFIG_MEMBER, config)
                for rel, path, _digest, _size in files:
                    tar.add(path, arcname=FILES_PREFIX + rel, recursive=False)
            # A file changed while it was being archived would not match its digest.
            _check_archive_members(partial, manifest)
            progress(f"Writing the key export {keys_path} ...")
            metadata = {
                "archive": archive.name,
                "created_at": when.isoformat(),
                "case_keys": ring_ids,
            }
            keyexport.write_private(
                keys_path, keyexport.wrap(bundle, passphrase=passphrase, metadata=metadata)
            )
            partial.replace(archive)
        finally:
            partial.unlink(missing_ok=True)
    _audit_backup(
        AuditOperation.BACKUP,
        archive=archive,
        keys=keys_path,
        created_at=manifest["created_at"],
        rows=sum(snap.row_counts.values()),
        files=len(files),
    )
    return BackupResult(archive=archive, keys=keys_path, manifest=manifest)


class AuditOperation:
    BACKUP = "backup"
    RESTORE = "restore"


def operator() -> str:
    """Who runs the command: the operating-system account (the CLI has no MATIS user)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"uid {os.getuid()}"


def _audit_backup(operation: str, *, archive: Path, keys: Path, **detail) -> None:
    """One audit row: who (OS account, host), what file and its SHA-256; when is the row's time."""
    from matis.access.audit import audit_record
    from matis.access.models import AuditAction

    archive = archive.resolve()
    with transaction.atomic():
        audit_record(
            actor=None,
            action=AuditAction.EXPORT if operation == AuditOperation.BACKUP else AuditAction.IMPORT,
            object_type=AUDIT_OBJECT_TYPE,
            object_id=archive.name[:64],
            operation=operation,
            operator=operator(),
            host=platform.node(),
            archive=str(archive),
            archive_sha256=_sha256_file(archive),
            archive_size=archive.stat().st_size,
            keys_file=str(keys.resolve()),
            **detail,
        )


def _audit_rows_since(created_at: str) -> int:
    """Backup/restore audit rows written since the archive's snapshot (not in the archive)."""
    from matis.access.models import AuditLog

    if AuditLog._meta.db_table not in connection.introspection.table_names():
        return 0
    since = dt.datetime.fromisoformat(created_at)
    return AuditLog.objects.filter(object_type=AUDIT_OBJECT_TYPE, at__gte=since).count()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(_now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def _expected_members(manifest: dict) -> dict[str, str]:
    expected = {name: meta["sha256"] for name, meta in manifest.get("members", {}).items()}
    for item in manifest.get("files", []):
        expected[FILES_PREFIX + item["path"]] = item["sha256"]
    return expected


def _check_archive_members(archive: Path, manifest: dict) -> None:
    with tempfile.TemporaryDirectory(prefix="matis-check-") as tmp:
        _extract(archive, Path(tmp), manifest)


# --- reading an archive ----------------------------------------------------------------------


def read_manifest(archive: Path) -> dict:
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"The archive {archive} does not exist.")
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            member = tar.next()
            if member is None or member.name != MANIFEST:
                raise BackupError(
                    f"The archive {archive} is corrupt: it does not begin with {MANIFEST}."
                )
            handle = tar.extractfile(member)
            manifest = json.loads(handle.read()) if handle else None
    except (tarfile.TarError, EOFError, OSError, zlib.error, ValueError) as exc:
        raise BackupError(
            f"The archive {archive} is corrupt: member {MANIFEST} cannot be read ({exc})."
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != ARCHIVE_FORMAT:
        raise BackupError(f"The archive {archive} is not a MATIS backup ({ARCHIVE_FORMAT}).")
    return manifest


def _extract(archive: Path, target: Path, manifest: dict) -> None:
    """Extract every member, checking each against the manifest's digest; name the bad one."""
    expected = _expected_members(manifest)
    seen: set[str] = set()
    current = MANIFEST
    try:
        with tarfile.open(archive, mode="r:gz") as tar:
            for member in tar:
                current = member.name
                if member.name == MANIFEST:
                    continue
                if (
                    member.name not in expected
                    or not member.isfile()
                    or not _safe_member_name(member.name)
                ):
                    raise BackupError(
                        f"The archive {archive} is corrupt: member {member.name} is not in its manifest."
                    )
                destination = target / member.name
                destination.parent.mkdir(parents=True, exist_ok=True)
                digest = hashlib.sha256()
                source = tar.extractfile(member)
                with open(destination, "wb") as out:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        out.write(block)
                if digest.hexdigest() != expected[member.name]:
                    raise BackupError(
                        f"The archive {archive} is corrupt: member {member.name} does not match "
                        "the digest in its manifest."
                    )
                seen.add(member.name)
    except (tarfile.TarError, EOFError, zlib.error) as exc:
        raise BackupError(
            f"The archive {archive} is corrupt (truncated or damaged) at member {current}: {exc}"
        ) from None
    missing = sorted(set(expected) - seen)
    if missing:
        raise BackupError(f"The archive {archive} is corrupt: member {missing[0]} is missing.")


# --- verification ---------------------------------------------------------------------------


@dataclass
class Verification:
    tables: int = 0
    rows: int = 0
    encrypted_values: int = 0
    files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _live_row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def encrypted_fields() -> list[tuple[type, EncryptedMixin]]:
    """Every concrete encrypted column of every installed model."""
    return [
        (model, f)
        for model in apps.get_models()
        for f in model._meta.concrete_fields
        if isinstance(f, EncryptedMixin)
    ]


def check_encrypted_values(result: Verification, *, limit: int = 20) -> None:
    """Decrypt every stored encrypted value with the instance's key ring."""
    try:
        ring = load_keyring()
    except CaseKeysMissing as exc:
        result.problems.append(f"Case-data keys: {exc}")
        return
    existing = set(connection.introspection.table_names())
    failures = 0
    with connection.cursor() as cursor:
        for model, f in encrypted_fields():
            table = model._meta.db_table
            if table not in existing:
                continue
            qn = connection.ops.quote_name
            cursor.execute(
                f"SELECT {qn(model._meta.pk.column)}, {qn(f.column)} FROM {qn(table)} "  # noqa: S608
                f"WHERE {qn(f.column)} IS NOT NULL"
            )
            for pk, token in cursor.fetchall():
                result.encrypted_values += 1
                try:
                    decrypt(token, label=f.crypto_label, ring=ring)
                except DecryptionError as exc:
                    failures += 1
                    if failures <= limit:
                        result.problems.append(f"{table}.{f.column} row {pk}: {exc}")
    if failures > limit:
        result.problems.append(f"... and {failures - limit} more values that do not decrypt")


def verify_instance(manifest: dict) -> Verification:
    """Compare this instance with a backup's manifest (straight after a restore)."""
    from matis.access.models import AuditLog

    result = Verification()
    expected = manifest["database"]["row_counts"]
    live = _live_row_counts()
    audit_table = AuditLog._meta.db_table
    if audit_table in live:
        live[audit_table] -= _audit_rows_since(manifest["created_at"])
    for table, count in sorted(expected.items()):
        result.tables += 1
        result.rows += count
        if table not in live:
            result.problems.append(f"Table {table} is missing (the archive has {count} rows).")
        elif live[table] != count:
            result.problems.append(
                f"Table {table} has {live[table]} rows; the archive's manifest says {count}."
            )
    if "django_migrations" in live:
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations")
            applied = {tuple(r) for r in cursor.fetchall()}
        missing = {tuple(m) for m in manifest["migrations"]} - applied
        if missing:
            result.problems.append(
                f"{len(missing)} migrations of the archive are not applied, e.g. "
                f"{'.'.join(sorted(missing)[0])}."
            )
    check_encrypted_values(result)
    root = _media_root()
    for item in manifest["files"]:
        result.files += 1
        path = root / item["path"]
        if not path.is_file():
            result.problems.append(f"Uploaded file {item['path']} is missing from {root}.")
        elif _sha256_file(path) != item["sha256"]:
            result.problems.append(f"Uploaded file {item['path']} does not match its digest.")
    return result


# --- restore -----------------------------------------------------------------------------------


def instance_holds_data() -> str | None:
    """Why this instance is not empty (users, audit entries or uploaded files), or None."""
    from matis.access.models import AuditLog, User

    tables = set(connection.introspection.table_names())
    for model in (User, AuditLog):
        if model._meta.db_table in tables and model.objects.exists():
            return f"the database holds {model._meta.verbose_name_plural}"
    if next(media_files(), None) is not None:
        return f"{_media_root()} holds uploaded files"
    return None


def _check_migrations_known(manifest: dict) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    known = set(loader.disk_migrations)
    unknown = [m for m in manifest["migrations"] if tuple(m) not in known]
    if unknown:
        app, name = unknown[0]
        raise BackupError(
            f"The archive was made by a newer MATIS ({manifest['versions']['matis']}): migration "
            f"{app}.{name} is unknown here. Install that version (or newer) and restore again."
        )


def _ring_from_bundle(bundle: dict, keys_path: Path) -> KeyRing | None:
    text = bundle.get("case_key_file")
    if not text:
        return None
    try:
        return parse_key_file(text, where=f"key file {keys_path}")
    except CaseKeysMissing as exc:
        raise BackupError(str(exc)) from None


def _plan_keys(ring: KeyRing | None, *, force: bool) -> Path | None:
    """Where the restored case keys go (None: nothing to write). Raises before anything is written."""
    if ring is None:
        return None
    if settings.MATIS_CASE_KEYS:
        try:
            current = load_keyring()
        except CaseKeysMissing as exc:
            raise BackupError(f"MATIS_CASE_KEYS: {exc}") from None
        if current != ring:
            raise BackupError(
                "MATIS_CASE_KEYS / MATIS_CASE_INDEX_KEY differ from the keys in the key export. "
                "Set them from the export (`matis restore --secrets-out FILE`) or unset them and "
                "set MATIS_CASE_KEY_FILE so restore can write the keys."
            )
        return None
    path = configured_key_file()
    if path is None:
        raise BackupError(
            "No place for the case-data keys: set MATIS_CASE_KEY_FILE to a path outside "
            "MATIS_HOME and the database's folder, then restore again."
        )
    if path.exists() and not force:
        try:
            existing = parse_key_file(path.read_text(encoding="ascii"), where=str(path))
        except (CaseKeysMissing, OSError):
            existing = None
        if existing != ring:
            raise BackupError(
                f"The case key file {path} exists and holds other keys; restore with --force "
                "to replace it (keep a copy first)."
            )
    return path


def _restore_sqlite(dump: Path) -> None:
    target = Path(_database()["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    connections.close_all()
    source = sqlite3.connect(f"{dump.resolve().as_uri()}?mode=ro", uri=True)
    destination = sqlite3.connect(target, timeout=60)
    try:
        source.backup(destination)
    finally:
        destination.close()
        source.close()


def _restore_postgresql(dump: Path) -> None:
    pg_restore = pg_tool("pg_restore")
    connections.close_all()
    done = subprocess.run(  # noqa: S603
        [
            pg_restore,
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={_database()['NAME']}",
            str(dump),
        ],
        env=_pg_env(),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was changed): {done.stderr.strip()[-2000:]}")


def _restore_postgresql_copy(workdir: Path, manifest: dict) -> None:
    """The fallback format: migrate to the archive's state, then load every table with COPY."""
    from django.core.management.color import no_style
    from django.db.migrations.executor import MigrationExecutor

    latest: dict[str, str] = {}
    for app, name in manifest["migrations"]:
        latest[app] = name
    executor = MigrationExecutor(connection)
    targets = list(latest.items())
    executor.migrate(targets, plan=executor.migration_plan(targets))
    qn = connection.ops.quote_name
    tables = manifest["database"]["columns"]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"TRUNCATE {', '.join(qn(t) for t in tables)} RESTART IDENTITY CASCADE")
        for table, names in tables.items():
            statement = f"COPY {qn(table)} ({', '.join(qn(c) for c in names)}) FROM STDIN"
            path = workdir / f"{COPY_PREFIX}{table}.copy"
            with open(path, "rb") as source, cursor.cursor.copy(statement) as copy:
                while block := source.read(CHUNK):
                    copy.write(block)
        models = apps.get_models(include_auto_created=True)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _restore_files(source: Path) -> int:
    root = _media_root()
    count = 0
    if not source.is_dir():
        return 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        destination = root / path.relative_to(source)
        destination.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
        destination.chmod(0o600)
        count += 1
    return count


def write_secrets_env(bundle: dict, path: Path) -> None:
    """The export's secrets as ``NAME=value`` lines (mode 0600), for the service's environment."""
    values = dict(bundle.get("secrets", {}))
    files = bundle.get("files", {})
    if "MATIS_LINKAGE_SECRET_FILE" in files:
        values.setdefault("MATIS_LINKAGE_SECRET", files["MATIS_LINKAGE_SECRET_FILE"].strip())
    if "MATIS_EXCHANGE_KEY_FILE" in files:
        parts = files["MATIS_EXCHANGE_KEY_FILE"].split()
        if len(parts) == 2:
            values.setdefault("MATIS_EXCHANGE_KEY_ID", parts[0])
            values.setdefault("MATIS_EXCHANGE_SECRET", parts[1])
    lines = [f"{name}={value}" for name, value in sorted(values.items())]
    keyexport.write_private(Path(path), ("\n".join(lines) + "\n").encode("utf-8"))


@dataclass
class RestoreResult:
    manifest: dict
    verification: Verification
    key_file: Path | None
    secret_names: list[str]
    files: int


def backup_restore(
    *,
    archive: Path,
    keys: Path,
    passphrase: str,
    force: bool = False,
    secrets_out: Path | None = None,
    progress: Callable[[str], None] = lambda line: None,
) -> RestoreResult:
    """Restore an archive into this (empty) instance and verify it."""
    archive, keys = Path(archive), Path(keys)
    manifest = read_manifest(archive)
    vendor = manifest["database"]["vendor"]
    if vendor != _vendor():
        raise BackupError(
            f"The archive holds a {vendor} database but this instance uses {_vendor()}: "
            "restore into the same kind of database."
        )
    _check_migrations_known(manifest)
    progress("Unwrapping the keys ...")
    try:
        bundle = keyexport.unwrap(keys, passphrase=passphrase)
    except keyexport.KeyExportError as exc:
        raise BackupError(str(exc)) from None
    ring = _ring_from_bundle(bundle, keys)
    if ring is not None and manifest.get("case_keys") and _ring_ids(ring) != manifest["case_keys"]:
        raise BackupError(
            f"The key file {keys} holds other case-data keys than the archive {archive} was made "
            "with: use the key export written with this archive."
        )
    if not force:
        reason = instance_holds_data()
        if reason:
            raise BackupError(
                f"This instance is not empty ({reason}). Restore into a fresh instance, "
                "or add --force to overwrite it."
            )
    key_path = _plan_keys(ring, force=force)
    if manifest["database"].get("format") == "pg_dump":
        pg_tool("pg_restore")  # before anything is written

    with tempfile.TemporaryDirectory(prefix="matis-restore-") as tmp:
        workdir = Path(tmp)
        progress(f"Checking and extracting {archive} ...")
        _extract(archive, workdir, manifest)
        if key_path is not None:
            write_key_file(key_path, ring)
        if secrets_out:
            write_secrets_env(bundle, secrets_out)
        progress("Restoring the database ...")
        dump = workdir / manifest["database"]["member"]
        if vendor == "sqlite":
            _restore_sqlite(dump)
        elif manifest["database"].get("format") == "copy":
            _restore_postgresql_copy(workdir, manifest)
        else:
            _restore_postgresql(dump)
        progress("Restoring uploaded files ...")
        files = _restore_files(workdir / FILES_PREFIX.rstrip("/"))
    reset_keyring()
    progress("Verifying ...")
    verification = verify_instance(manifest)
    _audit_backup(
        AuditOperation.RESTORE,
        archive=archive,
        keys=keys,
        created_at=manifest["created_at"],
        forced=force,
        verified=verification.ok,
        problems=len(verification.problems),
    )
    return RestoreResult(
        manifest=manifest,
        verification=verification,
        key_file=key_path,
        secret_names=sorted(bundle.get("secrets", {})),
        files=files,
    )
