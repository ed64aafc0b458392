"""Figures from records: the proposed submission with its counting rules, and applying it."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render

from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.official_statistics import selectors
from matis.official_statistics.models import StatisticalIndicator, Submission
from matis.official_statistics.services.records import (
    RULES,
    ProposalError,
    excluded_labels,
    min_cell,
    records_proposal_apply,
    records_proposal_compute,
)
from matis.official_statistics.views.common import int_param


def proposal_context(proposal) -> dict:
    """Figures grouped by indicator, each group with its rule, for the page (and the report)."""
    labels = selectors.series_labels()
    names = dict(StatisticalIndicator.objects.values_list("code", "name_en"))
    groups = []
    for code, figures in proposal.by_indicator().items():
        for f in figures:
            f.series_label = selectors.label_series(f.series_key, labels) if f.series_key else ""
        groups.append(
            {"code": code, "name": names.get(code, code), "rule": RULES[code], "figures": figures}
        )
    excluded = [(excluded_labels()[k], n) for k, n in proposal.excluded.items() if n]
    return {"groups": groups, "excluded": excluded}


@scoped("country", model=Submission)
@login_required
def records_proposal(request):
    user = request.user
    country_id = user.country_id
    if not country_id or not has_perm(user, "statistics.edit_submission", country_id):
        raise PermissionDenied
    year = int_param(request.POST.get("year") or request.GET.get("year"))
    if year is not None and not 1990 <= year <= dt.date.today().year:
        year = None
    if request.method == "POST" and year is not None:
        try:
            result = records_proposal_apply(actor=user, country_id=country_id, year=year)
        except ProposalError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, str(result))
            submission = Submission.objects.get(country_id=country_id, period=year)
            return redirect("statistics:submission_detail", pk=submission.pk)
    context = {
        "year": year,
        "years": range(dt.date.today().year, dt.date.today().year - 15, -1),
        "threshold": min_cell(),
    }
    if year is not None:
        proposal = records_proposal_compute(actor=user, country_id=country_id, year=year)
        submission = Submission.objects.filter(country_id=country_id, period=year).first()
        context.update(proposal_context(proposal))
        context.update({"proposal": proposal, "submission": submission})
    return render(request, "statistics/records_proposal.html", context)
