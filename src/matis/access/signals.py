"""Audit logins and failed logins (the login view is Django's; these hooks record it)."""

import time

from axes.helpers import get_client_ip_address
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from matis.access.audit import audit_record
from matis.access.models import AuditAction
from matis.common.middleware import LAST_SEEN_KEY


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditAction.LOGIN, country_id=user.country_id)
    if request is not None and hasattr(request, "session"):
        # The idle timeout counts from here (matis.common.middleware.SessionTimeoutMiddleware).
        request.session[LAST_SEEN_KEY] = int(time.time())


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, country_id=user.country_id)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # The account as typed and the client address (as django-axes sees it for its
    # lockout) let an auditor tell a mistyped password from someone trying accounts.
    # Django has already masked the password in ``credentials``.
    account = credentials.get("username") or credentials.get("email") or ""
    address = get_client_ip_address(request) if request is not None else None
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        account=str(account)[:254],
        address=address or "",
    )
