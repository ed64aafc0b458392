"""The scopes a machine client's token may hold, and the role its service account acts in.

A token reaches an API endpoint only when the endpoint declares the scope it
needs (``token_scopes`` on the view, see :func:`required_scope`) and the token
holds it. Endpoints that declare nothing are closed to tokens: case records,
for instance, are never read by a token.

Behind every client is a service account: a user of the client's country with
the role below, so the services (which check ``matis.access.permissions``)
apply their own rules to it as they do to a person. The scope narrows what
the role allows; it never widens it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from matis.access.models import Role

STATISTICS_READ = "statistics:read"
STATISTICS_SUBMIT = "statistics:submit"
RETURNS_READ = "returns:read"
RETURNS_WRITE = "returns:write"
CASES_INTAKE = "cases:intake"
JUSTICE_READ = "justice:read"
JUSTICE_WRITE = "justice:write"

# scope -> (what it allows, the role its service account needs; None: any)
SCOPES: dict[str, tuple] = {
    STATISTICS_READ: (
        _("read the country's official statistics and submissions"),
        None,
    ),
    STATISTICS_SUBMIT: (
        _("submit official statistics files for approval"),
        Role.STATISTICS_OFFICER,
    ),
    RETURNS_READ: (
        _("read the country's returns (repatriations) and those it receives"),
        Role.CASE_WORKER,
    ),
    RETURNS_WRITE: (
        _("record the next step of a return the country takes part in"),
        Role.CASE_WORKER,
    ),
    CASES_INTAKE: (
        _("register a presumed victim who consented to services (never read cases)"),
        Role.CASE_WORKER,
    ),
    JUSTICE_READ: (
        _("read the country's criminal cases: stages, charges and verdicts, no names"),
        Role.JUSTICE_OFFICER,
    ),
    JUSTICE_WRITE: (
        _("open criminal cases and record their stages, charges and verdicts"),
        Role.JUSTICE_OFFICER,
    ),
}
SCOPE_CHOICES = [(code, f"{code}: {text}") for code, (text, _role) in SCOPES.items()]
# a client holding only scopes that need no particular role acts as this role
DEFAULT_ROLE = Role.STATISTICS_OFFICER


class ScopeError(ValueError):
    """Scopes that are unknown, or that no single role can hold together."""


def role_for(scopes: list[str]) -> str:
    """The role of the service account behind a client with these scopes."""
    if not scopes:
        raise ScopeError(_("Choose at least one scope."))
    unknown = sorted(set(scopes) - set(SCOPES))
    if unknown:
        raise ScopeError(_("Unknown scope: %(scopes)s.") % {"scopes": ", ".join(unknown)})
    roles = {SCOPES[s][1] for s in scopes} - {None}
    if len(roles) > 1:
        raise ScopeError(
            _("These scopes belong to different roles (%(roles)s): create one client for each.")
            % {"roles": ", ".join(sorted(str(Role(r).label) for r in roles))}
        )
    return roles.pop() if roles else DEFAULT_ROLE


def required_scope(view, method: str) -> str | None:
    """The scope a token needs for ``method`` on ``view``; None: closed to tokens.

    A view declares ``token_scopes = {"read": ..., "write": ...}`` (by safe or
    unsafe HTTP method), and may name single actions (``{"upload": ...}``),
    which take precedence.
    """
    declared = getattr(view, "token_scopes", None) or {}
    action = getattr(view, "action", None)
    if action and action in declared:
        return declared[action]
    safe = method.upper() in ("GET", "HEAD", "OPTIONS")
    return declared.get("read" if safe else "write")
