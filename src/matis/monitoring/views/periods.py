"""Reporting periods and exchange rates, kept by the secretariat."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.monitoring import selectors, services
from matis.monitoring.forms import (
    ExchangeRateForm,
    PeriodForm,
)
from matis.monitoring.models import (
    ReportingPeriod,
)
from matis.monitoring.views.common import error_messages


@scoped("global")
@login_required
def periods(request):
    plan = selectors.current_plan()
    form = PeriodForm()
    if request.method == "POST":
        if not has_perm(request.user, "monitoring.manage_periods"):
            raise PermissionDenied
        action = request.POST.get("action")
        try:
            if action == "create":
                form = PeriodForm(request.POST)
                if form.is_valid():
                    services.period_create(actor=request.user, plan=plan, **form.cleaned_data)
                    messages.success(request, _("Period created."))
                    return redirect("monitoring:periods")
            else:
                period = ReportingPeriod.objects.filter(pk=request.POST.get("period")).first()
                if period is None:
                    raise Http404
                if action == "dates":
                    dates = PeriodForm({"year": period.year, **request.POST.dict()})
                    if not dates.is_valid():
                        raise ValidationError(list(dates.errors.values()))
                    services.period_set_dates(
                        actor=request.user,
                        period=period,
                        opens_on=dates.cleaned_data["opens_on"],
                        closes_on=dates.cleaned_data["closes_on"],
                    )
                elif action == "close":
                    services.period_close(actor=request.user, period=period)
                elif action == "reopen":
                    services.period_reopen(actor=request.user, period=period)
                else:
                    raise Http404
                messages.success(request, _("Saved."))
                return redirect("monitoring:periods")
        except ValidationError as exc:
            for message in error_messages(exc):
                messages.error(request, message)
    return render(
        request,
        "monitoring/periods.html",
        {
            "periods": selectors.periods(plan),
            "form": form,
            "can_manage": has_perm(request.user, "monitoring.manage_periods"),
        },
    )


@scoped("global")
@login_required
def rates(request):
    form = ExchangeRateForm()
    if request.method == "POST":
        if not has_perm(request.user, "monitoring.manage_periods"):
            raise PermissionDenied
        form = ExchangeRateForm(request.POST)
        if form.is_valid():
            try:
                services.exchange_rate_set(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                for message in error_messages(exc):
                    form.add_error(None, message)
            else:
                messages.success(request, _("Saved."))
                return redirect("monitoring:rates")
    return render(
        request,
        "monitoring/rates.html",
        {
            "rates": selectors.exchange_rates(),
            "form": form,
            "can_manage": has_perm(request.user, "monitoring.manage_periods"),
        },
    )
