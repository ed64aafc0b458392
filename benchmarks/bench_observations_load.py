"""Load test: the observations API under 32 signed-in users, PostgreSQL, 2.2M rows.

Issue 13, finding 20: ``/api/v1/statistics/observations/`` answered in 3.8 s
(p50) at 2.2M rows under a 20-user load. The target: p95 of the observations
API at most 3x the p95 of a trivial authenticated endpoint under the same load,
with no errors.

The benchmark loads N synthetic approved observations (default 2,200,000; the
generator of ``bench_statistics_import.py``) into a fresh PostgreSQL database,
starts the production server (``matis serve``: waitress, production settings,
plain HTTP on loopback) as a separate process, signs in U users through the
login page (default 32: half secretariat analysts who see every approved row,
half statistics officers who also see their country's drafts), and for S
seconds (default 120) has each user request, in random order:

* the observations API: a random filter (none, a country, an indicator, a year,
  or indicator and country), and on half of the lists the next one to three
  pages through the ``next`` cursor;
* the trivial authenticated endpoint (baseline): one validation rule by code,
  ``/api/v1/statistics/rules/NON_NEGATIVE/`` (session, user, DRF, one row).

It prints p50/p95/p99 of both, the error count, and the figure
p95(observations) / p95(trivial). Not run in CI (minutes of load on purpose).

    .venv/bin/python benchmarks/bench_observations_load.py [--rows 2200000]
        [--users 32] [--seconds 120] [--threads 8]
        [--database postgresql://postgres@127.0.0.1/matis_bench_observations_load]
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

from bench_statistics_import import SEED, setup_database
from bench_statistics_read import load

TARGET = 3.0
TRIVIAL = "/api/v1/statistics/rules/NON_NEGATIVE/"
OBSERVATIONS = "/api/v1/statistics/observations/"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2_200_000)
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=120.0)
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument(
        "--database", default="postgresql://postgres@127.0.0.1/matis_bench_observations_load"
    )
    return parser.parse_args(argv)


def quantile(samples: list[float], q: int) -> float:
    return statistics.quantiles(samples, n=100, method="inclusive")[q - 1]


def run_threads(threads: list[threading.Thread]) -> float:
    """Start the users' threads together, wait for all; the wall time in seconds."""
    began = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - began


def print_samples(users: int, elapsed: float, samples: dict[str, list[float]], errors: list):
    """Requests, rate and errors, then p50/p95/p99 of each kind of request."""
    total = sum(len(v) for v in samples.values())
    print(
        f"  {users} users for {elapsed:.0f} s: {total:,} requests "
        f"({total / elapsed:.1f}/s), {len(errors)} errors"
    )
    width = max(len(name) for name in samples)
    for name, values in samples.items():
        print(
            f"  {name:<{width}} n {len(values):6,}   p50 {1000 * statistics.median(values):7.1f} ms"
            f"   p95 {1000 * quantile(values, 95):7.1f} ms"
            f"   p99 {1000 * quantile(values, 99):7.1f} ms"
        )
    if errors:
        print(f"  errors (first 10): {errors[:10]}")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_users(n: int) -> list[tuple[str, str]]:
    from matis.access.models import Role, User
    from matis.common.models import COMMIT_COUNTRIES

    users = []
    for i in range(n):
        email = f"load{i}@bench.matis.example"
        password = secrets.token_urlsafe(18)
        if i % 2:
            User.objects.create_user(
                email=email, password=password, role=Role.SECRETARIAT_ANALYST,
                full_name=f"Load {i} (synthetic)",
            )  # fmt: skip
        else:
            User.objects.create_user(
                email=email, password=password, role=Role.STATISTICS_OFFICER,
                country_id=COMMIT_COUNTRIES[(i // 2) % len(COMMIT_COUNTRIES)],
                full_name=f"Load {i} (synthetic)",
            )  # fmt: skip
        users.append((email, password))
    return users


def server_env(database: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MATIS_", "DJANGO_"))}
    env.update(
        MATIS_ENV="production",
        MATIS_HOME=tempfile.mkdtemp(prefix="matis-bench-serve-"),
        MATIS_DATABASE_URL=database,
        MATIS_SECRET_KEY=secrets.token_urlsafe(50),
        MATIS_EXCHANGE_VAULT_KEY=secrets.token_urlsafe(40),
        MATIS_INSECURE_HTTP="1",  # loopback, no TLS proxy in front
        MATIS_ALLOWED_HOSTS="127.0.0.1",
        MATIS_LOG_LEVEL="ERROR",
        # the load is the point: the per-user API rate limit must not answer 429
        MATIS_API_RATE_USER="1000000/hour",
    )
    return env


def start_server(env: dict, port: int, threads: int) -> subprocess.Popen:
    cli = [sys.executable, "-m", "matis.cli"]
    subprocess.run([*cli, "manage", "collectstatic", "--noinput"], env=env, check=True,
                   capture_output=True)  # fmt: skip
    proc = subprocess.Popen(
        [*cli, "serve", "--port", str(port), "--no-worker", "--threads", str(threads)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:  # not listening yet, or too slow to answer
            time.sleep(0.3)
    proc.kill()
    sys.exit("the server did not start: " + proc.stderr.read().decode()[-2000:])


class Session:
    """One signed-in browser-like client (cookies, CSRF) on the server."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, url: str) -> tuple[int, bytes]:
        if url.startswith("/"):
            url = self.base + url
        try:
            with self.opener.open(url, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read()

    def login(self, email: str, password: str) -> None:
        status, page = self.get("/login/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        assert status == 200 and token, status
        body = urllib.parse.urlencode(
            {"username": email, "password": password, "csrfmiddlewaretoken": token[1].decode()}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 built above
            self.base + "/login/", data=body, headers={"Referer": self.base + "/login/"}
        )
        with self.opener.open(request, timeout=60) as response:
            response.read()
        status, _ = self.get(TRIVIAL)
        assert status == 200, f"{email} is not signed in ({status})"


def observation_requests(rng: random.Random, indicators: list[str], countries: list[str]):
    """The first page of a random listing, and how many further pages to follow."""
    choice = rng.randrange(5)
    params: dict = {}
    if choice == 1:
        params["country"] = rng.choice(countries)
    elif choice == 2:
        params["indicator"] = rng.choice(indicators)
    elif choice == 3:
        params["year"] = rng.randint(1993, 2022)
    elif choice == 4:
        params.update(indicator=rng.choice(indicators), country=rng.choice(countries))
    query = urllib.parse.urlencode(params)
    follow = rng.randint(1, 3) if rng.random() < 0.5 else 0
    return OBSERVATIONS + (f"?{query}" if query else ""), follow


def user_loop(session, deadline, rng, indicators, countries, samples, errors, lock):
    import json

    while time.monotonic() < deadline:
        if rng.random() < 0.5:
            began = time.perf_counter()
            status, _ = session.get(TRIVIAL)
            took = time.perf_counter() - began
            with lock:
                samples["trivial"].append(took)
                if status != 200:
                    errors.append(("trivial", status))
            continue
        url, follow = observation_requests(rng, indicators, countries)
        for _ in range(1 + follow):
            began = time.perf_counter()
            status, body = session.get(url)
            took = time.perf_counter() - began
            with lock:
                samples["observations"].append(took)
                if status != 200:
                    errors.append(("observations", status))
            if status != 200:
                break
            url = json.loads(body)["next"]
            if not url:
                break


def main(argv=None) -> int:
    args = parse_args(argv)
    if not args.database.startswith("postgresql://"):
        sys.exit("the load test runs on PostgreSQL (--database postgresql://...)")
    where = setup_database(args.database, "observations-load")
    from matis.common.models import COMMIT_COUNTRIES
    from matis.official_statistics.models import Observation, StatisticalIndicator

    print(f"MATIS observations API load test · {args.rows:,} observations · {where}")
    started = time.perf_counter()
    load(args.rows)
    n_rows = Observation.objects.count()
    print(f"  loaded {n_rows:,} approved observations in {time.perf_counter() - started:.1f} s")
    users = make_users(args.users)
    indicators = list(StatisticalIndicator.objects.values_list("code", flat=True))
    countries = list(COMMIT_COUNTRIES)
    from django.db import connections

    connections.close_all()

    port = free_port()
    server = start_server(server_env(args.database), port, args.threads)
    try:
        base = f"http://127.0.0.1:{port}"
        sessions = []
        for email, password in users:
            session = Session(base)
            session.login(email, password)
            sessions.append(session)
        print(f"  {len(sessions)} users signed in; server: waitress, {args.threads} threads")
        samples: dict[str, list[float]] = {"observations": [], "trivial": []}
        errors: list = []
        lock = threading.Lock()
        # warm-up, then the measured run
        for seconds in (10.0, args.seconds):
            for values in samples.values():
                values.clear()
            errors.clear()
            deadline = time.monotonic() + seconds
            threads = [
                threading.Thread(
                    target=user_loop,
                    args=(
                        s,
                        deadline,
                        random.Random(SEED + i),
                        indicators,
                        countries,
                        samples,
                        errors,
                        lock,
                    ),
                )
                for i, s in enumerate(sessions)
            ]
            elapsed = run_threads(threads)
        print_samples(args.users, elapsed, samples, errors)
        ratio = quantile(samples["observations"], 95) / quantile(samples["trivial"], 95)
        ok = ratio <= TARGET and not errors
        print(
            f"  ratio p95(observations API) / p95(trivial authenticated endpoint) = {ratio:.2f}"
            f"   (target <= {TARGET:.0f}, 0 errors: {'met' if ok else 'NOT met'})"
        )
        return 0 if ok else 1
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
