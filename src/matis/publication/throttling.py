"""Public pages: no login, rate limited per address and cached per release state.

The rate (``MATIS_PUBLIC_RATE``, e.g. ``300/minute``) is a DRF throttle rate
like the API's, counted in the same cache. Responses are cached for
``MATIS_PUBLIC_CACHE_SECONDS`` under a key that includes the language and a
counter every release bumps, so a new release shows at once.
"""

from __future__ import annotations

from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.utils import translation
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET
from rest_framework.throttling import SimpleRateThrottle

from matis.access.scoping import scoped
from matis.publication.services import CACHE_VERSION_KEY

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class PublicRateThrottle(SimpleRateThrottle):
    scope = "public"

    def get_rate(self):
        return getattr(settings, "MATIS_PUBLIC_RATE", "300/minute")

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


def too_many(wait) -> HttpResponse:
    response = HttpResponse("Too many requests\n", status=429, content_type="text/plain")
    if wait:
        response["Retry-After"] = str(int(wait) + 1)
    return response


def public_view(view):
    """No login; GET only; ``?lang=`` chooses the language; throttled; cached."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        throttle = PublicRateThrottle()
        if not throttle.allow_request(request, None):
            return too_many(throttle.wait())
        lang = request.GET.get("lang")
        if lang in LANGUAGE_CODES:
            translation.activate(lang)
            request.LANGUAGE_CODE = lang
        language = translation.get_language()
        version = cache.get(CACHE_VERSION_KEY, 1)
        key = f"public:{version}:{language}:{request.get_full_path()}"
        seconds = int(getattr(settings, "MATIS_PUBLIC_CACHE_SECONDS", 60))
        cached = cache.get(key) if seconds else None
        if cached is not None:
            status, content, headers = cached
            response = HttpResponse(content, status=status)
            for name, value in headers.items():
                response[name] = value
        else:
            response = view(request, *args, **kwargs)
            if seconds and response.status_code == 200 and not response.streaming:
                headers = {
                    k: v
                    for k, v in response.items()
                    if k in ("Content-Type", "Content-Disposition", "Content-Language")
                }
                cache.set(key, (200, response.content, headers), seconds)
        response["Content-Language"] = language
        patch_cache_control(response, public=True, max_age=seconds)
        return response

    return scoped("global")(require_GET(wrapper))
