"""`matis demo` on a fresh data directory: sets up, serves, and a second run changes nothing."""

from __future__ import annotations

import http.cookiejar
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    env["MATIS_HOME"] = str(home)
    return env


def _matis(*args: str) -> list[str]:
    return [sys.executable, "-m", "matis.cli", *args]


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("matis-home")
    result = subprocess.run(
        _matis("demo", "--no-serve"), env=_env(home), capture_output=True, text=True, timeout=900
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "queued for the background worker" in result.stdout
    return home


@pytest.fixture(scope="module")
def prepared_home(demo_home) -> Path:
    """The demo home once the background parts are prepared (``--wait`` runs them)."""
    result = subprocess.run(
        _matis("demo", "--no-serve", "--wait"),
        env=_env(demo_home),
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    import sqlite3

    with sqlite3.connect(demo_home / "matis.sqlite3") as db:
        parts = dict(db.execute("select label, status from common_demojob").fetchall())
    assert parts == dict.fromkeys(
        ("returns", "justice", "reports", "analytics", "exchange"), "done"
    )
    return demo_home


def test_demo_serves_the_plan_to_a_demo_login(demo_home):
    port = _free_port()
    proc = subprocess.Popen(
        # no worker: the background parts stay queued, so their pages must say so
        _matis("demo", "--port", str(port), "--no-worker"),
        env=_env(demo_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 600
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            if "Press Ctrl+C" in line:
                break
        output = "".join(lines)
        assert f"http://127.0.0.1:{port}/" in output, output
        password = re.search(r"password for all: (\S+)\)", output).group(1)
        assert "taskforce.tha@matis.example" in output

        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/health/", timeout=2)
                break
            except OSError:
                time.sleep(0.1)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        login_page = opener.open(base + "/login/").read().decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login_page).group(1)
        form = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": "taskforce.tha@matis.example",
                "password": password,
            }
        ).encode()
        request = urllib.request.Request(
            base + "/login/", data=form, headers={"Referer": base + "/login/"}
        )
        opener.open(request)
        page = opener.open(base + "/plan/").read().decode()
        assert page.count("<tr data-activity=") == 30
        assert page.count("data-priority") == 9
        css = opener.open(base + "/static/matis/css/matis.css")
        assert css.status == 200
        reports = opener.open(base + "/reports/").read().decode()
        assert 'data-demo-preparing="reports"' in reports
        assert "are being prepared" in reports or "กำลังเตรียมข้อมูลสาธิต" in reports
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_second_demo_run_changes_nothing(prepared_home):
    demo_home = prepared_home
    before = (demo_home / "matis.sqlite3").stat().st_size
    result = subprocess.run(
        _matis("demo", "--no-serve"),
        env=_env(demo_home),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "already loaded, nothing changed" in result.stdout
    assert "0 agencies and 0 users created" in result.stdout
    import sqlite3

    with sqlite3.connect(demo_home / "matis.sqlite3") as db:
        loads = db.execute(
            "select count(*) from access_auditlog where action='registry_load'"
        ).fetchone()
    assert loads == (1,)
    assert (demo_home / "matis.sqlite3").stat().st_size >= before


def test_demo_refuses_a_busy_port(demo_home):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        result = subprocess.run(
            _matis("demo", "--port", str(port)),
            env=_env(demo_home),
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert result.returncode == 2
    assert f"port {port}" in result.stderr


def _children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (Linux /proc)."""
    found = set()
    for task in Path(f"/proc/{pid}/task").glob("*"):
        text = (task / "children").read_text() if (task / "children").exists() else ""
        found |= {int(p) for p in text.split()}
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_stopping_the_demo_stops_its_worker(demo_home, stop):
    port = _free_port()
    proc = subprocess.Popen(
        _matis("demo", "--port", str(port)),  # with its worker, busy with the queued parts
        env=_env(demo_home),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line or "Press Ctrl+C" in line:
                break
        workers = set()
        while time.monotonic() < deadline and not workers:
            workers = _children(proc.pid)
            time.sleep(0.2)
        assert workers, "the demo started no worker"
        time.sleep(3)  # the worker takes a queued demo part in hand
        started = time.monotonic()
        proc.send_signal(stop)
        assert proc.wait(timeout=30) == 0
        while any(_alive(w) for w in workers) and time.monotonic() - started < 20:
            time.sleep(0.2)
        assert not any(_alive(w) for w in workers), "the worker outlived the demo"
        assert time.monotonic() - started < 20
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
