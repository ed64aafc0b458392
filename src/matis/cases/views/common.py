"""Helpers shared by the case views."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from matis.cases.choices import ConsentPurpose
from matis.cases.services import ConsentRequired


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


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def add_service_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form fields it names (or on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


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


def run_form(
    request, form, action, *, success: str, redirect_to, template="cases/form.html", context=None
):
    """Validate ``form``, call ``action(form)``; on success redirect, else re-render with errors."""
    if request.method == "POST" and form.is_valid():
        try:
            action(form)
        except ValidationError as exc:
            add_service_error(form, exc)
        except ConsentRequired as exc:
            form.add_error(None, consent_message(exc))
        else:
            messages.success(request, success)
            return redirect(redirect_to)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, **(context or {})}, status=status)
