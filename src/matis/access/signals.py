"""Audit logins and failed logins (the login view is Django's; these hooks record it)."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from matis.access.audit import audit_record
from matis.access.models import AuditAction


@receiver(user_logged_in)
def _on_login(sender, request, user, **kwargs):
    audit_record(actor=user, action=AuditAction.LOGIN, country_id=user.country_id)


@receiver(user_logged_out)
def _on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(actor=user, action=AuditAction.LOGOUT, country_id=user.country_id)


@receiver(user_login_failed)
def _on_login_failed(sender, credentials, request=None, **kwargs):
    # The attempted email is not stored: it may be a mistyped personal address.
    audit_record(actor=None, action=AuditAction.LOGIN_FAILED)
