"""What a signed-in user must do before anything else: change a password, pass 2FA.

After :class:`django_otp.middleware.OTPMiddleware` (which sets
``request.user.is_verified()``), every page request of a signed-in user goes
through :class:`AccountRequirementsMiddleware`:

1. a user whose password someone else chose (``must_change_password``) is sent
   to the password change page;
2. a user who has an authenticator but has not given a code in this session is
   sent to the code page;
3. a user whose role requires two-factor sign-in (:mod:`matis.access.twofactor`)
   and who has no authenticator yet is sent to set one up.

The pages that do these things, signing out, the language switch, static files
and the health check are let through. API calls answer 403 instead of a redirect.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse

from matis.access import twofactor

ACCOUNT_PAGES = (
    "access:logout",
    "access:password_change",
    "access:two_factor_setup",
    "access:two_factor_verify",
)


def _exempt_prefixes() -> tuple[str, ...]:
    return (
        *(reverse(name) for name in ACCOUNT_PAGES),
        "/i18n/",
        "/health/",
        settings.STATIC_URL,
    )


def _redirect(request, name: str):
    target = reverse(name)
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Account setup required: " + target}, status=403)
    query = urlencode({"next": request.get_full_path()}) if request.method == "GET" else ""
    return HttpResponseRedirect(f"{target}?{query}" if query else target)


class AccountRequirementsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(_exempt_prefixes()):
            return self.get_response(request)
        if user.must_change_password:
            return _redirect(request, "access:password_change")
        if not user.is_verified():
            if twofactor.has_two_factor(user):
                return _redirect(request, "access:two_factor_verify")
            if twofactor.two_factor_required(user):
                return _redirect(request, "access:two_factor_setup")
        return self.get_response(request)
