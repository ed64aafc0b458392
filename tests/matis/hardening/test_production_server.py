"""Production as the admin guide installs it: static manifest, TLS proxy, worker, files.

Security review findings 1, 2, 3, 4 and 6 (issue 13). Each test runs the real
``matis`` command in a subprocess with ``MATIS_ENV=production``.
"""

from __future__ import annotations

import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _production_env(home: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    env.update(
        MATIS_ENV="production",
        MATIS_HOME=str(home),
        MATIS_SECRET_KEY=secrets.token_urlsafe(64),
        MATIS_ALLOWED_HOSTS="matis.example,127.0.0.1",
        MATIS_LOG_LEVEL="ERROR",
    )
    env.update(extra)
    return env


def _matis(*args: str) -> list[str]:
    return [sys.executable, "-m", "matis.cli", *args]


def _run(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(_matis(*args), env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def production_home(tmp_path_factory) -> tuple[Path, dict]:
    home = tmp_path_factory.mktemp("matis-prod")
    env = _production_env(home)
    migrated = _run(env, "manage", "migrate", "--noinput")
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    collected = _run(env, "manage", "collectstatic", "--noinput")
    assert collected.returncode == 0, collected.stderr[-3000:]
    return home, env


class _Server:
    def __init__(self, env: dict, *extra_args: str):
        self.port = _free_port()
        self.proc = subprocess.Popen(
            _matis("serve", "--port", str(self.port), *extra_args),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"server exited: {self.proc.stderr.read()[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        raise AssertionError("server did not start")

    def get(self, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", path, headers={"Host": "matis.example", **(headers or {})})
        response = conn.getresponse()
        response.read()
        conn.close()
        return response

    def children(self) -> list[int]:
        path = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(p) for p in path.read_text().split()] if path.exists() else []

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def test_finding_01_collectstatic_writes_a_manifest_with_every_page_asset(production_home):
    home, _env = production_home
    manifest = json.loads((home / "static" / "staticfiles.json").read_text())["paths"]
    for asset in (
        "matis/img/favicon.svg",
        "vendor/vega/vega-lite.min.js",
        "vendor/vega/vega-embed.min.js",
        "vendor/vega/vega-interpreter.js",
    ):
        assert asset in manifest, asset


def test_finding_02_behind_the_tls_proxy_login_answers_with_hsts(production_home):
    _home, env = production_home
    server = _Server(dict(env, MATIS_TRUSTED_PROXY="127.0.0.1"), "--no-worker")
    try:
        proxied = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}
        login = server.get("/login/", proxied)
        assert login.status == 200
        assert login.getheader("Strict-Transport-Security", "").startswith("max-age=")
        cookies = login.getheader("Set-Cookie", "")
        assert "csrftoken=" in cookies and "Secure" in cookies
        assert server.get("/static/matis/img/favicon.svg", proxied).status in (200, 404)
        # The proxy terminates TLS; a plain request that did not come through it
        # is sent to https, and the language switch never points back to http.
        plain = server.get("/login/")
        assert plain.status == 301
        assert plain.getheader("Location") == "https://matis.example/login/"
        page = server.get("/", proxied)
        assert page.status == 302 and not page.getheader("Location").startswith("http://")
    finally:
        server.stop()


def test_finding_02_forwarded_headers_are_ignored_without_a_trusted_proxy(production_home):
    _home, env = production_home
    server = _Server(env, "--no-worker")
    try:
        forged = server.get("/login/", {"X-Forwarded-Proto": "https"})
        assert forged.status == 301  # not believed: the client reached the server directly
    finally:
        server.stop()


def test_finding_03_sigterm_stops_the_server_and_its_worker(production_home):
    _home, env = production_home
    server = _Server(dict(env, MATIS_TRUSTED_PROXY="127.0.0.1"))
    deadline = time.monotonic() + 60
    while not server.children() and time.monotonic() < deadline:
        time.sleep(0.2)
    workers = server.children()
    assert workers, "the server started no worker"
    server.stop()
    assert server.proc.returncode is not None
    deadline = time.monotonic() + 30
    while any(Path(f"/proc/{pid}").exists() for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    still = [
        pid
        for pid in workers
        if Path(f"/proc/{pid}").exists()
        and "Z" not in Path(f"/proc/{pid}/stat").read_text().split()[2]
    ]
    assert still == []


def test_finding_04_a_weak_secret_key_is_refused(tmp_path):
    for weak in ("k", "ab" * 40, "abcdefgh" * 7):
        env = _production_env(tmp_path, MATIS_SECRET_KEY=weak)
        result = subprocess.run(
            [sys.executable, "-c", "import matis.settings"], env=env, capture_output=True, text=True
        )
        assert result.returncode != 0, weak
        assert "MATIS_SECRET_KEY is too weak" in result.stderr
    strong = _production_env(tmp_path)
    result = subprocess.run(
        [sys.executable, "-c", "import matis.settings"], env=strong, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_finding_06_database_and_stored_files_are_private(production_home):
    home, env = production_home
    assert (home / "matis.sqlite3").stat().st_mode & 0o077 == 0
    store = (
        "from django.core.files.base import ContentFile;"
        "from django.core.files.storage import default_storage as s;"
        "print(s.path(s.save('evidence/2013/note.txt', ContentFile(b'x'))))"
    )
    saved = _run(env, "manage", "shell", "-c", store)
    assert saved.returncode == 0, saved.stderr[-2000:]
    stored = Path(saved.stdout.strip().splitlines()[-1])
    assert stored.read_bytes() == b"x"
    assert stored.stat().st_mode & 0o077 == 0
    for folder in (stored.parent, stored.parent.parent, home / "files"):
        assert folder.stat().st_mode & 0o077 == 0, folder
