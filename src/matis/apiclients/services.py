"""Making and revoking API clients; reading a presented token. Every change is audited."""

from __future__ import annotations

import hashlib
import re
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from matis.access.audit import audit_record
from matis.access.models import Agency, AuditAction, User
from matis.access.permissions import has_perm
from matis.apiclients.models import ApiClient
from matis.apiclients.scopes import ScopeError, role_for
from matis.common.models import Country

TOKEN_PREFIX = "matis"  # noqa: S105 - the tokens' fixed first part, not a secret
RATE_PATTERN = re.compile(r"^[1-9][0-9]{0,6}/(second|minute|hour|day|s|m|h|d)$")
SERVICE_DOMAIN = "api-clients.invalid"  # service accounts' addresses: never deliverable


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    """(prefix, token): ``matis_<prefix>_<secret>``, 256 random bits in the secret."""
    prefix = secrets.token_hex(6)
    return prefix, f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"


def may_manage(actor, country_id: str | None) -> bool:
    """Administrators (and superusers) of the country; region-wide administrators: any."""
    if actor is None:  # the command line: whoever runs it holds the server
        return True
    if not has_perm(actor, "access.manage_users"):
        return False
    return actor.country_id is None or actor.country_id == country_id


def clients_visible(actor):
    qs = ApiClient.objects.select_related("country", "user", "created_by", "revoked_by")
    if actor is None or actor.country_id is None:
        return qs
    return qs.filter(country_id=actor.country_id)


@transaction.atomic
def api_client_create(
    *,
    actor: User | None,
    name: str,
    country_id: str,
    scopes: list[str],
    agency: Agency | None = None,
    rate: str = "",
) -> tuple[ApiClient, str]:
    """Make a client and its service account; return it and the token (shown once, never kept)."""
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Give the client a name.")})
    if not Country.objects.filter(pk=country_id).exists():
        raise ValidationError({"country": _("Unknown country %(c)s.") % {"c": country_id}})
    if not may_manage(actor, country_id):
        raise PermissionDenied(_("Only the country's administrators manage its API clients."))
    scopes = sorted(set(scopes))
    try:
        role = role_for(scopes)
    except ScopeError as exc:
        raise ValidationError({"scopes": str(exc)}) from None
    rate = (rate or "").strip()
    if rate and not RATE_PATTERN.match(rate):
        raise ValidationError(
            {"rate": _("Write the rate as a number per period, e.g. 100/minute.")}
        )
    if agency is not None and agency.country_id not in (None, country_id):
        raise ValidationError({"agency": _("The agency belongs to another country.")})
    prefix, token = _new_token()
    user = User.objects.create_user(
        f"api-{prefix}@{SERVICE_DOMAIN}",
        password=None,  # unusable: a service account never signs in
        full_name=f"API client: {name}"[:200],
        role=role,
        country_id=country_id,
        agency=agency,
    )
    client = ApiClient.objects.create(
        name=name[:120],
        country_id=country_id,
        scopes=scopes,
        user=user,
        token_prefix=prefix,
        token_hash=token_hash(token),
        rate=rate,
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.RECORD_CREATE,
        obj=client,
        scopes=scopes,
        role=role,
        rate=rate,
        service_account=user.pk,
    )
    return client, token


@transaction.atomic
def api_client_revoke(*, actor: User | None, client: ApiClient) -> ApiClient:
    """Revoke the token for good: every later request with it gets 401."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    if not may_manage(actor, client.country_id):
        raise PermissionDenied(_("Only the country's administrators manage its API clients."))
    if client.revoked_at is not None:
        return client
    client.revoked_at = timezone.now()
    client.revoked_by = actor
    client.save(update_fields=["revoked_at", "revoked_by"])
    User.objects.filter(pk=client.user_id).update(is_active=False)
    audit_record(
        actor=actor,
        action=AuditAction.STATUS_CHANGE,
        obj=client,
        old_status="active",
        new_status="revoked",
    )
    return client


def client_for_token(token: str) -> ApiClient | None:
    """The client a presented token belongs to (revoked ones too), or None.

    Looked up by prefix; the hash compared in constant time.
    """
    parts = token.split("_", 2)  # the secret itself may hold "_"
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or not parts[1] or not parts[2]:
        return None
    client = (
        ApiClient.objects.select_related("user", "country").filter(token_prefix=parts[1]).first()
    )
    if client is None or not secrets.compare_digest(client.token_hash, token_hash(token)):
        return None
    return client
