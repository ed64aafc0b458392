"""Two processes, two databases: THA's approved statistics reach the hub's dashboard; a revision
replaces them.

The hub and THA are each ``matis serve`` processes with their own SQLite
database and keys (``matis.testing.region``, production profile). On THA a
statistics officer submits one total and the country's administrator approves
it (four eyes, the real services); ``matis exchange push`` sends it over HTTP,
signed. A secretariat analyst signed in on the hub sees the figure on the
statistics dashboard with THA as sender, its version and key. THA then
reopens, corrects and approves again, pushes, and the hub shows the new value
only, while the history keeps both versions. THA's database holds none of the
hub's tables' rows; the hub holds THA's figure only through a consolidation.
"""

from __future__ import annotations

import html
import json
import re
import urllib.request
from pathlib import Path

import pytest

from matis.testing.region import Region

pytestmark = pytest.mark.slow

DRIVER = Path(__file__).parent / "region_consolidate_driver.py"
YEAR = 2012
FIRST, REVISED = 42, 57


@pytest.fixture(scope="module")
def migrated_template(tmp_path_factory) -> Path:
    region = Region(tmp_path_factory.mktemp("template"), countries=())
    region.hub.run("manage", "migrate", "-v0", timeout=900)
    return region.hub.db


def run(instance, *args) -> dict:
    return json.loads(instance.python(DRIVER, *args).strip().splitlines()[-1])


def page(hub, session: dict, path: str) -> str:
    request = urllib.request.Request(
        hub.url + path.lstrip("/"),
        headers={"Cookie": f"{session['cookie']}={session['key']}", "Accept-Language": "en"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:
        assert answer.status == 200 and answer.url == request.full_url  # not sent to log in
        return answer.read().decode()


def table_rows(text: str, name: str) -> list[list[str]]:
    """The body cells of the ``data-table=name`` table of a page."""
    start = text.index(f'data-table="{name}"')
    body = text[text.index("<tbody>", start) : text.index("</tbody>", start)]
    return [
        [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]  # fmt: skip


def push(tha) -> None:
    out = tha.run("exchange", "push")
    assert tha.query("select count(*) from exchange_outboxitem where status='pending'") == [(0,)], (
        out
    )


def test_approved_statistics_reach_the_hub_across_processes_and_a_revision_replaces_them(
    tmp_path, migrated_template
):
    region = Region(tmp_path, countries=("THA",))
    region.migrate(template=migrated_template)
    region.issue_credentials()
    tha, hub = region["THA"], region.hub
    key_id = "tha-1"
    region.start()  # collects the static files: the hub's pages are read below
    try:
        approved = run(tha, "approve", FIRST)
        assert approved["status"] == "approved" and approved["own_approval_refused"]
        indicator = approved["indicator"]
        assert hub.query("select count(*) from exchange_inboxitem") == [(0,)]
        push(tha)
        first = run(hub, "state")
        session = run(hub, "session")
        dashboard_1 = table_rows(
            page(hub, session, f"/statistics/?indicator={indicator}"), "provenance"
        )

        revised = run(tha, "revise", REVISED)
        assert revised["submission"] == approved["submission"] and revised["own_approval_refused"]
        push(tha)
        second = run(hub, "state")
        dashboard_2 = table_rows(
            page(hub, session, f"/statistics/?indicator={indicator}"), "provenance"
        )
        history = table_rows(page(hub, session, f"/exchange/hub/received/?year={YEAR}"), "versions")
    finally:
        region.stop()

    # after the first push: THA's figure on the hub's dashboard, with sender, version and key
    [row] = first["received"]
    assert (row["country"], row["year"], row["value"], row["version"], row["key"]) == (
        "Thailand", YEAR, FIRST, 1, key_id,
    )  # fmt: skip
    [shown] = dashboard_1
    assert shown[0] == "Thailand" and shown[1] == str(YEAR)
    assert shown[2:4] == [str(FIRST), "1"] and shown[-1] == key_id

    # after the revision: the new value only, version 2; the history keeps both
    [row] = second["received"]
    assert (row["value"], row["version"], row["key"]) == (REVISED, 2, key_id)
    [shown] = dashboard_2
    assert shown[2:4] == [str(REVISED), "2"] and shown[-1] == key_id
    assert str(FIRST) not in shown
    [observation] = second["observations"]
    assert (observation["value"], observation["approved"]) == (REVISED, True)
    assert observation["indicator__code"] == indicator
    assert [(v["country"], v["version"], v["status"], v["key"]) for v in second["versions"]] == [
        ("THA", 2, "current", key_id),
        ("THA", 1, "replaced", key_id),
    ]
    assert [(r[0], r[1], r[2]) for r in history] == [
        ("THA", f"statistics/{YEAR}", "2"),
        ("THA", f"statistics/{YEAR}", "1"),
    ]

    # provenance: the hub's copy of THA's figure exists only through its consolidations
    v1, v2 = second["provenance"]
    assert (v1["status"], v2["status"]) == ("replaced", "current")
    assert v1["submission_id"] == v2["submission_id"] == observation["submission_id"]
    assert {v1["country_id"], v2["country_id"]} == {"THA"}
    assert hub.query("select count(*) from exchange_inboxitem where country_id='THA'") == [(2,)]
    assert hub.query("select count(*) from statistics_observation where country_id='THA'") == [(1,)]
    # the hub never saw THA's people: its submission has no submitter or approver there
    assert hub.query(
        "select submitted_by_id, approved_by_id from statistics_submission "
        "where id = ?", (observation["submission_id"],),
    ) == [(None, None)]  # fmt: skip
    hub_dump = hub.dump()
    assert "stats.officer@synthetic" not in hub_dump and "stats.admin@synthetic" not in hub_dump

    # THA's database: its own submission, none of the hub's tables' rows
    for table in (
        "exchange_inboxitem",
        "exchange_consolidation",
        "exchange_countrykey",
        "exchange_deidentifiedcase",
        "exchange_linkagetoken",
        "exchange_relayitem",
    ):
        assert tha.query(f"select count(*) from {table}") == [(0,)], table
    assert tha.query("select status from exchange_outboxitem order by id") == [("sent",), ("sent",)]
