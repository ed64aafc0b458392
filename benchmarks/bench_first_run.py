"""Benchmark: the first run of the demo on a fresh data directory, against `matis manage migrate`.

Baseline: ``matis manage migrate`` on an empty database in a fresh MATIS_HOME
(a process of its own, so interpreter start and Django set-up count on both
sides). Measured: ``matis demo`` in another fresh MATIS_HOME, from the start
of the process to the first 200 answer on ``/login/``; the phases the demo
prints (migrations, each demo loader) are shown with their times. After that,
unless ``--no-background``, the time until the background worker has prepared
the rest of the demo data (exchange rounds, annual reports, analyses) is shown
too; it is not part of the ratio. Both are measured in this run, one after
the other, with the package installed.

    .venv/bin/python benchmarks/bench_first_run.py [--no-background] [--timeout 900]

Target: ratio <= 3.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

TARGET = 3.0
MATIS = [sys.executable, "-m", "matis.cli"]


def _env(home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    env["MATIS_HOME"] = str(home)
    env["MATIS_LOG_LEVEL"] = "ERROR"
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def time_migrate(root: Path) -> float:
    home = root / "migrate"
    home.mkdir()
    env = _env(home) | {"MATIS_ENV": "demo"}  # the demo profile: SQLite in MATIS_HOME
    started = time.monotonic()
    subprocess.run([*MATIS, "manage", "migrate", "-v0"], env=env, check=True)
    return time.monotonic() - started


def _status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:  # noqa: S310 - loopback
            return answer.status
    except urllib.error.HTTPError as exc:
        return exc.code
    except OSError:
        return None


def time_demo(root: Path, *, background: bool, timeout: float) -> dict:
    home = root / "demo"
    home.mkdir()
    port = _free_port()
    lines: list[tuple[float, str]] = []
    started = time.monotonic()
    proc = subprocess.Popen(
        [*MATIS, "demo", "--port", str(port)],
        env=_env(home),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )

    def read() -> None:
        for line in proc.stdout:
            lines.append((time.monotonic() - started, line.rstrip()))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result: dict = {"phases": lines}
    try:
        login = f"http://127.0.0.1:{port}/login/"
        while time.monotonic() - started < timeout:
            if proc.poll() is not None:
                raise RuntimeError(f"matis demo stopped ({proc.returncode})")
            if _status(login) == 200:
                result["first_200"] = time.monotonic() - started
                break
            time.sleep(0.1)
        else:
            raise RuntimeError(f"no 200 on /login/ within {timeout} s")
        if background:
            db = home / "matis.sqlite3"
            while time.monotonic() - started < timeout:
                with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10) as conn:
                    rows = conn.execute("select label, status from common_demojob").fetchall()
                if rows and all(status in ("done", "failed") for _label, status in rows):
                    result["background_done"] = time.monotonic() - started
                    result["background"] = rows
                    break
                time.sleep(1)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-background", action="store_true")
    parser.add_argument("--timeout", type=float, default=900)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="matis-bench-first-run-") as tmp:
        root = Path(tmp)
        migrate = time_migrate(root)
        print(f"baseline: matis manage migrate on an empty database  {migrate:7.1f} s")
        demo = time_demo(root, background=not args.no_background, timeout=args.timeout)
        print("matis demo on a fresh MATIS_HOME (seconds from start, as printed):")
        timed = re.compile(r"^\s+\S.*\(\d+\.\d s\)$|migrations|ready to serve|Open http")
        for at, line in demo["phases"]:
            if timed.search(line) or "queued" in line:
                print(f"  {at:7.1f}  {line.strip()}")
        first = demo["first_200"]
        print(f"first 200 on /login/                                 {first:7.1f} s")
        if "background_done" in demo:
            parts = ", ".join(f"{label} {status}" for label, status in demo["background"])
            print(
                f"background demo data prepared                       "
                f"{demo['background_done']:7.1f} s  ({parts})"
            )
        ratio = first / migrate
        print(f"ratio first 200 / migrate: {ratio:.2f}  (target <= {TARGET:g})")
        return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
