"""OpenAPI: the token scheme (securitySchemes) and, on each operation, the scope a token needs."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.extensions import OpenApiAuthenticationExtension

from matis.apiclients.scopes import SCOPES, required_scope

SCHEME = "matisToken"


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "matis.apiclients.authentication.ApiTokenAuthentication"
    name = SCHEME

    def get_security_definition(self, auto_schema):
        scopes = "\n".join(f"- `{code}`: {text}" for code, (text, _role) in SCOPES.items())
        return {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "matis_<prefix>_<secret>",
            "description": (
                "A machine client's token, made by a country's administrator "
                "(API clients page or `manage.py api_client create`). One country; "
                "the scopes it holds name the endpoints it reaches (each operation's "
                "`x-token-scope`); endpoints without one are closed to tokens.\n\n"
                f"Scopes:\n{scopes}"
            ),
        }

    def get_security_requirement(self, auto_schema):
        if required_scope(auto_schema.view, auto_schema.method) is None:
            return None  # closed to tokens: only the session scheme is listed
        return {SCHEME: []}


class AutoSchema(openapi.AutoSchema):
    """drf-spectacular's schema, plus ``x-token-scope`` on operations tokens may call."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        scope = required_scope(self.view, method)
        if scope is not None:
            operation["x-token-scope"] = scope
            note = f"Machine clients: a token with the scope `{scope}`."
            operation["description"] = (
                f"{operation['description']}\n\n{note}" if operation.get("description") else note
            )
        return operation
