"""Seed a national instance for the two-instance test: synthetic cases with consent.

Run as ``python seed_national.py N`` with the national instance's environment
(MATIS_HOME, MATIS_ROLE=national, MATIS_COUNTRY, keys). Every person is
synthetic. Prints the number of items queued for the hub.
"""

from __future__ import annotations

import datetime as dt
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")

import django

django.setup()

from matis.access.models import Agency, OrganisationType, Role, User  # noqa: E402
from matis.cases.choices import ConsentGivenBy  # noqa: E402
from matis.cases.services import case_register, consent_record  # noqa: E402
from matis.common.models import Country  # noqa: E402
from matis.exchange.models import OutboxItem  # noqa: E402
from matis.exchange.services import enqueue_pending  # noqa: E402

SYLLABLES = ["san", "mai", "lin", "na", "tan", "win", "hong", "thu", "sok", "chan", "da", "kim"]


def main(n: int) -> None:
    from django.conf import settings

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
    khm = Country.objects.get(pk="KHM")
    for i in range(n):
        case = case_register(
            actor=worker,
            person={
                "given_name": (SYLLABLES[i % 12] + SYLLABLES[(i * 5) % 12]).capitalize(),
                "family_name": SYLLABLES[(i * 7 + 3) % 12].capitalize(),
                "gender": "Feminine" if i % 3 else "Masculine",
                "date_of_birth": dt.date(1980 + i % 20, 1 + i % 12, 1 + i % 27),
                "languages": [],
            },
            case={"opened_on": dt.date.today()},
            documents=[],
        )
        for purpose, recipient in (("statistics", None), ("cross_border", khm)):
            consent_record(
                actor=worker,
                case=case,
                purpose=purpose,
                given=True,
                on=dt.date.today(),
                language="en",
                given_by=ConsentGivenBy.PERSON,
                recipient_country=recipient,
            )
    enqueue_pending(country_id=country)
    print(OutboxItem.objects.count())


if __name__ == "__main__":
    main(int(sys.argv[1]))
