"""Pages for the full HTCDS record, HTCDS / CTDC CSV export and file import."""

from __future__ import annotations

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.cases import gates, services
from matis.cases.export import cases_csv
from matis.cases.interchange import ImportFailed
from matis.cases.models import Case
from matis.cases.pages import case_form
from matis.cases.protection import cipher
from matis.cases.record_forms import (
    MAX_IMPORT_BYTES,
    HtcdsRecordForm,
    ImportConfirmForm,
    ImportForm,
    record_initial,
)
from matis.cases.services.record import record_of
from matis.common.files import upload_limit
from matis.common.views import add_service_error, require

_LABEL = "cases.import-upload"
_SESSION = "cases_import_pending"


@scoped("country", model=Case, lookup="pk")
@login_required
def record_edit(request, pk: int):
    user = request.user
    case = gates.access_case_for_update(user, pk, purpose="edit_htcds")
    form = HtcdsRecordForm(request.POST or None, initial=record_initial(record_of(case)))

    def action(f):
        services.htcds_record_update(actor=user, case=case, values=f.record_values())

    response = case_form(
        request,
        case,
        form,
        action,
        success=_("Saved."),
        title=_("Trafficking details (HTCDS record)"),
        template="cases/htcds_form.html",
    )
    return response


@scoped("country", model=Case)
@require_safe
@login_required
def export_csv(request):
    fmt = request.GET.get("format", "ctdc")
    if fmt not in ("ctdc", "htcds"):
        fmt = "ctdc"
    try:
        data = cases_csv(actor=request.user, fmt=fmt)
    except PermissionDenied:
        return render(
            request,
            "cases/not_available.html",
            {"message": _("You may not export cases in this format.")},
            status=403,
        )
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="cases-{fmt}.csv"'
    response["Cache-Control"] = "no-store"
    return response


def _pending_name(token: str) -> str:
    return f"cases/imports/{token}.enc"


def _forget(request) -> None:
    pending = request.session.pop(_SESSION, None)
    if pending and default_storage.exists(_pending_name(pending["token"])):
        default_storage.delete(_pending_name(pending["token"]))


@scoped("country", model=Case)
@upload_limit(MAX_IMPORT_BYTES)
@login_required
def import_upload(request):
    """Upload → check (nothing written) → preview or errors → confirm → import."""
    user = request.user
    require(has_perm(user, "cases.register_case"))
    context: dict = {
        "max_mb": MAX_IMPORT_BYTES // (1024 * 1024),
        "perms_supervise": has_perm(user, "cases.supervise_cases"),
    }
    if request.method == "POST" and "token" in request.POST:
        return _import_confirm(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    context["form"] = form
    status = 200
    if request.method == "POST" and form.is_valid():
        fmt = form.cleaned_data["format"]
        try:
            text = form.cleaned_data["file"].read().decode("utf-8-sig")
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
            text = None
        if text is not None:
            audit_record(
                actor=user,
                action=AuditAction.FILE_UPLOAD,
                country_id=user.country_id,
                object_type="cases.import",
                format=fmt,
            )
            try:
                result = services.cases_import(actor=user, text=text, fmt=fmt, dry_run=True)
            except ImportFailed as exc:
                context["problems"] = exc.problems[:200]
                context["n_problems"] = len(exc.problems)
                status = 400
            except ValidationError as exc:
                add_service_error(form, exc)
                status = 400
            except PermissionDenied:
                form.add_error(None, _("Only a user of an agency can import cases."))
                status = 403
            else:
                _forget(request)
                token = secrets.token_hex(16)
                default_storage.save(
                    _pending_name(token), ContentFile(cipher.encrypt(text, label=_LABEL).encode())
                )
                request.session[_SESSION] = {"token": token, "format": fmt}
                context["result"] = result
                context["confirm"] = ImportConfirmForm(initial={"token": token})
    elif request.method == "POST":
        status = 400
    return render(request, "cases/import.html", context, status=status)


def _import_confirm(request):
    user = request.user
    form = ImportConfirmForm(request.POST)
    pending = request.session.get(_SESSION)
    if not form.is_valid() or not pending or pending["token"] != form.cleaned_data["token"]:
        messages.error(request, _("That upload has expired; upload the file again."))
        return redirect("cases:import_upload")
    name = _pending_name(pending["token"])
    if not default_storage.exists(name):
        request.session.pop(_SESSION, None)
        messages.error(request, _("That upload has expired; upload the file again."))
        return redirect("cases:import_upload")
    with default_storage.open(name, "rb") as fh:
        text = cipher.decrypt(fh.read().decode(), label=_LABEL)
    try:
        result = services.cases_import(actor=user, text=text, fmt=pending["format"])
    except ImportFailed as exc:
        _forget(request)
        return render(
            request,
            "cases/import.html",
            {"form": ImportForm(), "problems": exc.problems[:200], "n_problems": len(exc.problems)},
            status=400,
        )
    _forget(request)
    messages.success(
        request,
        _("%(created)s cases imported; %(skipped)s rows were imported before.")
        % {"created": len(result.created), "skipped": result.skipped},
    )
    return redirect("cases:case_list")
