"""One audit row for every request made with a machine client's token, whatever its outcome."""

from __future__ import annotations

from matis.access.audit import audit_record
from matis.access.models import AuditAction

DENIED = {401, 403, 404, 405, 429}
ACTION_BY_METHOD = {
    "POST": AuditAction.RECORD_CREATE,
    "PUT": AuditAction.RECORD_UPDATE,
    "PATCH": AuditAction.RECORD_UPDATE,
    "DELETE": AuditAction.RECORD_DELETE,
}


def _action(method: str, status: int) -> AuditAction:
    if status in DENIED:
        return AuditAction.ACCESS_DENIED
    return ACTION_BY_METHOD.get(method, AuditAction.RECORD_READ)


class ApiClientAuditMiddleware:
    """After an API request that presented a known token: audit it (client, path, status).

    The row's object is the client (``apiclients.apiclient``), its actor the
    client's service account (none when the token was revoked). What the
    request changed is audited by the services themselves, with the same actor.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "matis_bearer", False) and response.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api", error="invalid_token"'
        client = getattr(request, "matis_api_client", None)
        if client is not None:
            status = response.status_code
            audit_record(
                actor=client.user,
                action=_action(request.method, status),
                obj=client,
                method=request.method,
                path=request.path[:300],
                status=status,
                scope=getattr(request, "matis_api_scope", None),
                api_client=client.pk,
            )
        return response
