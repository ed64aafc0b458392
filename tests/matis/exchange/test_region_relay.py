"""Three processes, three databases: THA sends to KHM through the hub; the hub dies mid-transfer.

The hub, THA and KHM are each ``matis serve`` processes with their own SQLite
database and keys (``matis.testing.region``), in the production profile.
THA queues a series of personal relay items (a test kind with four agreed
fields) and sends them while KHM pulls; the hub is killed with SIGKILL
during the transfer and restarted. Every item arrives exactly once and in
order, the hub keeps no ciphertext afterwards, and neither the KHM database
nor the hub's holds anything beyond the agreed fields (dumped with iterdump).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from matis.testing.region import Region

pytestmark = pytest.mark.slow

N_ITEMS = 12
HERE = Path(__file__).parent
DRIVER = HERE / "region_relay_driver.py"


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory) -> Path:
    """One migrated empty database, copied for each instance (migrating three times is slow)."""
    region = Region(tmp_path_factory.mktemp("template"), countries=())
    region.hub.run("manage", "migrate", "-v0", timeout=900)
    return region.hub.db


def driver(instance, *args) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(DRIVER), *map(str, args)],
        env=instance.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finished(proc: subprocess.Popen, timeout: float) -> dict:
    out, err = proc.communicate(timeout=timeout)
    assert proc.returncode == 0, err[-4000:]
    return json.loads(out.strip().splitlines()[-1])


def test_relay_across_three_processes_survives_a_killed_hub(tmp_path, migrated_template):
    region = Region(tmp_path, countries=("THA", "KHM"),
                    extra_env={"MATIS_EXCHANGE_BACKOFF_BASE": "0.3",
                               "MATIS_EXCHANGE_BACKOFF_MAX": "1.5"})  # fmt: skip
    region.migrate(template=migrated_template)
    region.issue_credentials()
    tha, khm, hub = region["THA"], region["KHM"], region.hub
    private = json.loads(tha.python(DRIVER, "seed", N_ITEMS, "KHM").strip().splitlines()[-1])
    assert tha.query("select count(*) from exchange_relayoutgoing")[0][0] == N_ITEMS

    region.start()
    pusher = puller = None
    try:
        # KHM registers its key and pulls while THA sends
        puller = driver(khm, "pull", N_ITEMS, 240)
        deadline = time.monotonic() + 60
        while not hub.query(
            "select count(*) from exchange_relaydirectorykey where country_id='KHM'"
        )[0][0]:
            assert time.monotonic() < deadline, "KHM never registered its relay key"
            time.sleep(0.1)
        pusher = driver(tha, "push", 240, 0.3)
        deadline = time.monotonic() + 90
        while hub.query("select count(*) from exchange_relayreceipt")[0][0] < 3:
            assert time.monotonic() < deadline, "the hub received nothing"
            time.sleep(0.05)
        hub.kill()  # mid-transfer, without warning
        time.sleep(1.5)
        at_hub = hub.query("select count(*) from exchange_relayreceipt")[0][0]
        waiting = tha.query("select count(*) from exchange_outboxitem where status='pending'")[0][0]
        assert 3 <= at_hub < N_ITEMS and waiting > 0, (at_hub, waiting)
        hub.serve()  # back again

        pushed = finished(pusher, 300)
        assert pushed["pending"] == 0 and pushed["unreachable"] is True
        pulled = finished(puller, 300)
        assert pulled["applied"] == N_ITEMS
        # THA fetches the receipts: every item applied at KHM
        statuses = json.loads(tha.python(DRIVER, "statuses").strip().splitlines()[-1])
    finally:
        for proc in (pusher, puller):
            if proc is not None and proc.poll() is None:
                proc.kill()
        region.stop()

    # exactly once, in order, at KHM
    rows = khm.query("select n, sender, sequence from regiontest_note order by id")
    assert rows == [(n, "THA", n) for n in range(1, N_ITEMS + 1)]
    received = khm.query("select sequence, status from exchange_relayreceived order by sequence")
    assert received == [(n, "applied") for n in range(1, N_ITEMS + 1)]
    # the hub keeps no ciphertext once applied; its receipts say applied
    assert hub.query("select count(*) from exchange_relayitem")[0][0] == 0
    assert hub.query("select status, count(*) from exchange_relayreceipt group by status") == [
        ("applied", N_ITEMS)
    ]
    assert statuses == {"applied": N_ITEMS}

    # KHM's database holds the agreed fields and nothing else of THA's records
    khm_dump = khm.dump()
    for n in range(1, N_ITEMS + 1):
        assert f"RELAYNOTE-{n:03d}" in khm_dump  # what was agreed arrived (the dump is real)
    for value in (*private["given"], *private["family"], *private["dob"]):
        assert value not in khm_dump, value
    assert "worker@synthetic" not in khm_dump
    # the hub's database file holds neither
    hub_dump = hub.dump()
    raw = b"".join(p.read_bytes() for p in hub.home.glob("matis.sqlite3*"))
    for value in (*private["given"], *private["family"], "RELAYNOTE-001", "RELAYNOTE-012"):
        assert value not in hub_dump and value.encode() not in raw, value
