"""National Plans of Action: kept by each country's task force."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from matis.access.audit import audit_record, changes_since, snapshot
from matis.access.models import AuditAction, User
from matis.access.permissions import has_perm
from matis.monitoring.models import NationalPlan, NationalPlanBudget

NPA_FIELDS = [
    "title",
    "title_en",
    "start_year",
    "end_year",
    "adopted_on",
    "adopted_by",
    "national_committee",
    "subnational_committees",
    "monitoring_system",
    "monitoring_note",
]


@transaction.atomic
def national_plan_save(
    *,
    actor: User | None,
    country_id: str,
    fields: dict,
    budgets: list[tuple[int, object, str]] | None = None,
    plan: NationalPlan | None = None,
    synthetic: bool = False,
) -> NationalPlan:
    """Create or update a national plan and its annual budgets ``(year, amount, currency)``."""
    if actor is not None and not has_perm(actor, "monitoring.edit_report", country_id):
        raise PermissionDenied(_("Only the country's task force officers keep its national plan."))
    created = plan is None
    if created:
        plan = NationalPlan(country_id=country_id, synthetic=synthetic)
    elif plan.country_id != country_id:
        raise PermissionDenied(_("The plan belongs to another country."))
    before = {} if created else snapshot(plan)
    changed = [f for f in NPA_FIELDS if f in fields and getattr(plan, f) != fields[f]]
    for name in changed:
        setattr(plan, name, fields[name])
    plan.updated_by = actor if actor is not None and actor.is_authenticated else None
    plan.full_clean()
    if created or changed:
        plan.save()
    budget_changes: dict[str, list] = {}
    if budgets is not None:
        years = [year for year, _amount, _currency in budgets]
        if len(years) != len(set(years)):
            raise ValidationError({"budgets": _("Each year may have only one budget.")})
        current = {b.year: b for b in plan.budgets.all()} if not created else {}
        for year in set(current) - set(years):
            old = current[year]
            old.delete()
            changed.append(f"budget {year}")
            budget_changes[f"budget {year}"] = [f"{old.amount} {old.currency}", None]
        for year, amount, currency in budgets:
            row = current.get(year)
            if row is not None and row.amount == amount and row.currency == currency:
                continue
            budget_changes[f"budget {year}"] = [
                None if row is None else f"{row.amount} {row.currency}",
                f"{amount} {currency}",
            ]
            row = row or NationalPlanBudget(plan=plan, year=year)
            row.amount, row.currency = amount, currency
            row.full_clean()
            row.save()
            changed.append(f"budget {year}")
    if created or changed:
        audit_record(
            actor=actor,
            action=AuditAction.RECORD_CREATE if created else AuditAction.RECORD_UPDATE,
            obj=plan,
            changed=changed,
            changes={} if created else {**changes_since(before, plan), **budget_changes},
        )
    return plan
