"""``matis demo --region``: the hub and two national instances (THA, KHM) on loopback.

Three ``matis serve`` processes, each with its own SQLite database under
``MATIS_HOME/region/<hub|tha|khm>``, its own secret key, vault key and
case-data keys (made by the demo profile in its own home). The hub issues
each country an exchange credential; each national instance gets its key
file, the hub's URL and the linkage secret the governments share, and
registers its relay key at the hub on its first pull. A worker per national
instance (``matis exchange sync --every N``) pushes the outbox and pulls
relayed items and alerts. Ctrl-C stops everything.

Demo data: the hub loads the plan registry and the users (secretariat,
administrator); each national instance loads the synthetic demo data except
the one-database exchange demo. The demo loaders are not country-aware, so a
national instance also holds the other countries' synthetic records; its
country's users see only their own country.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from matis.testing.region import HUB, Region

COUNTRIES = ("THA", "KHM")
HUB_LOADERS = ("plans", "access")
NATIONAL_SKIPS = ("exchange",)  # the one-database demo's hub traffic


def load(role: str) -> None:
    """In an instance's environment: migrate and load its demo data (run as a child process)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from matis.common.demo import demo_loaders

    call_command("migrate", interactive=False, verbosity=0)
    for label, loader in demo_loaders():
        if (role == HUB and label not in HUB_LOADERS) or (role != HUB and label in NATIONAL_SKIPS):
            continue
        print(f"  {role} {label}: {loader()}", flush=True)


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


def run(*, home: Path, port: int, every: float = 5.0, serve: bool = True) -> int:
    """Set up (once) and run the region; returns when Ctrl-C is pressed."""
    root = Path(home) / "region"
    ports = {HUB: port, **{c: port + 1 + i for i, c in enumerate(COUNTRIES)}}
    region = Region(root, COUNTRIES, profile="demo", ports=ports)
    print(f"MATIS regional demo · data directory {root}")
    print("Preparing three databases (migrations and synthetic data; the first run is slow) ...",
          flush=True)  # fmt: skip
    loaders = [
        subprocess.Popen(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-m", "matis.demo_region", "load", instance.name],
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
        for worker in workers:
            worker.terminate()
        for worker in workers:
            try:
                worker.wait(timeout=10)
            except subprocess.TimeoutExpired:
                worker.kill()
        region.stop()


if __name__ == "__main__":  # python -m matis.demo_region load <hub|THA|KHM>
    if len(sys.argv) == 3 and sys.argv[1] == "load":
        load(sys.argv[2])
    else:
        raise SystemExit("usage: python -m matis.demo_region load <hub|THA|KHM>")
