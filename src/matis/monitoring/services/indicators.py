"""Indicators: the standard set, country values (baseline, target, actual), computed values."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from importlib import resources
from pathlib import Path

import yaml
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.common.models import COMMIT_COUNTRIES
from matis.monitoring.models import (
    IndicatorActual,
    IndicatorBaseline,
    IndicatorTarget,
    PlanIndicator,
    ReportingPeriod,
)
from matis.monitoring.providers import get_provider, has_provider
from matis.monitoring.services.reports import ReportLocked
from matis.plans.models import Goal


@dataclass(frozen=True)
class IndicatorValues:
    """A country's values for one indicator in one period; None clears a value."""

    indicator_id: int
    baseline: Decimal | None = None
    target: Decimal | None = None
    actual: Decimal | None = None


def _upsert(model, lookup: dict, value: Decimal | None, extra: dict, existing) -> bool:
    """Create, update or delete one value row; True when something changed."""
    if value is None:
        if existing is None:
            return False
        existing.delete()
        return True
    if (
        existing is not None
        and existing.value == value
        and all(getattr(existing, k) == v for k, v in extra.items() if k != "updated_by")
    ):
        return False
    model.objects.update_or_create(**lookup, defaults={"value": value, **extra})
    return True


def _note(changes: dict, key: str, existing, value: Decimal | None) -> None:
    """Record one value's before/after for the audit row (``"VN-1 target": ["10", "12"]``)."""
    changes[key] = [
        None if existing is None else str(existing.value),
        None if value is None else str(value),
    ]


# The source shown for a computed indicator's value typed in by hand (no computed value).
HAND_ENTRY_NOTE = "Typed in by hand: no computed value for this country and year"


def _has_computed_value(indicator: PlanIndicator, country_id: str, year: int) -> bool:
    """Whether the indicator's provider has a value for the country and year (one call)."""
    if not has_provider(indicator.provider_code):
        return False
    values = get_provider(indicator.provider_code).values(countries=[country_id], years=[year])
    return (country_id, year) in values


@transaction.atomic
def indicator_values_set(
    *,
    actor: User | None,
    country_id: str,
    period: ReportingPeriod,
    values: list[IndicatorValues],
    via: str = "form",
) -> int:
    """Set a country's baselines, targets and reported actuals; returns how many changed."""
    if actor is not None and not has_perm(actor, "monitoring.edit_report", country_id):
        raise PermissionDenied(
            _("Only the country's task force officers set its indicator values.")
        )
    if actor is not None and not period.accepts_country_edits():
        raise ReportLocked(
            _("The reporting period %(year)s does not accept changes now.") % {"year": period.year}
        )
    indicators = PlanIndicator.objects.in_bulk([row.indicator_id for row in values])
    baselines = {
        b.indicator_id: b
        for b in IndicatorBaseline.objects.filter(
            country_id=country_id, indicator_id__in=indicators
        )
    }
    targets = {
        t.indicator_id: t
        for t in IndicatorTarget.objects.filter(
            country_id=country_id, period=period, indicator_id__in=indicators
        )
    }
    actuals = {
        a.indicator_id: a
        for a in IndicatorActual.objects.filter(
            country_id=country_id, period=period, indicator_id__in=indicators
        )
    }
    who = actor if actor is not None and actor.is_authenticated else None
    baseline_year = period.plan.start_year - 1
    changed = 0
    changes: dict[str, list] = {}
    for row in values:
        indicator = indicators.get(row.indicator_id)
        if indicator is None:
            raise ValidationError(_("Unknown indicator %(id)s.") % {"id": row.indicator_id})
        current = actuals.get(indicator.pk)
        if indicator.source == PlanIndicator.Source.COMPUTED and (
            (current is not None and current.source == PlanIndicator.Source.COMPUTED)
            or _has_computed_value(indicator, country_id, period.year)
        ):
            if row.actual is not None and (current is None or current.value != row.actual):
                raise ValidationError(
                    _("%(code)s is computed; its actual value cannot be typed in.")
                    % {"code": indicator.code}
                )
        else:
            # A reported indicator, or a computed one with no computed value for this
            # country and year (no records, no approved statistics): typed in by hand.
            extra = {"source": PlanIndicator.Source.REPORTED, "updated_by": who}
            if indicator.source == PlanIndicator.Source.COMPUTED:
                extra["note"] = HAND_ENTRY_NOTE
            if _upsert(
                IndicatorActual,
                {"indicator": indicator, "country_id": country_id, "period": period},
                row.actual,
                extra,
                current,
            ):
                changed += 1
                _note(changes, f"{indicator.code} actual", actuals.get(indicator.pk), row.actual)
        if _upsert(
            IndicatorBaseline,
            {"indicator": indicator, "country_id": country_id},
            row.baseline,
            {
                "year": baselines[indicator.pk].year
                if indicator.pk in baselines
                else baseline_year,
                "updated_by": who,
            },
            baselines.get(indicator.pk),
        ):
            changed += 1
            _note(changes, f"{indicator.code} baseline", baselines.get(indicator.pk), row.baseline)
        if _upsert(
            IndicatorTarget,
            {"indicator": indicator, "country_id": country_id, "period": period},
            row.target,
            {"updated_by": who},
            targets.get(indicator.pk),
        ):
            changed += 1
            _note(changes, f"{indicator.code} target", targets.get(indicator.pk), row.target)
    if changed:
        audit_record(
            actor=actor,
            action=AuditAction.RECORD_UPDATE,
            country_id=country_id,
            object_type="monitoring.indicatorvalues",
            object_id=period.year,
            changed=changed,
            via=via,
            changes=changes,
        )
    return changed


@transaction.atomic
def indicator_actuals_refresh(
    *, actor: User | None, period: ReportingPeriod, countries: tuple[str, ...] = COMMIT_COUNTRIES
) -> dict[str, int]:
    """Recompute the actual values of computed indicators from their providers.

    Indicators whose provider is not registered (yet) are left as they are and
    counted under ``no_provider``. A value typed in by hand (no computed value
    then) stays until the provider has one, which replaces it. Each computed
    value names its provider as its source.
    """
    if actor is not None and not has_perm(actor, "monitoring.refresh_indicators"):
        raise PermissionDenied(_("Only the secretariat recomputes indicators."))
    if period.is_locked:
        raise ReportLocked(_("The reporting period %(year)s is closed.") % {"year": period.year})
    stats = {"updated": 0, "removed": 0, "no_provider": 0}
    computed = list(PlanIndicator.objects.filter(source=PlanIndicator.Source.COMPUTED))
    existing = {
        (a.indicator_id, a.country_id): a
        for a in IndicatorActual.objects.filter(
            period=period, indicator__in=computed, country_id__in=countries
        )
    }
    for indicator in computed:
        if not has_provider(indicator.provider_code):
            stats["no_provider"] += 1
            continue
        provider = get_provider(indicator.provider_code)
        values = provider.values(countries=countries, years=[period.year])
        note = provider.label[:300]
        for country in countries:
            value = values.get((country, period.year))
            current = existing.get((indicator.pk, country))
            if value is None:
                if current is not None and current.source == PlanIndicator.Source.COMPUTED:
                    current.delete()
                    stats["removed"] += 1
                continue
            value = Decimal(value).quantize(Decimal("0.0001"))
            if (
                current is not None
                and current.value == value
                and current.source == PlanIndicator.Source.COMPUTED
                and current.note == note
            ):
                continue
            IndicatorActual.objects.update_or_create(
                indicator=indicator,
                country_id=country,
                period=period,
                defaults={
                    "value": value,
                    "source": PlanIndicator.Source.COMPUTED,
                    "note": note,
                    "updated_by": None,
                },
            )
            stats["updated"] += 1
    if stats["updated"] or stats["removed"]:
        audit_record(
            actor=actor,
            action=AuditAction.JOB_RUN,
            object_type="monitoring.indicators",
            object_id=period.year,
            job="indicator_actuals_refresh",
            **stats,
        )
    return stats


class IndicatorFileError(ValueError):
    """The indicator definitions file is malformed; the message names the item."""


def default_indicators_path() -> Path:
    return Path(str(resources.files("matis.monitoring") / "data" / "indicators.yaml"))


@transaction.atomic
def indicators_load(*, path: Path | None = None) -> tuple[int, int]:
    """Load the standard indicator set by code, idempotently; (created, updated)."""
    data = yaml.safe_load((path or default_indicators_path()).read_text(encoding="utf-8"))
    items = data.get("indicators") if isinstance(data, dict) else None
    if not isinstance(items, list):
        raise IndicatorFileError("indicators: a list is required")
    goals = {g.code: g for g in Goal.objects.filter(area__plan__code=data.get("plan", "SPA3"))}
    rows = []
    for n, item in enumerate(items, start=1):
        where = f"indicators[{n}] ({item.get('code', '?')})"
        for key in ("code", "goal", "name_en", "name_th"):
            if not item.get(key):
                raise IndicatorFileError(f"{where}: {key} is required")
        if item["goal"] not in goals:
            raise IndicatorFileError(f"{where}: goal {item['goal']} is not a goal of the plan")
        indicator = PlanIndicator(
            goal=goals[item["goal"]],
            code=item["code"],
            order=n,
            name_en=item["name_en"],
            name_th=item["name_th"],
            unit=item.get("unit", PlanIndicator.Unit.NUMBER),
            direction=item.get("direction", PlanIndicator.Direction.INCREASE),
            source=item.get("source", PlanIndicator.Source.REPORTED),
            provider_code=item.get("provider", ""),
            note_en=item.get("note_en", ""),
        )
        try:
            indicator.full_clean(exclude=["code"])
        except ValidationError as exc:
            raise IndicatorFileError(f"{where}: {exc.messages}") from None
        rows.append(indicator)
    existing = {i.code: i for i in PlanIndicator.objects.all()}
    created = updated = 0
    fields = [
        "goal_id",
        "order",
        "name_en",
        "name_th",
        "unit",
        "direction",
        "source",
        "provider_code",
        "note_en",
    ]
    for row in rows:
        current = existing.get(row.code)
        if current is None:
            row.save()
            created += 1
        elif any(getattr(current, f) != getattr(row, f) for f in fields):
            for f in fields:
                setattr(current, f, getattr(row, f))
            current.save()
            updated += 1
    if created or updated:
        audit_record(
            actor=None,
            action=AuditAction.IMPORT,
            object_type="monitoring.planindicator",
            created=created,
            updated=updated,
        )
    return created, updated
