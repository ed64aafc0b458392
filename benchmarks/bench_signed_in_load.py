"""Load test: 32 signed-in users on dashboards, lists and the API, PostgreSQL, demo data.

Issue 15 (deployment): the production server (``matis serve``: waitress,
production settings, plain HTTP on loopback, the worker as its own process as
in the production layout) answers 32 users at once with no errors.

The benchmark loads the demo data set (every app's ``demo_loader``, the same
synthetic data ``matis demo`` shows) into a fresh PostgreSQL database, adds U
synthetic users (default 32) spread over the roles and countries, starts
``matis serve --no-worker`` and ``matis worker`` as separate processes, and
signs every user in through the login page. Each user's pages are what the
user's menu offers (home dashboard, the lists and dashboards of each app) and
the API lists its role may read (from the API root, ``/api/v1/``; a list the
role may not read, 403, is left out before the run, anything else but 200
stops the benchmark). For S seconds (default 120) each user requests, in
random order:

* a page of the menu (dashboards and lists), or an API list (first page);
* the trivial authenticated endpoint (baseline): one validation rule by code,
  ``/api/v1/statistics/rules/NON_NEGATIVE/`` (session, user, DRF, one row).

It prints p50/p95/p99 of pages, API lists and the baseline, the error count,
and p95(pages and API) / p95(trivial) from the same run. The exit status is
1 when any request failed. Not run in CI (minutes of load on purpose).

    .venv/bin/python benchmarks/bench_signed_in_load.py [--users 32] [--duration 120]
        [--threads 8] [--database postgresql://postgres@127.0.0.1/matis_bench_signed_in_load]
        [--reuse MATIS_HOME-of-a-previous-run]   # skip the (minutes long) demo load
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import subprocess
import sys
import threading
import time
from pathlib import Path

from bench_observations_load import (
    Session,
    free_port,
    print_samples,
    quantile,
    run_threads,
    server_env,
    start_server,
)
from bench_statistics_import import SEED, setup_database

TRIVIAL = "/api/v1/statistics/rules/NON_NEGATIVE/"
MENU = re.compile(rb'<nav class="main-nav".*?</nav>', re.S)
HREF = re.compile(rb'href="([^"]+)"')

# (role, country) of the synthetic users, in turn: national roles in several
# countries, the secretariat region-wide.
ROLES = [
    ("secretariat_analyst", None),
    ("task_force_officer", "THA"),
    ("statistics_officer", "VNM"),
    ("case_worker", "THA"),
    ("case_supervisor", "THA"),
    ("justice_officer", "THA"),
    ("task_force_officer", "KHM"),
    ("auditor", None),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=32)
    parser.add_argument(
        "--duration", type=float, default=120.0, help="seconds of measured load (default 120)"
    )
    parser.add_argument("--warmup", type=float, default=10.0, help="seconds of unmeasured load")
    parser.add_argument("--threads", type=int, default=8, help="waitress threads")
    parser.add_argument(
        "--database", default="postgresql://postgres@127.0.0.1/matis_bench_signed_in_load"
    )
    parser.add_argument(
        "--reuse",
        metavar="HOME",
        help="reuse the database a previous run loaded, with that run's MATIS_HOME "
        "(printed by it): skips the demo load",
    )
    return parser.parse_args(argv)


def reuse_database(database: str, home: str) -> str:
    """Point Django at a database a previous run loaded (and its MATIS_HOME: the demo keys)."""
    os.environ.update(MATIS_ENV="demo", MATIS_HOME=home, MATIS_DATABASE_URL=database)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")
    import django

    django.setup()
    from matis.access.models import User

    User.objects.filter(email__endswith="@bench.matis.example").delete()
    return f"reused {database}"


def make_users(n: int) -> list[tuple[str, str, str]]:
    """(email, password, role/country) of n synthetic users."""
    from matis.access.models import User

    users = []
    for i in range(n):
        role, country = ROLES[i % len(ROLES)]
        email = f"load{i}@bench.matis.example"
        password = secrets.token_urlsafe(18)
        User.objects.create_user(
            email=email, password=password, role=role, country_id=country,
            full_name=f"Load {i} (synthetic)",
        )  # fmt: skip
        users.append((email, password, f"{role}/{country or 'region'}"))
    return users


def menu_pages(session: Session) -> list[str]:
    """The home dashboard and every page the user's menu links to."""
    status, page = session.get("/")
    assert status == 200, f"home page: {status}"
    nav = MENU.search(page)
    assert nav is not None, "no menu on the home page"
    links = [h.decode() for h in HREF.findall(nav.group(0))]
    return ["/", *sorted({h for h in links if h.startswith("/") and h != "/"})]


def api_lists(session: Session) -> list[str]:
    """The API lists this user may read: every list of the API root that answers 200."""
    status, body = session.get("/api/v1/")
    assert status == 200, f"API root: {status}"
    readable = []
    for url in sorted(json.loads(body).values()):
        status, _ = session.get(url)
        if status == 200:
            readable.append(url)
        elif status != 403:
            sys.exit(f"probing the API lists: {url} answered {status}")
    return readable


def user_loop(session, urls, deadline, rng, samples, errors, lock):
    while time.monotonic() < deadline:
        if rng.random() < 0.5:
            kind, url = "trivial", TRIVIAL
        else:
            kind, url = rng.choice(urls)
        began = time.perf_counter()
        status, _ = session.get(url)
        took = time.perf_counter() - began
        with lock:
            samples[kind].append(took)
            if status != 200:
                errors.append((url, status))


def machine_load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min) {five:.2f} (5 min) on {os.cpu_count()} CPUs"


def main(argv=None) -> int:
    args = parse_args(argv)
    if not args.database.startswith("postgresql://"):
        sys.exit("the load test runs on PostgreSQL (--database postgresql://...)")
    if args.reuse:
        where = reuse_database(args.database, args.reuse)
    else:
        where = setup_database(args.database, "signed-in-load")
    from django.conf import settings

    from matis.common.demo import run_demo_loaders

    print(f"MATIS signed-in load test · {args.users} users · {where}", flush=True)
    print(f"  MATIS_HOME (for --reuse): {settings.MATIS_HOME}", flush=True)
    print(f"  before: {machine_load()}", flush=True)
    if not args.reuse:
        started = time.perf_counter()
        run_demo_loaders(progress=lambda line: None)
        print(f"  demo data loaded in {time.perf_counter() - started:.1f} s", flush=True)
    users = make_users(args.users)
    demo_home = Path(settings.MATIS_HOME)
    from django.db import connections

    connections.close_all()

    env = server_env(args.database)
    # The demo's case-data keys and linkage secret: the server reads the records
    # the demo loaders encrypted with them.
    env.update(
        MATIS_CASE_KEY_FILE=str(demo_home / "case-keys"),
        MATIS_LINKAGE_SECRET_FILE=str(demo_home / "linkage-secret"),
        MATIS_EXCHANGE_LOCAL_HUB="1",
    )
    port = free_port()
    server = start_server(env, port, args.threads)
    worker = subprocess.Popen(
        [sys.executable, "-m", "matis.cli", "worker"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        work = []
        for email, password, who in users:
            session = Session(base)
            session.login(email, password)
            status, _ = session.get(TRIVIAL)
            assert status == 200, f"{who}: the trivial endpoint answered {status}"
            urls = [("pages", u) for u in menu_pages(session)]
            urls += [("api", u) for u in api_lists(session)]
            work.append((session, urls))
        n_pages = sorted({u for _, urls in work for k, u in urls if k == "pages"})
        n_api = sorted({u for _, urls in work for k, u in urls if k == "api"})
        print(
            f"  {len(work)} users signed in; {len(n_pages)} distinct pages, "
            f"{len(n_api)} distinct API lists; server: waitress, {args.threads} threads, "
            "worker apart"
        )
        samples: dict[str, list[float]] = {"pages": [], "api": [], "trivial": []}
        errors: list = []
        lock = threading.Lock()
        for seconds in (args.warmup, args.duration):  # warm-up, then the measured run
            for values in samples.values():
                values.clear()
            errors.clear()
            deadline = time.monotonic() + seconds
            threads = [
                threading.Thread(
                    target=user_loop,
                    args=(s, urls, deadline, random.Random(SEED + i), samples, errors, lock),
                )
                for i, (s, urls) in enumerate(work)
            ]
            elapsed = run_threads(threads)
        print_samples(args.users, elapsed, samples, errors)
        trivial = quantile(samples["trivial"], 95)
        work_p95 = quantile(samples["pages"] + samples["api"], 95)
        print(
            f"  ratio p95(pages and API lists) / p95(trivial authenticated endpoint) = "
            f"{work_p95 / trivial:.2f}   (pages {quantile(samples['pages'], 95) / trivial:.2f}, "
            f"API {quantile(samples['api'], 95) / trivial:.2f}); errors: {len(errors)}"
        )
        print(f"  after: {machine_load()}")
        return 1 if errors else 0
    finally:
        for proc in (worker, server):
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    sys.exit(main())
