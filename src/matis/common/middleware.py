"""Request ids: every request gets one, every log line carries it, errors show it."""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("matis_request_id", default="-")

REQUEST_ID_HEADER = "X-Request-ID"
# An id the TLS proxy (nginx ``$request_id``) or a calling system sends is kept,
# so one id follows a request through proxy, server log and audit log. It must
# fit the audit log's column and carry nothing a log reader could mistake for
# structure (no spaces, quotes or line breaks); anything else is replaced.
_INCOMING_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,32}")

access_log = logging.getLogger("matis.request")


def current_request_id() -> str:
    return _request_id.get()


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _request_id.get()
        if request_id == "-":
            # Django logs 4xx/5xx answers ("django.request") after the middleware
            # has returned; the record names the request, which holds its id.
            request_id = getattr(getattr(record, "request", None), "request_id", "-")
        record.request_id = request_id
        return True


def request_id_from(request) -> str:
    """The caller's ``X-Request-ID`` when it is a plausible id, else a new random one."""
    incoming = request.META.get("HTTP_X_REQUEST_ID", "")
    if _INCOMING_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex[:16]


class RequestIdMiddleware:
    """Give every request an id, echo it in ``X-Request-ID`` and log one line per request.

    The line (logger ``matis.request``, level INFO) holds method, route, status
    and duration, never the query string or the body: those may carry
    personal data.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request)
        token = _request_id.set(request_id)
        request.request_id = request_id
        began = time.perf_counter()
        try:
            response = self.get_response(request)
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "route": route_of(request),
                    "status": response.status_code,
                    "duration_ms": round(1000 * (time.perf_counter() - began), 1),
                },
            )
        finally:
            _request_id.reset(token)
        response[REQUEST_ID_HEADER] = request_id
        return response


def route_of(request) -> str:
    """The URL pattern that served the request (``cases/<int:pk>/``), not the path with its ids."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "<unmatched>"
    return match.route or match.view_name or "<unmatched>"


class NoStoreForSignedInMiddleware:
    """Tell browsers and proxies not to keep any page or API answer given to a signed-in user.

    Pages and API responses of a signed-in user may carry personal data; a
    shared computer's cache or a proxy must not keep them. Answers that set
    their own ``Cache-Control`` (static files, downloads that chose one) keep it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response


LAST_SEEN_KEY = "matis_last_seen"


class SessionTimeoutMiddleware:
    """End a session after ``SESSION_IDLE_SECONDS`` without a request.

    The absolute limit is the cookie age (``SESSION_MAX_SECONDS``). The last
    activity is written at most once a minute, so a busy page does not write
    the session on every request.
    """

    TOUCH_EVERY_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        import time

        from django.conf import settings
        from django.contrib.auth import logout

        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            last = session.get(LAST_SEEN_KEY)
            if last is not None and now - int(last) > settings.SESSION_IDLE_SECONDS:
                logout(request)
            elif last is None or now - int(last) >= self.TOUCH_EVERY_SECONDS:
                session[LAST_SEEN_KEY] = now
        return self.get_response(request)
