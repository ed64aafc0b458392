"""Offline capture: the page, its service worker and manifest, the bundle, sync and devices.

The JSON endpoints answer a missing session or a refused grant with a JSON
403 (never a redirect to the login page), so the device knows what to do.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from matis.access.permissions import has_perm
from matis.access.scoping import scoped
from matis.common.views import require
from matis.offline import bundle as offline_bundle
from matis.offline import selectors, services
from matis.offline.models import OfflineGrant

GRANT_HEADER = "X-Matis-Grant"
MAX_RECORDS_PER_SYNC = 200
MAX_BODY_BYTES = 5 * 1024 * 1024


def _refuse(code: str, status: int = 403) -> JsonResponse:
    return JsonResponse({"error": code}, status=status)


def _grant_or_refusal(request):
    user = request.user
    if not user.is_authenticated:
        return None, _refuse("signin")
    if not has_perm(user, "cases.register_case"):
        return None, _refuse("forbidden")
    try:
        return services.grant_check(user=user, grant_id=request.headers.get(GRANT_HEADER)), None
    except services.GrantRefused:
        return None, _refuse("grant_refused")


@scoped("country", model=OfflineGrant, field="user__country")
@require_safe
@login_required
def page(request):
    """The offline page (cached by the service worker): set up, unlock, capture, sync."""
    require(has_perm(request.user, "cases.register_case"))
    strings = {
        "saved": _("Saved on this device, encrypted."),
        "queued": _("Waiting to be sent"),
        "applied": _("Saved in MATIS as %(ref)s."),
        "duplicate": _("Possible duplicate of %(refs)s: nothing was saved."),
        "duplicate_hidden": _("a case you cannot see"),
        "conflict": _("Conflict: this record was already sent with other content."),
        "invalid": _("Not valid: nothing was saved."),
        "wrong_password": _("The password is not correct."),
        "online": _("Online"),
        "offline": _("Offline: work is kept on this device, encrypted."),
        "signin": _("Sign in again, then send."),
        "revoked": _(
            "This device's offline access was revoked: its offline data has been deleted."
        ),
        "expired": _("%(n)s record(s) older than %(days)s days were deleted from this device."),
        "confirm_new": _("Register as a new person"),
        "remove": _("Remove from this device"),
        "sent": _("Sent: %(n)s saved, %(d)s duplicates, %(e)s need attention."),
        "wiped": _("All offline data deleted from this device."),
        "no_bundle": _("Open this page online once to download the forms."),
        "none": _("Nothing waiting to be sent."),
        "required": _("Give the given name."),
    }
    return render(
        request,
        "offline/page.html",
        {"strings": strings, "max_days": services.max_days()},
    )


@scoped("global")
@require_safe
def manifest(request):
    """The web app manifest (installable app; no personal data)."""
    from django.templatetags.static import static

    data = {
        "name": _("MATIS offline capture"),
        "short_name": "MATIS",
        "start_url": reverse("offline:page"),
        "scope": reverse("offline:page"),
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1d4f91",
        "icons": [
            {"src": static("offline/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("offline/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


@scoped("global")
@require_safe
def service_worker(request):
    """The service worker, at /offline/ so its scope covers the page; lists the shell to cache."""
    body = render_to_string(
        "offline/sw.js",
        {"version": offline_bundle.shell_version(), "assets": offline_bundle.shell_urls()},
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["Service-Worker-Allowed"] = reverse("offline:page")
    return response


@scoped("country", model=OfflineGrant, field="user__country")
def grant_new(request):
    """Set up this device: the user confirms the password; answers the grant id and salt."""
    user = request.user
    if not user.is_authenticated:
        return _refuse("signin")
    if request.method != "POST":
        return _refuse("post_only")
    try:
        data = json.loads(request.body or b"{}")
        grant = services.grant_issue(
            actor=user,
            password=str(data.get("password", "")),
            device=str(data.get("device", "")),
            session_key=request.session.session_key,
        )
    except (ValueError, AttributeError):
        return _refuse("bad_request", 400)
    except PermissionDenied:
        return _refuse("forbidden")
    except ValidationError:
        return _refuse("wrong_password", 400)
    return JsonResponse(
        {
            "grant": str(grant.pk),
            "salt": grant.salt,
            "iterations": offline_bundle.PBKDF2_ITERATIONS,
            "max_days": services.max_days(),
            "user": user.pk,
        }
    )


@scoped("country", model=OfflineGrant, field="user__country")
@require_safe
def bundle(request):
    """Instruments, forms' code lists and providers for offline work (grant required)."""
    _grant, refusal = _grant_or_refusal(request)
    if refusal:
        return refusal
    data = offline_bundle.build(user=request.user)
    data["csrf_token"] = get_token(request)
    data["max_days"] = services.max_days()
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@scoped("country", model=OfflineGrant, field="user__country")
def sync(request):
    """GET: is the grant still good (and a fresh CSRF token). POST: apply queued records."""
    grant, refusal = _grant_or_refusal(request)
    if refusal:
        return refusal
    if request.method == "GET":
        return JsonResponse({"grant": "active", "csrf_token": get_token(request)})
    if request.method != "POST":
        return _refuse("method", 405)
    if len(request.body) > MAX_BODY_BYTES:
        return _refuse("too_large", 413)
    try:
        records = json.loads(request.body)["records"]
    except (ValueError, KeyError, TypeError):
        return _refuse("bad_request", 400)
    if not isinstance(records, list) or len(records) > MAX_RECORDS_PER_SYNC:
        return _refuse("bad_request", 400)
    results = [
        services.record_sync(actor=request.user, grant=grant, record=r)
        if isinstance(r, dict)
        else {"status": "invalid", "errors": {"record": [_("Not a record.")]}}
        for r in records
    ]
    return JsonResponse({"results": results}, json_dumps_params={"ensure_ascii": False})


@scoped("country", model=OfflineGrant, field="user__country")
@login_required
def devices(request):
    """Devices set up for offline work; revoke one (a lost or stolen device)."""
    user = request.user
    require(has_perm(user, "cases.register_case") or has_perm(user, "access.manage_users"))
    grants = selectors.grants_for(user)
    if request.method == "POST":
        grant = grants.filter(pk=_uuid_or_none(request.POST.get("revoke"))).first()
        if grant is None:
            raise PermissionDenied
        services.grant_revoke(actor=user, grant=grant)
        messages.success(request, _("Offline access revoked for this device."))
        return redirect("offline:devices")
    return render(request, "offline/devices.html", {"grants": grants[:200]})


def _uuid_or_none(value):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None
