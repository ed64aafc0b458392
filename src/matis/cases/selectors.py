"""Reads of case records, always through the gates' querysets."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils.translation import gettext as _

from matis.cases.choices import AlertKind, ConsentPurpose, ExploitationExtension
from matis.cases.gates import cases_visible_to
from matis.cases.htcds import TypeOfExploitation
from matis.cases.models import Case, ConsentEvent, PersonSearchToken
from matis.cases.protection import query_digests
from matis.common.models import Country

CHILD_FILTER_AGE = 18
MIN_REFERENCE_FRAGMENT = 4
EXPLOITATION_VALUES = frozenset(TypeOfExploitation.values) | frozenset(ExploitationExtension.values)


@dataclass
class CaseFilters:
    query: str = ""
    status: str = ""
    identification: str = ""
    gender: str = ""
    citizenship: str = ""
    child: str = ""  # "yes" / "no" / ""
    exploitation: str = ""


def _search_q(query: str) -> Q:
    """A name or document number through the blind index, or (part of) the plain case number.

    Names and document numbers are only stored encrypted: they match whole, by
    digest. The case number is plain, so ``2024-000123`` or ``000123`` finds
    ``THA-2024-000123``; a fragment must hold a digit and four characters, so a
    short name is not read as a case number.
    """
    digests = sorted(query_digests(query))
    found = Q(
        person_id__in=PersonSearchToken.objects.filter(digest__in=digests).values("person_id")
    )
    found |= Q(reference__iexact=query)
    if len(query) >= MIN_REFERENCE_FRAGMENT and any(ch.isdigit() for ch in query):
        found |= Q(reference__icontains=query)
    return found


def case_list(*, user, filters: CaseFilters) -> QuerySet[Case]:
    """Cases ``user`` may read, filtered; ``query`` is a name, document or case number."""
    qs = cases_visible_to(user)
    query = filters.query.strip()
    if query:
        qs = qs.filter(_search_q(query))
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.identification == "none":
        qs = qs.filter(trafficking_status="")
    elif filters.identification:
        qs = qs.filter(trafficking_status=filters.identification)
    if filters.gender:
        qs = qs.filter(person__gender=filters.gender)
    if filters.citizenship == "stateless":
        qs = qs.filter(person__stateless=True)
    elif filters.citizenship:
        qs = qs.filter(person__primary_citizenship_id=filters.citizenship)
    if filters.child == "yes":
        qs = qs.filter(person__age_at_registration__lt=CHILD_FILTER_AGE)
    elif filters.child == "no":
        qs = qs.filter(person__age_at_registration__gte=CHILD_FILTER_AGE)
    if filters.exploitation in EXPLOITATION_VALUES:
        # JSON text contains the quoted value: exact element match on SQLite and PostgreSQL
        qs = qs.filter(exploitation_types__icontains=f'"{filters.exploitation}"')
    return qs.select_related("person", "agency", "person__primary_citizenship").order_by(
        "-opened_on", "-id"
    )


@dataclass
class TimelineEntry:
    on: dt.date
    kind: str
    title: str
    detail: str = ""


def case_timeline(case: Case) -> list[TimelineEntry]:
    """What happened in the case, newest first (from the records, not the audit log)."""
    entries = [TimelineEntry(case.opened_on, "opened", _("Case opened"), case.agency.name)]
    for s in case.screenings.all():
        entries.append(
            TimelineEntry(
                s.screened_on,
                "screening",
                _("Screened"),
                f"{s.get_recommendation_display()} ({s.score})",
            )
        )
    for d in case.decisions.all():
        entries.append(
            TimelineEntry(
                d.decided_on, "decision", _("Identification decision"), d.get_decision_display()
            )
        )
    for e in case.consents.select_related("organisation", "recipient_country"):
        target = e.organisation or e.recipient_country or ""
        title = _("Consent given") if e.given else _("Consent withdrawn")
        entries.append(
            TimelineEntry(e.on, "consent", title, f"{e.get_purpose_display()} {target}".strip())
        )
    for p in case.placements.select_related("facility"):
        entries.append(
            TimelineEntry(
                p.start_date, "placement", _("Placed"), f"{p.get_kind_display()}: {p.facility.name}"
            )
        )
        if p.end_date:
            entries.append(
                TimelineEntry(p.end_date, "placement", _("Placement ended"), p.facility.name)
            )
    for a in case.alerts.all():
        entries.append(
            TimelineEntry(a.raised_at.date(), "alert", _("Alert raised"), a.get_kind_display())
        )
        if a.resolved_at:
            entries.append(
                TimelineEntry(
                    a.resolved_at.date(), "alert", _("Alert resolved"), a.get_kind_display()
                )
            )
    for r in case.referrals.select_related("provider"):
        entries.append(TimelineEntry(r.referred_on, "referral", _("Referred"), r.provider.name))
        if r.answered_on:
            entries.append(
                TimelineEntry(r.answered_on, "referral", r.get_status_display(), r.provider.name)
            )
    for s in case.services.select_related("provider"):
        entries.append(
            TimelineEntry(
                s.delivered_on,
                "service",
                _("Service delivered"),
                f"{s.get_service_type_display()}: {s.provider.name}",
            )
        )
    for s in case.shares.all():
        entries.append(
            TimelineEntry(s.shared_at.date(), "share", _("Data shared"), s.get_purpose_display())
        )
    if case.closed_on:
        entries.append(
            TimelineEntry(case.closed_on, "closed", _("Case closed"), case.get_status_display())
        )
    order = {"opened": 0}
    entries.sort(key=lambda e: (e.on, -order.get(e.kind, 1)), reverse=True)
    return entries


def open_alert_count(user) -> int:
    from matis.cases.gates import alerts_for

    return (
        alerts_for(user)
        .filter(resolved_at__isnull=True)
        .exclude(kind=AlertKind.BREAK_GLASS, grant__expires_at__lt=dt.datetime.now(dt.UTC))
        .count()
    )


# --- consent ----------------------------------------------------------------------------
# Consent is an append-only log of events. What holds on a day D for one purpose (and one
# organisation or country) is the newest event on or before D: the latest date, and the
# latest recorded of one day. These selectors are the one place that says so; cases,
# exchange and analytics ask them instead of reading ConsentEvent themselves.


def _latest_consent_given(events: QuerySet[ConsentEvent], at: dt.date | None) -> Subquery:
    """Whether the newest of ``events`` on or before ``at`` (default today) gives consent."""
    newest = events.filter(on__lte=at or dt.date.today()).order_by("-on", "-id")
    return Subquery(newest.values("given")[:1])


def _pk(value) -> str | int | None:
    return getattr(value, "pk", value)


def cases_with_consent(
    purpose: str,
    *,
    country=None,
    organisation=None,
    at: dt.date | None = None,
    cases: QuerySet[Case] | None = None,
) -> QuerySet[Case]:
    """The cases whose latest consent for ``purpose`` is "given" on day ``at`` (default today).

    One query whatever the number of cases: the newest event is a subquery.

    Parameters
    ----------
    purpose
        A :class:`ConsentPurpose` value.
    country
        For cross-border sharing, the recipient :class:`Country` or its alpha-3 code
        (required: without it no case qualifies).
    organisation
        For referrals, the :class:`ServiceProvider` or its id (required likewise).
    cases
        The cases to filter (default: all cases).
    """
    purpose = ConsentPurpose(purpose)
    cases = Case.objects.all() if cases is None else cases
    events = ConsentEvent.objects.filter(case=OuterRef("pk"), purpose=purpose)
    if purpose == ConsentPurpose.REFERRAL:
        if organisation is None:
            return cases.none()
        events = events.filter(organisation_id=_pk(organisation))
    if purpose == ConsentPurpose.CROSS_BORDER:
        if country is None:
            return cases.none()
        events = events.filter(recipient_country_id=_pk(country))
    # a name per purpose and target, so that two consent filters can be chained
    name = f"consent_{purpose}_{_pk(organisation) or _pk(country) or ''}".rstrip("_")
    return cases.alias(**{name: _latest_consent_given(events, at)}).filter(**{name: True})


def consent_countries(case, *, among=None, at: dt.date | None = None) -> list[str]:
    """Countries (alpha-3, sorted) that ``case``'s cross-border consent covers on day ``at``.

    ``among`` limits the answer to these codes; the case's own country is never in it.
    """
    case_id = _pk(case)
    events = ConsentEvent.objects.filter(
        case_id=case_id,
        purpose=ConsentPurpose.CROSS_BORDER,
        recipient_country_id=OuterRef("pk"),
    )
    countries = Country.objects.all() if among is None else Country.objects.filter(pk__in=among)
    if isinstance(case, Case):
        countries = countries.exclude(pk=case.country_id)
    else:
        countries = countries.exclude(pk__in=Case.objects.filter(pk=case_id).values("country_id"))
    return list(
        countries.alias(consent_given=_latest_consent_given(events, at))
        .filter(consent_given=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
