"""Three processes, three databases (hub, THA, KHM; production profile): a return completed
step by step across the two national instances, another stopped mid-way by a withdrawal of
consent; KHM's database, dumped, holds nothing of THA's records beyond the agreed minimum
(and that only encrypted), nothing personal of the withdrawn return, and the hub nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from matis.testing.region import Region

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).parent / "region_repatriation_driver.py"
# Columns of the received return: the agreed minimum, the workflow and nothing else.
INCOMING_COLUMNS = {
    "id", "created_at", "updated_at", "uid", "reference", "sending_country_id",
    "receiving_country_id", "receiving_agency_id", "requested_on", "handover_expected_on",
    "returned_on", "completed_on", "received_at", "withdrawn_on", "status",
    "given_name", "family_name", "date_of_birth", "age", "sex", "home_case_id",
}  # fmt: skip


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory) -> Path:
    region = Region(tmp_path_factory.mktemp("template"), countries=())
    region.hub.run("manage", "migrate", "-v0", timeout=900)
    return region.hub.db


def run(instance, *args) -> dict:
    return json.loads(instance.python(DRIVER, *args).strip().splitlines()[-1])


def sync(*instances) -> None:
    """Each instance pushes its outbox and pulls what waits for it (twice: replies follow)."""
    for _round in range(2):
        for instance in instances:
            instance.run("exchange", "sync")


def test_a_return_across_three_processes_keeps_the_home_database_to_the_minimum(
    tmp_path, migrated_template
):
    region = Region(tmp_path, countries=("THA", "KHM"))
    region.migrate(template=migrated_template)
    region.issue_credentials()
    tha, khm, hub = region["THA"], region["KHM"], region.hub
    region.start()
    try:
        for instance in (tha, khm):
            instance.run("exchange", "relay-keys", "register")
        seeded = run(tha, "seed")
        done, stopped = seeded["uids"]
        sync(tha, khm)
        assert set(run(khm, "state")) == {done, stopped}  # both requests arrived

        run(khm, "khm-steps", done, "tracing", "nationality", "travel_documents")
        run(khm, "khm-steps", stopped, "tracing")
        sync(khm, tha)
        state = run(tha, "state")
        assert state[done]["steps"] == ["request", "tracing", "nationality", "travel_documents"]

        run(tha, "handover", done)
        run(tha, "withdraw", stopped)  # mid-way: the person withdraws consent
        sync(tha, khm)
        run(khm, "khm-steps", done, "reception")
        sync(khm, tha)

        tha_state, khm_state = run(tha, "state"), run(khm, "state")
        khm_days = run(khm, "measures")["days"]
        tha_days = run(tha, "measures")["days"]
    finally:
        region.stop()

    # the completed return: every step on both sides, the case opened at home
    assert tha_state[done]["status"] == khm_state[done]["status"] == "completed"
    assert tha_state[done]["steps"] == khm_state[done]["steps"] == [
        "request", "tracing", "nationality", "travel_documents", "handover", "reception",
    ]  # fmt: skip
    assert tha_state[done]["home_case_opened"] and khm_state[done]["home_case"]
    # swiftness from both sides' own dates: request (56 days ago) to reception (37 days ago)
    assert tha_days == khm_days == [19]
    # the withdrawn return: stopped on both sides, erased at home
    assert tha_state[stopped]["status"] == khm_state[stopped]["status"] == "withdrawn"
    assert khm_state[stopped]["erased"] and khm_state[stopped]["given_name"] is None

    # KHM's database: nothing of THA's case beyond the minimum, the minimum only encrypted
    with sqlite3.connect(f"file:{khm.db}?mode=ro", uri=True) as conn:
        columns = {
            row[1] for row in conn.execute("pragma table_info(returns_incomingrepatriation)")
        }
        erased = conn.execute(
            "select given_name, family_name, date_of_birth, age, sex "
            "from returns_incomingrepatriation where replace(uid, '-', '') = ?",
            (stopped.replace("-", ""),),
        ).fetchone()
    assert columns == INCOMING_COLUMNS
    assert erased == (None, None, None, None, None)
    khm_dump = khm.dump()
    assert "KH-NOTE-tracing" not in khm_dump  # KHM's own notes: encrypted at rest too
    for value in seeded["private"]:
        assert value not in khm_dump, value
    for value in seeded["names"]:
        assert value not in khm_dump, value  # names arrived, encrypted; never in clear
    # the hub: routing metadata only
    hub_raw = b"".join(p.read_bytes() for p in hub.home.glob("matis.sqlite3*"))
    for value in (*seeded["names"], *seeded["private"][:3]):
        assert value.encode() not in hub_raw, value
