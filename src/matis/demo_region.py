"""``matis demo --region``: the hub and two national instances (THA, KHM) on loopback.

Three ``matis serve`` processes, each with its own SQLite database under
``MATIS_HOME/region/<hub|tha|khm>``, its own secret key, vault key and
case-data keys (made by the demo profile in its own home). The hub issues
each country an exchange credential; each national instance gets its key
file, the hub's URL and the linkage secret the governments share, and
registers its relay key at the hub on its first pull. A worker per national
instance (``matis exchange sync --every N``) pushes the outbox and pulls
relayed items and alerts. Ctrl-C stops everything.

Demo data: the hub loads the plan registry and the regional users
(secretariat, auditor, administrator); each national instance loads the
synthetic demo data of its own country only (the demo loaders take a country
filter), except the one-database exchange demo. The heavier parts (annual
reports, analyses) are prepared by each instance's background worker after
it answers, unless ``--wait``.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from matis.testing.region import HUB, Region

COUNTRIES = ("THA", "KHM")
HUB_LOADERS = ("plans", "access")
NATIONAL_SKIPS = ("exchange",)  # the one-database demo's hub traffic


def load(role: str, *, background: bool = False) -> None:
    """In an instance's environment: migrate and load its demo data (run as a child process).

    The hub gets the regional data (``countries=()``), a national instance its own
    country's (``countries=(role,)``); with ``background`` the background demo parts
    are queued for the instance's worker instead of run here.
    """
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from matis.common.demo import run_demo_loaders

    call_command("migrate", interactive=False, verbosity=0)

    def wanted(loader) -> bool:
        if role == HUB:
            return loader.label in HUB_LOADERS
        return loader.label not in NATIONAL_SKIPS

    run_demo_loaders(
        progress=lambda line: print(f"  {role}{line[1:]}", flush=True),
        background=background,
        only=wanted,
        countries=() if role == HUB else (role.upper(),),
    )


def _logins(instance) -> list[tuple[str, str]]:
    if instance.is_hub:
        return [
            ("secretariat@matis.example", "secretariat analyst (regional dashboards)"),
            ("admin@matis.example", "administrator"),
        ]
    c = instance.name.lower()
    return [
        (f"caseworker.{c}@matis.example", "case worker"),
        (f"supervisor.{c}@matis.example", "case supervisor"),
        (f"taskforce.{c}@matis.example", "task force officer"),
        (f"statistics.{c}@matis.example", "statistics officer"),
        (f"admin.{c}@matis.example", "administrator"),
    ]


def run(
    *, home: Path, port: int, every: float = 5.0, serve: bool = True, wait: bool = False
) -> int:
    """Set up (once) and run the region; returns when Ctrl-C is pressed."""
    root = Path(home) / "region"
    ports = {HUB: port, **{c: port + 1 + i for i, c in enumerate(COUNTRIES)}}
    region = Region(root, COUNTRIES, profile="demo", ports=ports)
    print(f"MATIS regional demo · data directory {root}")
    print("Preparing three databases (migrations and synthetic data; the first run is slow) ...",
          flush=True)  # fmt: skip
    loaders = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [
                sys.executable,
                "-m",
                "matis.demo_region",
                "load",
                instance.name,
                *(["--background"] if serve and not wait else []),
            ],
            env=instance.env,
        )
        for instance in region
    ]
    if any(p.wait() != 0 for p in loaders):
        print("error: loading the demo data failed (see above)", file=sys.stderr)
        return 1
    region.issue_credentials()
    if not serve:
        return 0
    workers: list[subprocess.Popen] = []
    signal.signal(signal.SIGTERM, _interrupt)  # SIGTERM stops the region as Ctrl+C does
    try:
        region.start(worker=True)
        for country in COUNTRIES:
            workers.append(
                region[country].popen(
                    "exchange", "sync", "--every", str(every), stdout=subprocess.DEVNULL
                )
            )
        print()
        for instance in region:
            what = "regional hub" if instance.is_hub else f"national instance {instance.name}"
            password = (instance.home / "demo-password.txt").read_text().strip()
            print(f"  {what:<28} {instance.url}   (password for all: {password})")
            for email, role in _logins(instance):
                print(f"      {email:<34} {role}")
        print(f"  Workers push and pull every {every:g} s. Press Ctrl+C to stop all.", flush=True)
        while all(i.proc.poll() is None for i in region):
            time.sleep(1)
        print("error: a server stopped; stopping the region", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopping ...", flush=True)
        return 0
    finally:
        from matis.cli import stop_worker

        for worker in workers:
            stop_worker(worker)
        region.stop()


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":  # python -m matis.demo_region load <hub|THA|KHM>
    if len(sys.argv) in (3, 4) and sys.argv[1] == "load" and sys.argv[3:] in ([], ["--background"]):
        load(sys.argv[2], background=sys.argv[3:] == ["--background"])
    else:
        raise SystemExit("usage: python -m matis.demo_region load <hub|THA|KHM> [--background]")
