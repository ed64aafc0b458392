"""Measures of return, reintegration and re-trafficking (goals 3.3, 3.4; PRO3, PRO5, PRO6).

:func:`returns_measures` is the one entry point other apps call (official
statistics, the annual report): plain dicts of counts, medians and rates for
one country (or the region, ``country=None``) and one year (CE). Aggregates
only: no name or case number leaves this module. Small-cell suppression is the
caller's job.

Definitions (see ``docs/returns.md``):

- *days to return*: from the first identification decision to the completed
  handover at the border, for returns handed over in the year;
- *step days*: for each step, from its first start to its last completion,
  for the same returns;
- *days from request to reception*: from the sending government's request
  date to the home government's reception date, for returns received in the
  year. Across two national instances each side holds both dates (the request
  date travels with the request, the reception date with the home country's
  reply), so each computes the same figure from the two governments' own
  timestamps; a return known on both sides in one database counts once;
- *overdue*: a return not yet handed over, in progress or stopped, requested
  more than ``MATIS_RETURNS_PENDING_DAYS`` (default 90) days before today;
- *re-trafficking rate*: cases closed, returned (handover) or received in the
  year that have a re-trafficking event on or after that day (on the case or
  on the other country's case of the same return), over all such cases.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict

from django.conf import settings
from django.db.models import Q

from matis.returns.choices import (
    STEP_ORDER,
    Outcome,
    PlanStatus,
    RepatriationStatus,
    RetraffickingKind,
    ServiceStatus,
)
from matis.returns.instruments import surveys
from matis.returns.models import (
    FeedbackSurvey,
    FollowUpVisit,
    IncomingRepatriation,
    PlannedService,
    ReintegrationPlan,
    Repatriation,
    RetraffickingEvent,
)

# Months since the plan was made, in the periods reintegration outcomes are shown by.
PERIODS = ((0, 2, "0-2"), (3, 5, "3-5"), (6, 11, "6-11"), (12, 23, "12-23"), (24, 10**6, "24+"))


def pending_days_limit() -> int:
    """Days after the request when an unfinished return is flagged (``MATIS_RETURNS_PENDING_DAYS``)."""
    return int(settings.MATIS_RETURNS_PENDING_DAYS)


def _country_id(country) -> str | None:
    return getattr(country, "pk", country) or None


def _touching(country_id: str | None) -> Q:
    if country_id is None:
        return Q()
    return Q(sending_country_id=country_id) | Q(receiving_country_id=country_id)


def _median(values):
    return statistics.median(values) if values else None


def _mean(values):
    return round(statistics.fmean(values), 1) if values else None


def step_days(rep: Repatriation) -> dict[str, int]:
    """Days each completed step took: first start to last positive completion."""
    first_start: dict[str, dt.date] = {}
    done: dict[str, dt.date] = {}
    for s in rep.steps.all():
        first_start.setdefault(s.step, s.started_on)
        if s.completed_on and s.outcome == Outcome.POSITIVE:
            done[s.step] = s.completed_on
    return {k: (done[k] - first_start[k]).days for k in done}


def overdue_returns(country=None, *, today: dt.date | None = None):
    """Returns not yet handed over, requested more than the configured days ago."""
    today = today or dt.date.today()
    limit = today - dt.timedelta(days=pending_days_limit())
    return Repatriation.objects.filter(
        _touching(_country_id(country)),
        status__in=[RepatriationStatus.IN_PROGRESS, RepatriationStatus.STOPPED],
        returned_on__isnull=True,
        requested_on__lt=limit,
    )


def is_overdue(rep, *, today: dt.date | None = None) -> bool:
    """A return (sent or received) not handed over and requested longer ago than the limit."""
    today = today or dt.date.today()
    return (
        rep.status in (RepatriationStatus.IN_PROGRESS, RepatriationStatus.STOPPED)
        and rep.returned_on is None
        and (today - rep.requested_on).days > pending_days_limit()
    )


def swiftness(country=None, year: int | None = None) -> list[dict]:
    """One row per corridor (and year): returns handed over, days to return, days per step."""
    qs = Repatriation.objects.filter(_touching(_country_id(country)), returned_on__isnull=False)
    if year is not None:
        qs = qs.filter(returned_on__year=year)
    groups: dict[tuple, list] = defaultdict(list)
    for rep in qs.prefetch_related("steps").order_by("returned_on", "pk"):
        groups[(rep.sending_country_id, rep.receiving_country_id, rep.returned_on.year)].append(rep)
    rows = []
    for (sending, receiving, yr), reps in sorted(groups.items()):
        days = [(r.returned_on - r.identified_on).days for r in reps]
        per_step: dict[str, list] = defaultdict(list)
        for r in reps:
            for step, d in step_days(r).items():
                per_step[step].append(d)
        rows.append(
            {
                "sending": sending,
                "receiving": receiving,
                "corridor": f"{sending}→{receiving}",
                "year": yr,
                "returned": len(reps),
                "median_days": _median(days),
                "mean_days": _mean(days),
                "max_days": max(days),
                "step_median_days": {
                    str(s): _median(per_step[s]) for s in STEP_ORDER if per_step.get(s)
                },
            }
        )
    return rows


def request_to_reception(country=None, year: int | None = None) -> list[dict]:
    """Returns received (reception completed) in ``year``: corridor and days from request.

    From the returns we send (reception date reported by the home country) and
    the returns we receive from another instance (request date reported by the
    sender); a return on both sides (same ``uid``) counts once.
    """
    rows: dict = {}
    for model in (Repatriation, IncomingRepatriation):
        qs = model.objects.filter(
            _touching(_country_id(country)),
            status=RepatriationStatus.COMPLETED,
            completed_on__isnull=False,
        )
        if year is not None:
            qs = qs.filter(completed_on__year=year)
        for uid, sending, receiving, requested, received in qs.values_list(
            "uid", "sending_country_id", "receiving_country_id", "requested_on", "completed_on"
        ):
            rows.setdefault(
                uid,
                {
                    "sending": sending,
                    "receiving": receiving,
                    "year": received.year,
                    "days": (received - requested).days,
                },
            )
    return list(rows.values())


def reception_by_corridor(country=None, year: int | None = None) -> list[dict]:
    """Per corridor and year: returns received, median and mean days from request to reception."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for row in request_to_reception(country, year):
        groups[(row["sending"], row["receiving"], row["year"])].append(row["days"])
    return [
        {
            "corridor": f"{sending}→{receiving}",
            "year": yr,
            "received": len(days),
            "median_days": _median(days),
            "mean_days": _mean(days),
        }
        for (sending, receiving, yr), days in sorted(groups.items())
    ]


def _received_only(country_id):
    """Returns we receive from another instance that no Repatriation here stands for."""
    return IncomingRepatriation.objects.filter(_touching(country_id)).exclude(
        uid__in=Repatriation.objects.values("uid")
    )


def _repatriation_block(country_id, year: int, today: dt.date) -> dict:
    touching = Repatriation.objects.filter(_touching(country_id))
    received_only = _received_only(country_id)
    reception_days = [r["days"] for r in request_to_reception(country_id, year)]
    returned = list(
        touching.filter(returned_on__year=year).prefetch_related("steps").order_by("pk")
    )
    days = [(r.returned_on - r.identified_on).days for r in returned]
    per_step: dict[str, list] = defaultdict(list)
    for r in returned:
        for step, d in step_days(r).items():
            per_step[step].append(d)
    open_statuses = [RepatriationStatus.IN_PROGRESS, RepatriationStatus.STOPPED]
    return {
        "requested": touching.filter(requested_on__year=year).count()
        + received_only.filter(requested_on__year=year).count(),
        "returned": len(returned),
        "median_days_to_return": _median(days),
        "mean_days_to_return": _mean(days),
        "step_median_days": {str(s): _median(per_step[s]) for s in STEP_ORDER if per_step.get(s)},
        "by_corridor": swiftness(country_id, year),
        "received": len(reception_days),
        "median_days_request_to_reception": _median(reception_days),
        "mean_days_request_to_reception": _mean(reception_days),
        "reception_by_corridor": reception_by_corridor(country_id, year),
        "pending": touching.filter(status__in=open_statuses, returned_on__isnull=True).count()
        + received_only.filter(status__in=open_statuses, returned_on__isnull=True).count(),
        "overdue": overdue_returns(country_id, today=today).count(),
        "overdue_after_days": pending_days_limit(),
    }


def _period(months: int) -> str:
    return next(label for low, high, label in PERIODS if low <= months <= high)


def _scoped(qs, country_id, field: str = "country_id"):
    return qs if country_id is None else qs.filter(**{field: country_id})


def reintegration_outcomes(country=None, year: int | None = None) -> list[dict]:
    """Mean psychosocial and economic scores by months since the plan was made."""
    visits = _scoped(FollowUpVisit.objects.all(), _country_id(country), "plan__country_id")
    if year is not None:
        visits = visits.filter(visited_on__year=year)
    buckets: dict[str, dict[str, list]] = defaultdict(lambda: {"p": [], "e": []})
    for v in visits.select_related("plan"):
        b = buckets[_period(v.months_after_plan)]
        b["p"].append(v.psychosocial_score)
        b["e"].append(v.economic_score)
    return [
        {
            "months": label,
            "visits": len(buckets[label]["p"]),
            "psychosocial": _mean(buckets[label]["p"]),
            "economic": _mean(buckets[label]["e"]),
        }
        for _lo, _hi, label in PERIODS
        if label in buckets
    ]


def _reintegration_block(country_id, year: int) -> dict:
    plans = _scoped(ReintegrationPlan.objects.all(), country_id)
    closed = plans.filter(status=PlanStatus.CLOSED, closed_on__year=year)
    reasons: dict[str, int] = defaultdict(int)
    for reason in closed.values_list("closure_reason", flat=True):
        reasons[reason] += 1
    delivered: dict[str, int] = defaultdict(int)
    for kind in (
        _scoped(PlannedService.objects.all(), country_id, "plan__country_id")
        .filter(status=ServiceStatus.DELIVERED, delivered_on__year=year)
        .values_list("kind", flat=True)
    ):
        delivered[kind] += 1
    return {
        "plans_opened": plans.filter(opened_on__year=year).count(),
        "plans_open_at_year_end": plans.filter(opened_on__lte=dt.date(year, 12, 31))
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=dt.date(year, 12, 31)))
        .count(),
        "plans_closed": closed.count(),
        "closure_reasons": dict(sorted(reasons.items())),
        "services_delivered": dict(sorted(delivered.items())),
        "outcomes_by_months": reintegration_outcomes(country_id, year),
    }


def retrafficking(country=None, year: int | None = None) -> dict:
    """The re-trafficking rate of one country and year, and persons later found as offenders."""
    from matis.cases.models import Case

    country_id = _country_id(country)
    cohort: dict[int, dt.date] = {}  # case id -> day it left care (earliest in the year)

    def enter(case_id: int, day: dt.date) -> None:
        if case_id not in cohort or day < cohort[case_id]:
            cohort[case_id] = day

    cases = _scoped(Case.objects.filter(closed_on__isnull=False), country_id)
    if year is not None:
        cases = cases.filter(closed_on__year=year)
    for pk, day in cases.values_list("pk", "closed_on"):
        enter(pk, day)
    linked: dict[int, set[int]] = defaultdict(set)
    reps = Repatriation.objects.filter(returned_on__isnull=False)
    for rep in reps.values(
        "case_id",
        "receiving_case_id",
        "sending_country_id",
        "receiving_country_id",
        "returned_on",
        "completed_on",
    ):
        if rep["receiving_case_id"]:
            linked[rep["case_id"]].add(rep["receiving_case_id"])
            linked[rep["receiving_case_id"]].add(rep["case_id"])
        if country_id in (None, rep["sending_country_id"]) and (
            year is None or rep["returned_on"].year == year
        ):
            enter(rep["case_id"], rep["returned_on"])
        received = rep["completed_on"]
        if (
            rep["receiving_case_id"]
            and received
            and country_id in (None, rep["receiving_country_id"])
            and (year is None or received.year == year)
        ):
            enter(rep["receiving_case_id"], received)
    if country_id is None:
        # region-wide: the two countries' cases of one return are one person
        for pk in sorted(cohort):
            for other in sorted(linked[pk]):
                if pk in cohort and other in cohort and other != pk:
                    cohort[pk] = min(cohort[pk], cohort.pop(other))
    ids = set(cohort) | {other for pk in cohort for other in linked[pk]}
    events: dict[int, list] = defaultdict(list)
    for case_id, kind, on in RetraffickingEvent.objects.filter(case_id__in=ids).values_list(
        "case_id", "kind", "on"
    ):
        events[case_id].append((kind, on))

    def has(pk: int, kind: str) -> bool:
        since = cohort[pk]
        for case_id in {pk} | linked[pk]:
            if any(k == kind and on >= since for k, on in events[case_id]):
                return True
        return False

    retrafficked = sum(1 for pk in cohort if has(pk, RetraffickingKind.RETRAFFICKED))
    offenders = sum(1 for pk in cohort if has(pk, RetraffickingKind.OFFENDER))
    return {
        "cohort": len(cohort),
        "retrafficked": retrafficked,
        "rate": round(retrafficked / len(cohort), 4) if cohort else None,
        "offenders": offenders,
        "events_recorded": _scoped(RetraffickingEvent.objects.all(), country_id, "case__country_id")
        .filter(**({} if year is None else {"on__year": year}))
        .count(),
    }


def feedback(country=None, year: int | None = None) -> dict:
    """Mean ratings (1-5) by SPA III goal and by question, from the surveys of the year."""
    qs = _scoped(FeedbackSurvey.objects.all(), _country_id(country))
    if year is not None:
        qs = qs.filter(answered_on__year=year)
    goals_of = {}
    for survey in surveys().values():
        for q in survey.questions:
            goals_of[(survey.slug, q.code)] = q.goals
    by_goal: dict[str, list] = defaultdict(list)
    by_question: dict[str, list] = defaultdict(list)
    n = 0
    for slug, ratings in qs.values_list("instrument", "ratings"):
        n += 1
        for code, value in ratings.items():
            by_question[code].append(value)
            for goal in goals_of.get((slug, code), ()):
                by_goal[goal].append(value)
    return {
        "surveys": n,
        "by_goal": {g: _mean(v) for g, v in sorted(by_goal.items())},
        "by_question": {q: _mean(v) for q, v in sorted(by_question.items())},
    }


def returns_measures(country, year: int, *, today: dt.date | None = None) -> dict:
    """Every return, reintegration and re-trafficking measure of one country and year.

    ``country`` is an ISO alpha-3 code or a Country (None: the whole region);
    ``year`` a CE year. Keys: ``repatriation``, ``reintegration``,
    ``retrafficking``, ``feedback`` (see the module docstring for definitions).
    """
    today = today or dt.date.today()
    country_id = _country_id(country)
    return {
        "country": country_id,
        "year": year,
        "repatriation": _repatriation_block(country_id, year, today),
        "reintegration": _reintegration_block(country_id, year),
        "retrafficking": retrafficking(country_id, year),
        "feedback": feedback(country_id, year),
    }
