"""Helpers for pages about a case, shared by the case, returns and justice views.

(Not a views module: other apps' pages may use it; the generic helpers are in
``matis.common.views``.)
"""

from __future__ import annotations

import functools

from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from matis.cases.choices import ConsentPurpose
from matis.cases.services import ConsentRequired
from matis.common.views import run_form as common_run_form


def gated(view):
    """Show the gates' one answer ("not available to you", 403) on a page of its own."""
    from matis.cases.gates import CaseNotAvailable

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except CaseNotAvailable as exc:
            return render(request, "cases/not_available.html", {"message": str(exc)}, status=403)

    return wrapper


def consent_message(exc: ConsentRequired) -> str:
    purpose = ConsentPurpose(exc.purpose).label
    if exc.organisation is not None:
        return _(
            "Refused: the person has not consented to %(purpose)s (%(target)s). "
            "Record consent first."
        ) % {"purpose": purpose, "target": exc.organisation}
    if exc.country is not None:
        return _(
            "Refused: the person has not consented to %(purpose)s (%(target)s). "
            "Record consent first."
        ) % {"purpose": purpose, "target": exc.country}
    return _("Refused: the person has not consented to %(purpose)s. Record consent first.") % {
        "purpose": purpose
    }


REFUSALS = {ConsentRequired: consent_message}


def run_form(request, form, action, *, success: str, redirect_to, template="cases/form.html", **kw):
    """:func:`matis.common.views.run_form` for pages about a case: a missing consent is shown."""
    return common_run_form(
        request,
        form,
        action,
        success=success,
        redirect_to=redirect_to,
        template=template,
        refusals={**REFUSALS, **kw.pop("refusals", {})},
        **kw,
    )


def case_url(case) -> str:
    return reverse("cases:case_detail", args=[case.pk])


def case_form(
    request,
    case,
    form,
    action,
    *,
    success: str,
    title: str | None = None,
    redirect_to=None,
    template: str = "cases/form.html",
    **context,
):
    """:func:`run_form` for a form about one case: back to the case when done.

    The page gets ``case``, ``title`` (when given) and ``context``.
    """
    page = {"case": case, **({"title": title} if title is not None else {}), **context}
    return run_form(
        request,
        form,
        action,
        success=success,
        redirect_to=redirect_to or case_url(case),
        template=template,
        context=page,
    )


def case_service_form(request, case, form, service, **options):
    """:func:`case_form` whose action is ``service(actor=<reader>, case=case, **cleaned_data)``."""

    def action(f):
        service(actor=request.user, case=case, **f.cleaned_data)

    return case_form(request, case, form, action, **options)
