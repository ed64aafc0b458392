"""Sign-in throttling: progressive delays per account, a limit per address.

django-axes records every failed sign-in (``AccessAttempt``: one row per account,
address and browser with a running count; ``AccessFailureLog``: one row per
failure) and refuses a sign-in before the password is checked when the
handler here says "locked". Two rules decide that:

- **Per account, from any address.** After ``AXES_FAILURE_LIMIT`` failures in a
  row the account waits ``MATIS_LOGIN_DELAY_FIRST``; every further failure
  doubles the wait, up to ``MATIS_LOGIN_DELAY_MAX``. Guesses made while the
  account waits are refused unchecked and not counted, so a guesser gets one
  guess per wait and changing address gains nothing; a stranger who knows an
  account's name holds it for a minute with five requests, not half an hour.
  The count ends with a successful sign-in or a day without failures
  (``MATIS_LOGIN_FAILURE_MEMORY``); an administrator lifts it by deleting the
  account's attempts in the admin (audited, ``services.login_lockout_clear``).
- **Per address, across accounts.** ``MATIS_LOGIN_ADDRESS_LIMIT`` failures from
  one address within ``MATIS_LOGIN_ADDRESS_WINDOW`` block that address until the
  window has moved past them: password spraying (a few guesses on many
  accounts) stops there. A successful sign-in does not clear this count.

The address is ``REMOTE_ADDR`` only. ``matis serve`` rewrites it from
``X-Forwarded-For`` for the trusted proxy alone and strips that header from
anyone else, so reading the header here would let a client choose its address.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

NO_WAIT = timedelta(0)


def client_address(request: HttpRequest) -> str | None:
    """The client's address as the server saw it (``AXES_CLIENT_IP_CALLABLE``)."""
    return request.META.get("REMOTE_ADDR") or None


def login_account(request: HttpRequest, credentials: dict | None = None) -> str | None:
    """The account tried, as stored (e-mail in lower case): ``AXES_USERNAME_CALLABLE``.

    Accounts are stored in lower case, so "Alice@x" and "alice@x" count as one.
    """
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        value = credentials.get(field)
    else:
        value = getattr(request, "data", request.POST).get(field)
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip().lower()


def account_delay(failures: int, limit: int) -> timedelta:
    """How long an account waits after ``failures`` failed sign-ins in a row."""
    over = failures - limit
    if over < 0:
        return NO_WAIT
    first = settings.MATIS_LOGIN_DELAY_FIRST
    longest = settings.MATIS_LOGIN_DELAY_MAX
    # The exponent is capped so a long streak cannot build an enormous number.
    return min(first * 2 ** min(over, 32), longest)


def account_failures(account: str | None) -> tuple[int, datetime | None]:
    """Failures in a row of ``account`` from every address, and the time of the last."""
    if not account:
        return 0, None
    totals = AccessAttempt.objects.filter(username=account).aggregate(
        failures=Sum("failures_since_start"), last=Max("attempt_time")
    )
    return totals["failures"] or 0, totals["last"]


def account_wait(account: str | None, *, now: datetime, limit: int) -> timedelta:
    failures, last = account_failures(account)
    if failures < limit or last is None or last <= now - settings.MATIS_LOGIN_FAILURE_MEMORY:
        return NO_WAIT
    return max(last + account_delay(failures, limit) - now, NO_WAIT)


def address_wait(address: str | None, *, now: datetime) -> timedelta:
    """How long ``address`` stays blocked: until its limit-th newest failure leaves the window."""
    if not address:
        return NO_WAIT
    limit = settings.MATIS_LOGIN_ADDRESS_LIMIT
    window = settings.MATIS_LOGIN_ADDRESS_WINDOW
    oldest_counted = (
        AccessFailureLog.objects.filter(ip_address=address, attempt_time__gt=now - window)
        .order_by("-attempt_time")
        .values_list("attempt_time", flat=True)[limit - 1 : limit]
    )
    for at in oldest_counted:
        return max(at + window - now, NO_WAIT)
    return NO_WAIT


def login_wait(request: HttpRequest | None, credentials: dict | None = None) -> timedelta:
    """How long this sign-in must wait (zero: go ahead). Also ``AXES_COOLOFF_TIME``."""
    if request is None:
        return NO_WAIT
    # The clock, not the request's start: axes stamps attempts when it saves them.
    now = timezone.now()
    address = getattr(request, "axes_ip_address", None) or client_address(request)
    return max(
        account_wait(
            get_client_username(request, credentials),
            now=now,
            limit=get_failure_limit(request, credentials),
        ),
        address_wait(address, now=now),
    )


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """The lockout page, saying how many minutes to wait (``AXES_LOCKOUT_CALLABLE``)."""
    wait = login_wait(request, credentials)
    minutes = max(1, math.ceil(wait.total_seconds() / 60))
    return render(
        request,
        settings.AXES_LOCKOUT_TEMPLATE,
        {"wait_minutes": minutes},
        status=settings.AXES_HTTP_RESPONSE_CODE,
    )


class LoginThrottleHandler(AxesDatabaseHandler):
    """django-axes' database handler with MATIS's two rules (``AXES_HANDLER``)."""

    def is_locked(self, request, credentials: dict | None = None) -> bool:
        return login_wait(request, credentials) > NO_WAIT

    def get_failures(self, request, credentials: dict | None = None) -> int:
        # The account's failures in a row from every address (axes locks when this
        # reaches the limit; the wait itself comes from login_wait).
        return account_failures(get_client_username(request, credentials))[0]

    def user_login_failed(self, sender, credentials: dict, request=None, **kwargs):
        super().user_login_failed(sender, credentials, request, **kwargs)
        # axes locks on the account's count only; the failure just recorded may
        # also have reached the address limit.
        if request is None or request.axes_locked_out:
            return
        if self.is_locked(request, credentials):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )

    def reset_user_attempts(self, request, credentials: dict | None = None) -> int:
        # A successful sign-in ends the account's streak from every address; it
        # does not clear the address's count (a sprayer's one hit must not reset it).
        account = get_client_username(request, credentials)
        if not account:
            return 0
        count, _ = AccessAttempt.objects.filter(username=account).delete()
        return count

    def clean_expired_user_attempts(self, request=None, credentials=None) -> int:
        # Forget an account's streak a day after its last failure, all rows at once
        # (deleting rows one by one would shorten a streak spread over addresses).
        now = timezone.now()
        forget_before = now - settings.MATIS_LOGIN_FAILURE_MEMORY
        still_counting = AccessAttempt.objects.filter(
            attempt_time__gt=forget_before, username__isnull=False
        ).values("username")
        count, _ = (
            AccessAttempt.objects.filter(attempt_time__lte=forget_before)
            .filter(Q(username__isnull=True) | ~Q(username__in=still_counting))
            .delete()
        )
        # The per-failure log only feeds the address limit; the audit log keeps
        # every failed sign-in for good (AuditAction.LOGIN_FAILED).
        keep = max(settings.MATIS_LOGIN_FAILURE_MEMORY, settings.MATIS_LOGIN_ADDRESS_WINDOW)
        AccessFailureLog.objects.filter(attempt_time__lte=now - keep).delete()
        return count
