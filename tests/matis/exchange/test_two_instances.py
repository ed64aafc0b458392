"""Two real servers on loopback: a national instance pushes to the hub; the hub dies mid-transfer.

Each instance is a ``matis serve`` process with its own SQLite database in
its own MATIS_HOME, in the production profile. The push is driven with
``matis exchange push``. The hub is killed (SIGKILL) after it has stored a
few items and restarted; afterwards every queued item is at the hub exactly
once.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

N_CASES = 12
HERE = Path(__file__).parent
MATIS = [sys.executable, "-m", "matis.cli"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def base_env(home: Path, role: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    env.update(
        MATIS_ENV="production",
        MATIS_HOME=str(home),
        MATIS_ROLE=role,
        MATIS_SECRET_KEY=secrets.token_urlsafe(50),
        MATIS_EXCHANGE_VAULT_KEY=secrets.token_urlsafe(40),
        MATIS_INSECURE_HTTP="1",
        MATIS_ALLOWED_HOSTS="127.0.0.1",
        MATIS_LOG_LEVEL="ERROR",
    )
    return env


def run(env, *args, timeout=180) -> str:
    done = subprocess.run(
        [*MATIS, *args] if args[0] != "python" else [sys.executable, *args[1:]],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (args, done.stdout[-2000:], done.stderr[-4000:])
    return done.stdout


def serve(env, port) -> subprocess.Popen:
    proc = subprocess.Popen(
        [*MATIS, "serve", "--port", str(port), "--no-worker", "--threads", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.2)
        assert proc.poll() is None, proc.stderr.read().decode()[-3000:]
    raise AssertionError(f"server on {port} did not start")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
        return conn.execute(sql).fetchone()[0]


@pytest.fixture(scope="module")
def migrated_db(tmp_path_factory) -> Path:
    """One migrated empty database, copied for each instance (migrating twice is slow)."""
    home = tmp_path_factory.mktemp("template")
    run(base_env(home, "national"), "manage", "migrate", "-v0", timeout=600)
    return home / "matis.sqlite3"


def test_hub_stopped_mid_transfer_every_item_arrives_exactly_once(tmp_path, migrated_db):
    hub_home, nat_home = tmp_path / "hub", tmp_path / "tha"
    for home in (hub_home, nat_home):
        home.mkdir()
        shutil.copy(migrated_db, home / "matis.sqlite3")
    hub_db, nat_db = hub_home / "matis.sqlite3", nat_home / "matis.sqlite3"
    hub_port, nat_port = free_port(), free_port()

    hub_env = base_env(hub_home, "regional")
    secret_file = tmp_path / "tha-secret"
    secret_file.write_text(secrets.token_urlsafe(32))
    run(hub_env, "exchange", "keys", "add", "--country", "THA", "--key-id", "tha-1",
        "--secret-file", str(secret_file))  # fmt: skip

    key_file = tmp_path / "case-keys"
    key_file.write_text(
        f"index {base64.b64encode(secrets.token_bytes(32)).decode()}\n"
        f"data {base64.b64encode(secrets.token_bytes(32)).decode()}\n"
    )
    key_file.chmod(0o600)
    nat_env = base_env(nat_home, "national")
    nat_env.update(
        MATIS_COUNTRY="THA",
        MATIS_CASE_KEY_FILE=str(key_file),
        MATIS_LINKAGE_SECRET=secrets.token_urlsafe(24),
        MATIS_EXCHANGE_HUB_URL=f"http://127.0.0.1:{hub_port}/",
        MATIS_EXCHANGE_KEY_FILE=str(tmp_path / "tha-key"),
        MATIS_EXCHANGE_BACKOFF_BASE="0.3",
        MATIS_EXCHANGE_BACKOFF_MAX="1.5",
    )
    (tmp_path / "tha-key").write_text(f"tha-1 {secret_file.read_text()}")

    queued = int(run(nat_env, "python", str(HERE / "seed_national.py"), str(N_CASES)).strip())
    assert queued == N_CASES + 1  # one token per person, one de-identified release

    hub = serve(hub_env, hub_port)
    national = serve(nat_env, nat_port)
    push = None
    try:
        push = subprocess.Popen(
            [*MATIS, "exchange", "push", "--pause", "0.25", "--until-empty",
             "--max-seconds", "120", "--poll", "0.3"],
            env=nat_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while count(hub_db, "select count(*) from exchange_inboxitem") < 3:
            assert time.monotonic() < deadline, "the hub received nothing"
            time.sleep(0.05)
        stop(hub)  # mid-transfer: the hub dies without warning
        time.sleep(1.5)
        at_hub = count(hub_db, "select count(*) from exchange_inboxitem")
        waiting = count(nat_db, "select count(*) from exchange_outboxitem where status='pending'")
        assert 3 <= at_hub < queued and waiting > 0, (at_hub, waiting)
        assert count(nat_db, "select max(attempts) from exchange_outboxitem") >= 1

        hub = serve(hub_env, hub_port)  # back again
        out, err = push.communicate(timeout=150)
        assert push.returncode == 0, (out, err[-3000:])
        summary = json.loads(out.strip().splitlines()[-1])
        assert summary["unreachable"] is True and summary["pending"] == 0

        sent_keys = {
            row[0]
            for row in sqlite3.connect(nat_db).execute(
                "select idempotency_key from exchange_outboxitem where status='sent'"
            )
        }
        assert len(sent_keys) == queued
        assert count(nat_db, "select count(*) from exchange_outboxitem where status!='sent'") == 0
        hub_keys = [
            row[0]
            for row in sqlite3.connect(hub_db).execute(
                "select idempotency_key from exchange_inboxitem"
            )
        ]
        assert len(hub_keys) == queued  # count at the hub = count sent
        assert set(hub_keys) == sent_keys  # and no duplicates
        assert count(hub_db, "select count(*) from exchange_linkagetoken") == N_CASES

        # an acknowledgement lost on the way back: the national side sends again
        with sqlite3.connect(nat_db) as conn:
            conn.execute(
                "update exchange_outboxitem set status='pending' where id = "
                "(select min(id) from exchange_outboxitem)"
            )
        again = json.loads(run(nat_env, "exchange", "push", "--now").strip().splitlines()[-1])
        assert again["sent"] == 1 and again["duplicates"] == 1
        assert count(hub_db, "select count(*) from exchange_inboxitem") == queued

        # the national instance fetches its alerts with a signed GET (none: one country only)
        pulled = json.loads(run(nat_env, "exchange", "pull-alerts").strip().splitlines()[-1])
        assert pulled == {"new_alerts": 0}
        with urllib.request.urlopen(f"http://127.0.0.1:{nat_port}/health/", timeout=5) as r:
            assert r.status == 200
        # nothing personal reached the hub's database file
        raw = b"".join(p.read_bytes() for p in hub_home.glob("matis.sqlite3*"))
        for syllable in ("Sanmai", "Linna", "worker@synthetic"):
            assert syllable.encode() not in raw
    finally:
        if push is not None and push.poll() is None:
            push.kill()
        stop(hub)
        stop(national)
