"""Single sign-on with OpenID Connect (mozilla-django-oidc), off unless configured.

Only **existing** MATIS accounts can sign in this way: the provider's verified
e-mail claim must match one active user's e-mail (case-insensitive). Nobody is
created; an unknown or inactive account is refused, audited as a failed login,
and sent back to the login page with a message. A successful sign-in is audited
by the ``user_logged_in`` hook like a password sign-in.

The second factor stays MATIS's: after SSO the user passes the same code step
(:class:`matis.access.middleware.AccountRequirementsMiddleware`) unless the ID
token's ``amr`` claim contains ``MATIS_OIDC_MFA_AMR`` (default ``mfa``), i.e. the
provider asserts it already checked a second factor. Then the session is marked
verified through django-otp with a token-less "identity provider" device.
"""

from __future__ import annotations

import django_otp
from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.urls import path
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from matis.access.audit import audit_record
from matis.access.models import AuditAction, User
from matis.access.scoping import scoped

SSO_DEVICE_NAME = "identity provider"
MFA_SESSION_FLAG = "matis_oidc_mfa"


def oidc_enabled() -> bool:
    """SSO is configured (client id, secret and the provider endpoints)."""
    return bool(
        getattr(settings, "OIDC_RP_CLIENT_ID", "")
        and getattr(settings, "OIDC_RP_CLIENT_SECRET", "")
        and getattr(settings, "OIDC_OP_AUTHORIZATION_ENDPOINT", "")
        and getattr(settings, "OIDC_OP_TOKEN_ENDPOINT", "")
        and getattr(settings, "OIDC_OP_USER_ENDPOINT", "")
        and getattr(settings, "OIDC_OP_JWKS_ENDPOINT", "")
    )


def _refuse(request, *, account: str, reason: str, message: str) -> None:
    audit_record(
        actor=None,
        action=AuditAction.LOGIN_FAILED,
        account=account[:254],
        address=(get_client_ip_address(request) or "") if request is not None else "",
        method="oidc",
        reason=reason,
    )
    if request is not None:
        messages.error(request, message)


class MatisOIDCBackend(OIDCAuthenticationBackend):
    """Matches existing, active MATIS users by verified e-mail; never creates users."""

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        # mozilla-django-oidc does not check the audience or the issuer: do it here.
        audience = payload.get("aud")
        audiences = audience if isinstance(audience, list) else [audience]
        if self.OIDC_RP_CLIENT_ID not in audiences:
            raise SuspiciousOperation("ID token audience is not this client.")
        issuer = getattr(settings, "MATIS_OIDC_ISSUER", "")
        if issuer and payload.get("iss") != issuer:
            raise SuspiciousOperation("ID token issuer is not the configured provider.")
        return payload

    def filter_users_by_claims(self, claims):
        email = (claims.get("email") or "").strip()
        if not email:
            return User.objects.none()
        return User.objects.filter(email__iexact=email)

    def create_user(self, claims):  # never: SSO is for existing accounts only
        return None

    def get_or_create_user(self, access_token, id_token, payload):
        claims = {**payload, **self.get_userinfo(access_token, id_token, payload)}
        email = (claims.get("email") or "").strip()
        if not email or claims.get("email_verified") is not True:
            _refuse(
                self.request,
                account=email,
                reason="email_not_verified",
                message=_("Your identity provider did not confirm your e-mail address."),
            )
            return None
        users = list(self.filter_users_by_claims(claims)[:2])
        if len(users) != 1:
            _refuse(
                self.request,
                account=email,
                reason="unknown_account" if not users else "ambiguous_account",
                message=_(
                    "There is no MATIS account for %(email)s. Ask your MATIS administrator "
                    "to invite you with this e-mail address."
                )
                % {"email": email},
            )
            return None
        user = users[0]
        if not user.is_active:
            _refuse(
                self.request,
                account=email,
                reason="inactive_account",
                message=_("This MATIS account is deactivated."),
            )
            return None
        mfa_value = getattr(settings, "MATIS_OIDC_MFA_AMR", "mfa")
        amr = payload.get("amr") or []
        # remembered on the session until the callback view has logged the user in
        self.request.session[MFA_SESSION_FLAG] = bool(mfa_value) and mfa_value in amr
        return user


def _sso_device(user) -> StaticDevice:
    """A token-less device standing for "the provider checked a second factor"."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=SSO_DEVICE_NAME, defaults={"confirmed": True}
    )
    return device


@scoped("global")
class MatisOIDCAuthenticateView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider (404 when SSO is not configured)."""

    def __init__(self, *args, **kwargs):
        if not oidc_enabled():
            raise Http404("Single sign-on is not configured.")
        super().__init__(*args, **kwargs)


@scoped("global")
class MatisOIDCCallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back; marks the session verified when the IdP did MFA."""

    def dispatch(self, request, *args, **kwargs):
        if not oidc_enabled():
            raise Http404("Single sign-on is not configured.")
        return super().dispatch(request, *args, **kwargs)

    @property
    def failure_url(self):
        from django.urls import reverse

        return reverse("access:login")

    def login_success(self):
        mfa = self.request.session.pop(MFA_SESSION_FLAG, False)
        response = super().login_success()
        if mfa:
            django_otp.login(self.request, _sso_device(self.user))
            audit_record(
                actor=self.user,
                action=AuditAction.LOGIN_SECOND_FACTOR,
                obj=self.user,
                method="identity_provider",
            )
        return response


urlpatterns = [
    path("callback/", MatisOIDCCallbackView.as_view(), name="oidc_authentication_callback"),
    path("authenticate/", MatisOIDCAuthenticateView.as_view(), name="oidc_authentication_init"),
]
