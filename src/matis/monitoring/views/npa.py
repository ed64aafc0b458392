"""National plans of action (P&C1, goal 1.1)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from matis.access.permissions import has_perm
from matis.access.scoping import get_scoped_or_404, scoped
from matis.monitoring import selectors, services
from matis.monitoring.forms import (
    NationalPlanForm,
    NpaBudgetFormSet,
)
from matis.monitoring.models import (
    NationalPlan,
)
from matis.monitoring.views.common import error_messages


@scoped("country", model=NationalPlan)
@login_required
def npa_list(request):
    return render(
        request,
        "monitoring/npa_list.html",
        {
            "plans": selectors.national_plans(request.user),
            "can_create": has_perm(request.user, "monitoring.edit_report", request.user.country_id),
        },
    )


@scoped("country", model=NationalPlan, lookup="pk")
@login_required
def npa_detail(request, pk: int):
    plan = get_scoped_or_404(request.user, selectors.national_plans(request.user), pk=pk)
    return render(
        request,
        "monitoring/npa_detail.html",
        {
            "plan": plan,
            "can_edit": has_perm(request.user, "monitoring.edit_report", plan.country_id),
        },
    )


def _npa_form_page(request, plan: NationalPlan | None):
    country_id = plan.country_id if plan else request.user.country_id
    if not has_perm(request.user, "monitoring.edit_report", country_id):
        raise PermissionDenied
    form = NationalPlanForm(request.POST or None, instance=plan)
    budgets = NpaBudgetFormSet(
        request.POST or None,
        prefix="budgets",
        initial=[
            {"year": b.year, "amount": b.amount, "currency": b.currency} for b in plan.budgets.all()
        ]
        if plan
        else None,
    )
    if request.method == "POST" and form.is_valid() and budgets.is_valid():
        lines = [
            (f.cleaned_data["year"], f.cleaned_data["amount"], f.cleaned_data["currency"])
            for f in budgets.forms
            if f.cleaned_data.get("year") is not None
        ]
        try:
            saved = services.national_plan_save(
                actor=request.user,
                country_id=country_id,
                fields=form.cleaned_data,
                budgets=lines,
                plan=plan,
            )
        except ValidationError as exc:
            for message in error_messages(exc):
                form.add_error(None, message)
        else:
            messages.success(request, _("Saved."))
            return redirect("monitoring:npa_detail", pk=saved.pk)
    return render(
        request, "monitoring/npa_form.html", {"form": form, "budgets": budgets, "plan": plan}
    )


@scoped("country", model=NationalPlan)
@login_required
def npa_create(request):
    return _npa_form_page(request, None)


@scoped("country", model=NationalPlan, lookup="pk")
@login_required
def npa_edit(request, pk: int):
    plan = get_scoped_or_404(request.user, selectors.national_plans(request.user), pk=pk)
    return _npa_form_page(request, plan)
