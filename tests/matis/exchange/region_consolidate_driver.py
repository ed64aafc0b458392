"""Drive one instance of the two-process consolidation test (hub and THA, two databases).

Run as ``python region_consolidate_driver.py COMMAND ...`` in an instance's
environment (``matis.testing.region``). On THA: ``approve VALUE`` enters one
total for the year, a statistics officer submits it and the country's
administrator approves it (four eyes, through the real services), which
queues it for the hub; ``revise VALUE`` has the administrator reopen it, the
officer correct the value and submit again, the administrator approve again.
On the hub: ``session`` signs in a secretariat analyst (a session key for
HTTP requests); ``state`` reports what the hub consolidated. Every user is
synthetic. Each command prints one JSON line.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.exceptions import PermissionDenied  # noqa: E402

YEAR = 2012
OFFICER = "stats.officer@synthetic.example"
ADMIN = "stats.admin@synthetic.example"
ANALYST = "hub.analyst@synthetic.example"


def _indicator():
    from matis.official_statistics.models import StatisticalIndicator

    return StatisticalIndicator.objects.order_by("pk").first()


def _users():
    from matis.access.models import Role, User

    country = settings.MATIS_COUNTRY
    officer, _ = User.objects.get_or_create(
        email=OFFICER, defaults={"role": Role.STATISTICS_OFFICER, "country_id": country}
    )
    admin, _ = User.objects.get_or_create(
        email=ADMIN, defaults={"role": Role.ADMINISTRATOR, "country_id": country}
    )
    return officer, admin


def _submit_and_approve(submission, officer, admin) -> dict:
    from matis.official_statistics.services.submissions import (
        submission_approve,
        submission_submit,
        violation_comment,
    )

    submission.refresh_from_db()  # as the services left it
    submission_submit(actor=officer, submission=submission)
    submission.refresh_from_db()
    for warning in submission.violations.all():  # a lone synthetic figure trips rules
        violation_comment(actor=officer, violation=warning, comment="synthetic test figure")
    try:  # four eyes: the officer who submitted cannot approve
        submission_approve(actor=officer, submission=submission)
        own_approval_refused = False
    except PermissionDenied:
        own_approval_refused = True
    submission_approve(actor=admin, submission=submission)
    submission.refresh_from_db()
    return {
        "submission": submission.pk,
        "status": submission.status,
        "own_approval_refused": own_approval_refused,
        "indicator": _indicator().code,
    }


def approve(value: str) -> dict:
    from matis.official_statistics.models import Observation, Submission

    officer, admin = _users()
    country = settings.MATIS_COUNTRY
    submission = Submission.objects.create(country_id=country, period=YEAR)
    Observation.objects.create(
        indicator=_indicator(), country_id=country, period=YEAR, series_key="",
        value=int(value), submission=submission, source="synthetic",
    )  # fmt: skip
    return _submit_and_approve(submission, officer, admin)


def revise(value: str) -> dict:
    from matis.official_statistics.models import Submission
    from matis.official_statistics.services.submissions import (
        observation_update,
        submission_reopen,
    )

    officer, admin = _users()
    submission = Submission.objects.get(country_id=settings.MATIS_COUNTRY, period=YEAR)
    submission_reopen(actor=admin, submission=submission, reason="corrected count")
    [observation] = submission.observations.all()
    observation_update(
        actor=officer, observation=observation, value_text=value, is_estimated=False,
        is_provisional=False, reason="corrected count",
    )  # fmt: skip
    return _submit_and_approve(submission, officer, admin)


def session() -> dict:
    """A signed-in secretariat analyst's session on the hub (as the login view leaves it)."""
    from importlib import import_module

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from matis.access.models import Role, User

    user, _ = User.objects.get_or_create(email=ANALYST, defaults={"role": Role.SECRETARIAT_ANALYST})
    store = import_module(settings.SESSION_ENGINE).SessionStore()  # the configured store
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return {"cookie": settings.SESSION_COOKIE_NAME, "key": store.session_key}


def state() -> dict:
    """The hub's consolidated figures of THA's year: dashboard rows, versions, tables."""
    from matis.exchange.consolidate import received_statistics_table, versions_table
    from matis.exchange.models import Consolidation
    from matis.official_statistics.models import Observation

    indicator = _indicator()
    received = [
        {**row, "value": row["value"].value if row["value"] is not None else None}
        for row in received_statistics_table(indicator=indicator).rows
    ]
    versions = [
        {k: row[k] for k in ("country", "reference", "version", "status", "key", "item")}
        for row in versions_table(year=YEAR).rows
    ]
    observations = list(
        Observation.objects.filter(country_id="THA", period=YEAR).values(
            "pk", "value", "approved", "submission_id", "indicator__code"
        )
    )
    provenance = list(
        Consolidation.objects.order_by("pk").values(
            "country_id", "status", "version_number", "key_id", "submission_id",
            "inbox_item_id", "reference",
        )
    )  # fmt: skip
    return {
        "received": received,
        "versions": versions,
        "observations": observations,
        "provenance": provenance,
    }


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    out = {"approve": approve, "revise": revise, "session": session, "state": state}[command](*args)
    print(json.dumps(out, default=str))
