"""Drive one instance of the three-process relay test: seed and send (THA), pull (KHM).

Run as ``python region_relay_driver.py COMMAND ...`` in a national instance's
environment. It registers the test kind ``regiontest.note`` (personal; fields
n, sex, age_band, note) whose receive() files each note in a plain table
``regiontest_note`` of the recipient's database, so the test can dump that
database and look for anything beyond those fields. Every person is synthetic.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from matis.exchange import relay  # noqa: E402
from matis.exchange.transport import HubUnreachable  # noqa: E402

KIND = "regiontest.note"
FIELDS = frozenset({"n", "sex", "age_band", "note"})
SYLLABLES = ["san", "mai", "lin", "na", "tan", "win", "hong", "thu", "sok", "chan", "da", "kim"]


def _table() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "create table if not exists regiontest_note (id integer primary key autoincrement, "
            "n integer, sex text, age_band text, note text, sender text, sequence integer)"
        )


def receive(envelope: relay.RelayEnvelope) -> None:
    d = envelope.data
    with connection.cursor() as cursor:
        cursor.execute(
            "insert into regiontest_note (n, sex, age_band, note, sender, sequence) "
            "values (%s, %s, %s, %s, %s, %s)",
            [d["n"], d["sex"], d["age_band"], d["note"], envelope.sender, envelope.sequence],
        )


relay.register_relay_kind(KIND, receive=receive, fields=FIELDS, personal=True)


def seed(n: int, recipient: str) -> dict:
    """n synthetic cases with cross-border consent for ``recipient``, one note each, queued."""
    from django.db import transaction

    from matis.access.models import Agency, OrganisationType, Role, User
    from matis.cases.choices import ConsentGivenBy
    from matis.cases.services import case_register, consent_record
    from matis.common.models import Country

    country = settings.MATIS_COUNTRY
    agency = Agency.objects.create(
        name="Synthetic shelter", country_id=country, org_type=OrganisationType.NGO
    )
    worker = User.objects.create_user(
        email="worker@synthetic.example",
        password=None,
        role=Role.CASE_WORKER,
        country_id=country,
        agency=agency,
    )
    to = Country.objects.get(pk=recipient)
    private = {"given": [], "family": [], "dob": []}
    for i in range(1, n + 1):
        given = (SYLLABLES[i % 12] + SYLLABLES[(i * 5) % 12] + "ya").capitalize()
        family = (SYLLABLES[(i * 7 + 3) % 12] + "watra").capitalize()
        dob = dt.date(1980 + i % 20, 1 + i % 12, 1 + i % 27)
        with transaction.atomic():
            case = case_register(
                actor=worker,
                person={"given_name": given, "family_name": family,
                        "gender": "Feminine" if i % 3 else "Masculine",
                        "date_of_birth": dob, "languages": []},
                case={"opened_on": dt.date.today()},
                documents=[],
            )  # fmt: skip
            consent_record(
                actor=worker, case=case, purpose="cross_border", given=True,
                on=dt.date.today(), language="en", given_by=ConsentGivenBy.PERSON,
                recipient_country=to,
            )  # fmt: skip
            relay.relay_enqueue(
                recipient=recipient,
                kind=KIND,
                data={"n": i, "sex": "F" if i % 3 else "M", "age_band": "18-29",
                      "note": f"RELAYNOTE-{i:03d}"},
                idempotency_key=f"note-{i}",
                case_ids=[case.pk],
            )  # fmt: skip
        private["given"].append(given)
        private["family"].append(family)
        private["dob"].append(dob.isoformat())
    return private


def push(max_seconds: float, pause: float) -> dict:
    """Send the outbox until nothing is pending (the hub may be down for a while)."""
    from matis.exchange.models import OutboxItem, OutboxStatus
    from matis.exchange.services import outbox_push

    deadline = time.monotonic() + max_seconds
    totals = {"sent": 0, "unreachable": False}
    while True:
        result = outbox_push(country_id=settings.MATIS_COUNTRY, pause=pause, ignore_schedule=True)
        totals["sent"] += result.sent
        totals["unreachable"] = totals["unreachable"] or result.unreachable
        pending = OutboxItem.objects.filter(status=OutboxStatus.PENDING).count()
        if pending == 0 or time.monotonic() > deadline:
            totals["pending"] = pending
            return totals
        time.sleep(0.3)


def pull(expect: int, max_seconds: float) -> dict:
    """Pull until ``expect`` items are applied (errors while the hub is down are retried)."""
    from matis.exchange.models import RelayReceived

    _table()
    deadline = time.monotonic() + max_seconds
    errors = 0
    while True:
        try:
            relay.relay_pull()
        except (HubUnreachable, relay.RelayUnavailable):
            errors += 1
        done = RelayReceived.objects.filter(status="applied").count()
        if done >= expect or time.monotonic() > deadline:
            return {"applied": done, "errors": errors}
        time.sleep(0.3)


def statuses() -> dict:
    from django.db.models import Count

    from matis.exchange.models import RelayOutgoing

    relay.relay_status_pull(country_id=settings.MATIS_COUNTRY)
    rows = RelayOutgoing.objects.values("delivery").annotate(n=Count("id"))
    return {r["delivery"]: r["n"] for r in rows}


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "seed":
        out = seed(int(args[0]), args[1])
    elif command == "push":
        out = push(float(args[0]), float(args[1]))
    elif command == "pull":
        out = pull(int(args[0]), float(args[1]))
    elif command == "statuses":
        out = statuses()
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(out))
