"""Indicator values (baseline, target, actual) of a country for a period."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.monitoring import selectors, services
from matis.monitoring.models import (
    IndicatorActual,
)
from matis.monitoring.views.common import error_messages, pick_country


@scoped("country", model=IndicatorActual)
@login_required
def indicator_values(request):
    period = selectors.period_for_year(request.GET.get("year") or request.POST.get("year"))
    country_id = pick_country(request)
    if period is None or country_id is None:
        return render(
            request,
            "monitoring/indicators.html",
            {
                "period": period,
                "periods": selectors.periods(),
                "country_id": country_id,
                "countries": selectors.countries_for(request.user),
            },
        )
    can_edit = (
        has_perm(request.user, "monitoring.edit_report", country_id)
        and period.accepts_country_edits()
    )
    rows = selectors.indicator_rows(country_id=country_id, period=period)
    errors = []
    if request.method == "POST":
        if not can_edit:
            raise PermissionDenied
        from matis.monitoring import validation as v

        values = []
        for row in rows:
            pk = row.indicator.pk
            parsed = {}
            for name in ("baseline", "target", "actual"):
                raw = request.POST.get(f"{name}_{pk}", "")
                try:
                    parsed[name] = v.check_value(raw)
                except v.FieldError as exc:
                    errors.append(f"{row.indicator.code} ({name}): {exc}")
            if row.actual_is_computed:
                parsed["actual"] = row.actual.value
            values.append(
                services.IndicatorValues(
                    pk, parsed.get("baseline"), parsed.get("target"), parsed.get("actual")
                )
            )
        if not errors:
            try:
                changed = services.indicator_values_set(
                    actor=request.user, country_id=country_id, period=period, values=values
                )
            except ValidationError as exc:
                errors = error_messages(exc)
            else:
                messages.success(request, _("%(n)s values changed.") % {"n": changed})
                return redirect(f"{reverse('monitoring:indicator_values')}?year={period.year}")
    return render(
        request,
        "monitoring/indicators.html",
        {
            "period": period,
            "periods": selectors.periods(),
            "country_id": country_id,
            "countries": selectors.countries_for(request.user),
            "rows": rows,
            "can_edit": can_edit,
            "errors": errors,
        },
    )
