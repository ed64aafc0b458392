"""Bearer tokens of machine clients: who is calling, and may the token reach this endpoint.

The endpoint's scope is checked here, at the door, rather than in each view's
``permission_classes``: a view that sets its own permission classes cannot
forget it. A view that declares no scope is closed to tokens (403).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from matis.apiclients.models import ApiClient
from matis.apiclients.scopes import required_scope
from matis.apiclients.services import client_for_token

KEYWORD = b"bearer"
# last_used_at is written at most this often per client (not on every request)
LAST_USED_RESOLUTION_SECONDS = 60


class InvalidToken(exceptions.APIException):
    """401 for a bad or revoked token.

    Not DRF's AuthenticationFailed: session authentication comes first in the
    list (so requests without a token keep their 403), and DRF turns
    AuthenticationFailed into 403 when the first authenticator sends no
    challenge. The middleware adds the ``WWW-Authenticate: Bearer`` header.
    """

    status_code = 401
    default_detail = _("Invalid token.")
    default_code = "invalid_token"


class ScopeDenied(exceptions.PermissionDenied):
    default_detail = _("This token's scopes do not include this endpoint.")
    default_code = "insufficient_scope"


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer matis_<prefix>_<secret>``; acts as the client's service account."""

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD:
            return None
        django_request = request._request
        django_request.matis_bearer = True
        if len(header) != 2:
            raise InvalidToken(_("Give one token after Bearer."))
        try:
            token = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise InvalidToken() from None
        client = client_for_token(token)
        if client is None:
            raise InvalidToken()
        django_request.matis_api_client = client
        if client.revoked_at is not None or not client.user.is_active:
            raise InvalidToken(_("This token has been revoked."))
        view = (getattr(request, "parser_context", None) or {}).get("view")
        scope = required_scope(view, request.method)
        django_request.matis_api_scope = scope
        if not client.has_scope(scope):
            raise ScopeDenied()
        self._touch(client)
        return (client.user, client)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'

    @staticmethod
    def _touch(client: ApiClient) -> None:
        now = timezone.now()
        last = client.last_used_at
        if last is None or (now - last).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
            client.last_used_at = now


def client_of(request) -> ApiClient | None:
    """The machine client making a DRF request, or None for a person."""
    return request.auth if isinstance(getattr(request, "auth", None), ApiClient) else None
