"""Reads of the registers, always through the reader's scope."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from matis.common.models import Country
from matis.registers.kit.specs import Register, registers, scope_rows
from matis.registers.models import (
    Accreditation,
    Agreement,
    FollowUpAction,
    Trainer,
)
from matis.registers.models.agreements import one_year_before


def visible_rows(spec: Register, user) -> QuerySet:
    """Every row of a register the user may see, with what its pages need."""
    return scope_rows(user, spec.base_queryset(), regional=spec.regional)


def _field(model, path: str):
    field = None
    for part in path.split("__"):
        field = model._meta.get_field(part)
        model = field.related_model or model
    return field


def filter_choices(spec: Register) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(parameter, label, [(value, label)]) for each filter of the register's list."""
    out = []
    for path in spec.filters:
        field = _field(spec.model, path)
        label = str(field.verbose_name)
        label = label[:1].upper() + label[1:]
        if field.choices:
            options = [(str(v), str(lbl)) for v, lbl in field.choices]
        else:  # booleans
            from django.utils.translation import gettext as _

            options = [("yes", _("Yes")), ("no", _("No"))]
        out.append((path, label, options))
    return out


def filtered_rows(spec: Register, user, params, *, today: dt.date | None = None) -> QuerySet:
    """The list's rows after its filters (country, year, choices, flags, search)."""
    today = today or timezone.localdate()
    qs = visible_rows(spec, user)
    country = params.get("country")
    if country == "REG" and spec.regional:
        qs = qs.filter(country__isnull=True)
    elif country:
        qs = qs.filter(country_id=country)
    year = params.get("year")
    expression = spec.year_expression()
    if year and expression is not None and str(year).isdigit():
        qs = qs.alias(_row_year=expression).filter(_row_year=int(year))
    for path in spec.filters:
        value = params.get(path)
        if not value:
            continue
        field = _field(spec.model, path)
        if field.choices:
            if value in {str(v) for v, _label in field.choices}:
                qs = qs.filter(**{path: value})
        elif value in ("yes", "no"):
            qs = qs.filter(**{path: value == "yes"})
    for flag in spec.flags:
        if params.get(flag.key):
            qs = flag.apply(qs, today)
    q = (params.get("q") or "").strip()
    if q and spec.search:
        condition = Q(ref__icontains=q)
        for name in spec.search:
            condition |= Q(**{f"{name}__icontains": q})
        qs = qs.filter(condition)
    if year and expression is not None:
        qs = qs.distinct()
    return qs


def years_of(spec: Register, user) -> list[int]:
    expression = spec.year_expression()
    if expression is None:
        return []
    rows = (
        scope_rows(user, spec.model.objects.all(), regional=spec.regional)
        .annotate(_row_year=expression)
        .exclude(_row_year__isnull=True)
        .values_list("_row_year", flat=True)
        .distinct()
    )
    return sorted(set(rows), reverse=True)


def countries_of(user) -> QuerySet[Country]:
    if user.is_region_wide:
        return Country.objects.commit()
    return Country.objects.filter(pk=user.country_id)


# --- overview ------------------------------------------------------------------
def agreements_review_overdue(qs: QuerySet, today: dt.date) -> QuerySet:
    """Agreements signed or in force whose last review (or entry into force) is over a year old."""
    from django.db.models.functions import Coalesce

    cutoff = one_year_before(today)
    return (
        qs.filter(status__in=Agreement.REVIEWED_STATUSES)
        .alias(
            _last=Max("reviews__reviewed_on"),
        )
        .alias(_base=Coalesce("_last", "in_force_on", "signed_on"))
        .filter(_base__lt=cutoff)
    )


def trainers_without_valid_accreditation(qs: QuerySet, today: dt.date) -> QuerySet:
    valid = Accreditation.objects.filter(valid_from__lte=today, valid_until__gte=today)
    return qs.exclude(pk__in=valid.values("trainer_id"))


def actions_overdue(qs: QuerySet, today: dt.date) -> QuerySet:
    return qs.exclude(status__in=FollowUpAction.CLOSED_STATUSES).filter(due_on__lt=today)


def actions_open(qs: QuerySet, today: dt.date) -> QuerySet:
    return qs.exclude(status__in=FollowUpAction.CLOSED_STATUSES)


@dataclass(frozen=True)
class RegisterCard:
    spec: Register
    rows: int


def overview(user, *, today: dt.date | None = None) -> dict:
    """Counts per register and the alerts the registers raise (overdue reviews and actions)."""
    today = today or timezone.localdate()
    cards = []
    for spec in registers():
        cards.append(
            RegisterCard(
                spec, scope_rows(user, spec.model.objects.all(), regional=spec.regional).count()
            )
        )
    from matis.registers.kit.specs import get_register

    agreements = scope_rows(user, Agreement.objects.all(), regional=True)
    actions = scope_rows(user, FollowUpAction.objects.all(), regional=True)
    trainers = scope_rows(user, Trainer.objects.all(), regional=False)
    soon = today + dt.timedelta(days=90)
    expiring = Accreditation.objects.filter(
        trainer__in=trainers, valid_until__gte=today, valid_until__lte=soon
    )
    return {
        "cards": cards,
        "overdue_reviews": agreements_review_overdue(agreements, today).count(),
        "overdue_actions": actions_overdue(actions, today).count(),
        "trainers_unaccredited": trainers_without_valid_accreditation(trainers, today).count(),
        "accreditations_expiring": expiring.count(),
        "agreements": get_register("agreements"),
        "actions": get_register("actions"),
        "trainers": get_register("trainers"),
    }


def agreement_last_reviews(ids) -> dict[int, dt.date]:
    rows = (
        Agreement.objects.filter(pk__in=ids)
        .annotate(last=Max("reviews__reviewed_on"))
        .values_list("pk", "last")
    )
    return dict(rows)


def open_action_counts(meeting_ids) -> dict[int, int]:
    rows = (
        FollowUpAction.objects.filter(meeting_id__in=meeting_ids)
        .exclude(status__in=FollowUpAction.CLOSED_STATUSES)
        .values("meeting_id")
        .annotate(n=Count("pk"))
    )
    return {r["meeting_id"]: r["n"] for r in rows}
