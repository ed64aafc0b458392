"""Single sign-on with OpenID Connect against a small provider run in a thread.

The provider (``http.server``) serves authorize (redirects back with a code),
token (an RS256 ID token signed with a key made here), userinfo and JWKS. The
flow is driven with Django's test client; the hop to the provider goes through
urllib, as a browser would.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from matis.access.models import AuditAction, AuditLog

CLIENT_ID = "matis-test"
CLIENT_SECRET = "s3cret-for-tests"


class Provider:
    """The state of the test provider: the claims it will assert next, and its key."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.claims: dict = {}
        self.codes: dict[str, str] = {}  # code -> nonce
        self.issuer = ""


def _handler(provider: Provider):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # keep test output quiet
            pass

        def _json(self, body: dict, status: int = 200):
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlsplit(self.path)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/authorize":
                assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
                code = f"code-{len(provider.codes)}"
                provider.codes[code] = query.get("nonce", "")
                target = (
                    query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
                )
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
            elif url.path == "/userinfo":
                assert self.headers["Authorization"] == "Bearer access-token"
                self._json({k: v for k, v in provider.claims.items() if k != "amr"})
            elif url.path == "/jwks":
                jwk = jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key(), as_dict=True)
                self._json({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]})
            else:
                self._json({"error": "not_found"}, 404)

        def do_POST(self):
            body = parse_qs(self.rfile.read(int(self.headers["Content-Length"])).decode())
            form = {k: v[0] for k, v in body.items()}
            if urlsplit(self.path).path != "/token" or form.get("code") not in provider.codes:
                self._json({"error": "invalid_grant"}, 400)
                return
            assert form["client_id"] == CLIENT_ID and form["client_secret"] == CLIENT_SECRET
            now = int(time.time())
            id_token = jwt.encode(
                {
                    "iss": provider.issuer,
                    "aud": CLIENT_ID,
                    "iat": now,
                    "exp": now + 300,
                    "nonce": provider.codes.pop(form["code"]),
                    **provider.claims,
                },
                provider.key,
                algorithm="RS256",
                headers={"kid": "k1"},
            )
            self._json(
                {"access_token": "access-token", "token_type": "Bearer", "id_token": id_token}
            )

    return Handler


@pytest.fixture(scope="module")
def provider():
    state = Provider()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    state.issuer = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def sso(provider, monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    base = provider.issuer
    with override_settings(
        MATIS_OIDC_ISSUER=base,
        MATIS_OIDC_PROVIDER_NAME="Test IdP",
        OIDC_RP_CLIENT_ID=CLIENT_ID,
        OIDC_RP_CLIENT_SECRET=CLIENT_SECRET,
        OIDC_OP_AUTHORIZATION_ENDPOINT=f"{base}/authorize",
        OIDC_OP_TOKEN_ENDPOINT=f"{base}/token",
        OIDC_OP_USER_ENDPOINT=f"{base}/userinfo",
        OIDC_OP_JWKS_ENDPOINT=f"{base}/jwks",
        AUTHENTICATION_BACKENDS=[
            *settings.AUTHENTICATION_BACKENDS,
            "matis.access.oidc.MatisOIDCBackend",
        ],
    ):
        yield provider


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def sign_in(client, provider, claims: dict):
    """Run the authorization-code flow; return the response of MATIS's callback."""
    provider.claims = claims
    start = client.get(reverse("oidc_authentication_init"))
    assert start.status_code == 302
    assert start["Location"].startswith(provider.issuer + "/authorize?")
    opener = urllib.request.build_opener(_NoRedirect)
    with pytest.raises(urllib.error.HTTPError) as hop:  # the provider's 302 back to MATIS
        opener.open(start["Location"], timeout=10)
    assert hop.value.code == 302
    back = urlsplit(hop.value.headers["Location"])
    assert back.path == reverse("oidc_authentication_callback")
    return client.get(f"{back.path}?{back.query}")


@pytest.mark.django_db
def test_login_page_offers_sso_only_when_configured(client, sso):
    page = client.get(reverse("access:login")).content.decode()
    assert "Sign in with Test IdP" in page
    with override_settings(OIDC_RP_CLIENT_ID=""):
        assert "oidc-login" not in client.get(reverse("access:login")).content.decode()
        assert client.get(reverse("oidc_authentication_init")).status_code == 404


@pytest.mark.django_db
def test_known_user_signs_in_and_still_needs_the_second_factor(client, sso, make_user):
    user = make_user()
    user.two_factor_confirmed_at = timezone.now()
    user.save(update_fields=["two_factor_confirmed_at"])
    claims = {"sub": "u-1", "email": user.email.upper(), "email_verified": True, "amr": ["pwd"]}
    with override_settings(MATIS_REQUIRE_2FA=True):
        response = sign_in(client, sso, claims)
        assert response.status_code == 302 and response["Location"] != reverse("access:login")
        assert int(client.session["_auth_user_id"]) == user.pk
        home = client.get(reverse("home"))
        assert home.status_code == 302
        assert home["Location"].startswith(reverse("access:two_factor_verify"))
    assert AuditLog.objects.filter(actor=user, action=AuditAction.LOGIN).count() == 1


@pytest.mark.django_db
def test_provider_mfa_claim_satisfies_the_second_factor(client, sso, make_user):
    user = make_user()
    user.two_factor_confirmed_at = timezone.now()
    user.save(update_fields=["two_factor_confirmed_at"])
    claims = {"sub": "u-2", "email": user.email, "email_verified": True, "amr": ["pwd", "mfa"]}
    with override_settings(MATIS_REQUIRE_2FA=True):
        sign_in(client, sso, claims)
        assert client.get(reverse("home")).status_code == 200
    assert AuditLog.objects.filter(
        actor=user, action=AuditAction.LOGIN_SECOND_FACTOR, detail__method="identity_provider"
    ).exists()


@pytest.mark.django_db
def test_unknown_email_is_refused_with_a_message_and_audited(client, sso, make_user):
    make_user()
    claims = {"sub": "x", "email": "nobody@elsewhere.example", "email_verified": True}
    response = sign_in(client, sso, claims)
    assert response.status_code == 302 and response["Location"] == reverse("access:login")
    assert "_auth_user_id" not in client.session
    page = client.get(reverse("access:login")).content.decode()
    assert "There is no MATIS account for nobody@elsewhere.example" in page
    row = AuditLog.objects.get(action=AuditAction.LOGIN_FAILED, detail__method="oidc")
    assert row.detail["reason"] == "unknown_account"
    assert row.detail["account"] == "nobody@elsewhere.example"


@pytest.mark.django_db
def test_inactive_or_unverified_accounts_are_refused(client, sso, make_user):
    user = make_user(is_active=False)
    sign_in(client, sso, {"sub": "a", "email": user.email, "email_verified": True})
    assert "_auth_user_id" not in client.session
    other = make_user()
    sign_in(client, sso, {"sub": "b", "email": other.email, "email_verified": False})
    assert "_auth_user_id" not in client.session
    reasons = sorted(
        AuditLog.objects.filter(action=AuditAction.LOGIN_FAILED, detail__method="oidc").values_list(
            "detail__reason", flat=True
        )
    )
    assert reasons == ["email_not_verified", "inactive_account"]
