"""Drive one national instance of the three-process return test (THA sends, KHM receives).

Run as ``python region_repatriation_driver.py COMMAND ...`` in an instance's environment
(``matis.testing.region``). Every person is synthetic, made here; each command prints one
JSON line. Dates are days before today (the services refuse future dates).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "matis.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import transaction  # noqa: E402

TODAY = dt.date.today()


def day(n: int) -> dt.date:
    return TODAY - dt.timedelta(days=n)


def _staff(role: str, email: str):
    from matis.access.models import Agency, OrganisationType, User

    country = settings.MATIS_COUNTRY
    agency, _ = Agency.objects.get_or_create(
        name=f"Synthetic agency {country}",
        country_id=country,
        defaults={"org_type": OrganisationType.CENTRAL_GOVERNMENT},
    )
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email=email, password=None, role=role, country_id=country, agency=agency
        )
    return user, agency


def seed() -> dict:
    """THA: two identified cases with consent to KHM, a return requested for each."""
    from matis.cases import screening
    from matis.cases.services import case_register, consent_record, identification_decide
    from matis.common.models import Country
    from matis.returns.services import repatriation_request

    worker, _agency = _staff("case_worker", "tha.worker@synthetic.example")
    out = {"private": [], "uids": []}
    for n, (given, family) in enumerate((("Sreyneang", "Vongsakda"), ("Bophakra", "Lyhourta"))):
        with transaction.atomic():
            case = case_register(
                actor=worker,
                person={
                    "given_name": given,
                    "family_name": family,
                    "gender": "Feminine",
                    "date_of_birth": dt.date(1999, 3 + n, 14),
                    "languages": ["km"],
                    "contact_notes": f"PHONE-SECRET-{n}",
                },
                case={"opened_on": day(60), "summary": f"SECRET-SUMMARY-{n} forced labour"},
            )
            identification_decide(
                actor=worker,
                case=case,
                decision="ActualVictimOfTrafficking",
                decision_org="Police",
                guideline=screening.guidelines_for("THA")[0].code,
                language_informed="km",
                interpreter_present=True,
                decided_on=day(58),
            )
            consent_record(
                actor=worker,
                case=case,
                purpose="cross_border",
                given=True,
                on=day(57),
                language="km",
                recipient_country=Country.objects.get(pk="KHM"),
            )
            rep = repatriation_request(
                actor=worker,
                case=case,
                receiving_country="KHM",
                requested_on=day(56),
                notes=f"TH-NOTE-{n}",
            )
        out["uids"].append(str(rep.uid))
        out["private"] += [case.reference, f"SECRET-SUMMARY-{n}", f"TH-NOTE-{n}",
                           f"PHONE-SECRET-{n}", worker.email, day(58).isoformat()]  # fmt: skip
        out.setdefault("names", []).extend([given, family])
    return out


def khm_steps(uid: str, steps: list[str]) -> dict:
    """KHM: the supervisor gives the return to the agency; the worker records ``steps``."""
    from matis.returns.models import IncomingRepatriation
    from matis.returns.services import incoming_assign, incoming_step_record

    supervisor, agency = _staff("case_supervisor", "khm.supervisor@synthetic.example")
    worker, _ = _staff("case_worker", "khm.worker@synthetic.example")
    incoming = IncomingRepatriation.objects.get(uid=uid)
    if incoming.receiving_agency_id is None:
        incoming_assign(actor=supervisor, incoming=incoming, agency=agency)
    starts = {"tracing": 55, "nationality": 50, "travel_documents": 45, "reception": 40}
    for step in steps:
        incoming_step_record(
            actor=worker,
            incoming=IncomingRepatriation.objects.get(uid=uid),
            step=step,
            started_on=day(starts[step]),
            completed_on=day(starts[step] - 3),
            outcome="positive",
            notes=f"KH-NOTE-{step}",
            open_case=step == "reception",
        )
    return state()


def handover(uid: str) -> dict:
    from matis.returns.models import Repatriation
    from matis.returns.services import repatriation_step_record

    worker, _ = _staff("case_worker", "tha.worker@synthetic.example")
    repatriation_step_record(
        actor=worker,
        repatriation=Repatriation.objects.get(uid=uid),
        step="handover",
        started_on=day(41),
        completed_on=day(40),
        outcome="positive",
    )
    return state()


def withdraw(uid: str) -> dict:
    from matis.returns.models import Repatriation
    from matis.returns.services import repatriation_consent_withdraw

    worker, _ = _staff("case_worker", "tha.worker@synthetic.example")
    repatriation_consent_withdraw(
        actor=worker, repatriation=Repatriation.objects.get(uid=uid), on=day(44), language="km"
    )
    return state()


def state() -> dict:
    from matis.returns.models import IncomingRepatriation, Repatriation

    out = {}
    for rep in Repatriation.objects.all():
        out[str(rep.uid)] = {
            "status": rep.status,
            "steps": [s.step for s in rep.steps.all()],
            "home_case_opened": rep.home_case_opened,
            "completed_on": rep.completed_on.isoformat() if rep.completed_on else None,
        }
    for inc in IncomingRepatriation.objects.all():
        out[str(inc.uid)] = {
            "status": inc.status,
            "steps": [s.step for s in inc.steps.all()],
            "home_case": inc.home_case_id,
            "given_name": inc.given_name,
            "erased": all(getattr(inc, f) is None for f in inc.PERSONAL_FIELDS),
        }
    return out


def measures() -> dict:
    from matis.returns.measures import request_to_reception

    return {"days": [r["days"] for r in request_to_reception(settings.MATIS_COUNTRY)]}


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "seed":
        result = seed()
    elif command == "khm-steps":
        result = khm_steps(args[0], args[1:])
    elif command == "handover":
        result = handover(args[0])
    elif command == "withdraw":
        result = withdraw(args[0])
    elif command == "state":
        result = state()
    elif command == "measures":
        result = measures()
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))
