"""The container layout (deploy/Dockerfile, deploy/compose.yaml) as far as a machine without Docker allows.

No image is built here (no Docker engine): the compose file is parsed and
checked against the Dockerfile, the entrypoint and the admin guide, and the
entrypoint runs outside a container exactly as the image runs it (`web` and
`worker`, each its own process) against a fresh PostgreSQL database.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
ENTRYPOINT = DEPLOY / "docker-entrypoint.sh"
ADMIN_GUIDE = ROOT / "docs" / "admin-guide.md"
# The entrypoint's `matis` imports this checkout, as the pytest process does.
PYTHONPATH = os.pathsep.join([str(ROOT / "src"), str(ROOT / "tipstats" / "src")])


def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def dockerfile_instructions() -> list[tuple[str, str]]:
    text = (DEPLOY / "Dockerfile").read_text().replace("\\\n", " ")
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            rows.append((word.upper(), rest.strip()))
    return rows


def entrypoint_commands() -> set[str]:
    return set(re.findall(r"^  ([a-z]+)\)$", ENTRYPOINT.read_text(), re.M))


def test_compose_runs_postgres_web_and_worker_from_one_image():
    services = compose()["services"]
    assert set(services) == {"postgres", "web", "worker"}
    web, worker = services["web"], services["worker"]
    for service in (web, worker):
        assert service["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
        assert service["image"] == web["image"]
        assert (DEPLOY / ".." / service["build"]["dockerfile"]).resolve().is_file()
        assert service["depends_on"]["postgres"]["condition"] == "service_healthy"
        assert service["volumes"] == ["matis-home:/var/lib/matis"]  # shared files
    assert web["command"] == ["web"] and worker["command"] == ["worker"]
    assert {"web", "worker"} <= entrypoint_commands()
    assert web["ports"] == ["127.0.0.1:8000:8000"]  # only the host's TLS proxy reaches it


def test_compose_configuration_is_documented_and_holds_no_secret():
    documented = set(re.findall(r"`(MATIS_[A-Z0-9_]+)`", ADMIN_GUIDE.read_text()))
    services = compose()["services"]
    for name in ("web", "worker"):
        environment = services[name]["environment"]
        assert set(environment) - documented == set()
        for key in ("MATIS_SECRET_KEY", "MATIS_METRICS_TOKEN", "MATIS_DATABASE_URL"):
            assert "${" in environment[key], f"{key} must come from .env, not the file"
    example = (DEPLOY / "compose.env.example").read_text()
    assert re.search(r"^MATIS_SECRET_KEY=$", example, re.M)
    assert re.search(r"^MATIS_DB_PASSWORD=$", example, re.M)


def test_the_trusted_proxy_is_the_compose_network_gateway():
    gateway = compose()["networks"]["default"]["ipam"]["config"][0]["gateway"]
    for name in ("web", "worker"):
        assert compose()["services"][name]["environment"]["MATIS_TRUSTED_PROXY"] == gateway


def test_the_dockerfile_copies_what_exists_and_starts_the_entrypoint():
    instructions = dockerfile_instructions()
    copies = [rest.split() for word, rest in instructions if word == "COPY"]
    for *sources, _target in copies:
        for source in sources:
            assert (ROOT / source).exists(), source
    assert ["deploy/docker-entrypoint.sh", "/usr/local/bin/matis-entrypoint"] in copies
    assert ("ENTRYPOINT", '["matis-entrypoint"]') in instructions
    assert ("CMD", '["web"]') in instructions
    assert ("USER", "matis") in instructions
    assert os.access(ENTRYPOINT, os.X_OK)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def postgres_url():
    psycopg = pytest.importorskip("psycopg")
    admin_url = "postgresql://postgres@127.0.0.1/postgres"
    name = f"matis_test_entrypoint_{os.getpid()}"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError:
        pytest.skip("no local PostgreSQL server")
    with admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql://postgres@127.0.0.1/{name}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _get(url: str, **headers) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


@pytest.mark.slow
def test_entrypoint_runs_web_and_worker_as_separate_processes(tmp_path, postgres_url):
    port = _free_port()
    token = secrets.token_urlsafe(32)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=PYTHONPATH,
        MATIS_ENV="production",
        MATIS_HOME=str(tmp_path / "home"),
        MATIS_DATABASE_URL=postgres_url,
        MATIS_SECRET_KEY=secrets.token_urlsafe(64),
        MATIS_ALLOWED_HOSTS="127.0.0.1",
        MATIS_TRUSTED_PROXY="127.0.0.1",
        MATIS_LOG_FORMAT="json",
        MATIS_METRICS_TOKEN=token,
        MATIS_BIND="127.0.0.1",
        MATIS_PORT=str(port),
        MATIS_THREADS="2",
        MATIS_WAIT_SECONDS="1200",
    )
    assert Path(sys.executable).with_name("matis").exists()
    # Each in its own process group, as a container is: a stop reaches the
    # command the entrypoint is running even before it has exec'ed the server.
    run = {
        "env": env,
        "stdout": subprocess.PIPE,
        "stderr": subprocess.PIPE,
        "text": True,
        "start_new_session": True,
    }
    # The worker starts first, as compose may start it: it waits for the migrations.
    worker = subprocess.Popen([str(ENTRYPOINT), "worker"], **run)
    web = subprocess.Popen([str(ENTRYPOINT), "web"], **run)
    try:
        # migrate, collectstatic and plans load first: minutes on a busy machine
        deadline = time.monotonic() + 1200
        status = None
        while time.monotonic() < deadline and web.poll() is None:
            try:
                status, _ = _get(f"http://127.0.0.1:{port}/health/")
                break
            except OSError:
                time.sleep(1)
        assert status == 200, web.communicate(timeout=5) if web.poll() is not None else status
        assert _get(f"http://127.0.0.1:{port}/metrics/")[0] == 403  # loopback, but a token is set
        status, body = _get(f"http://127.0.0.1:{port}/metrics/", Authorization=f"Bearer {token}")
        assert status == 200
        assert b"matis_exchange_outbox_items" in body and b"matis_task_queue_jobs" in body
        # the worker went on to `matis worker` once the database was migrated
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            cmdline = Path(f"/proc/{worker.pid}/cmdline").read_bytes().split(b"\0")
            if b"worker" in cmdline and not any(b"entrypoint" in part for part in cmdline):
                break
            assert worker.poll() is None, worker.communicate(timeout=5)
            time.sleep(1)
        else:
            pytest.fail(f"the worker is still waiting: {cmdline}")
        time.sleep(2)
        assert worker.poll() is None
    finally:
        for proc in (web, worker):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        _, web_err = web.communicate(timeout=60)
        worker.communicate(timeout=60)
    assert web.returncode == 0, web_err
    assert worker.returncode == 0
    # the web server's log is JSON, one object a line, with the request id
    request_lines = [json.loads(line) for line in web_err.splitlines() if '"matis.request"' in line]
    assert any(line["route"] == "health/" and line["request_id"] for line in request_lines)


def test_entrypoint_passes_other_commands_to_matis(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    env.update(
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
        PYTHONPATH=PYTHONPATH,
        MATIS_ENV="test",
        MATIS_HOME=str(tmp_path),
    )
    result = subprocess.run(
        [str(ENTRYPOINT), "manage", "check"], env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
