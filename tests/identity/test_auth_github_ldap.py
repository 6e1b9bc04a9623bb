"""GitHub sign-in (GitHub's wire format from a loopback server, configured as GitHub
Enterprise) and LDAP sign-in against a real slapd in its three configurations."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from tests.identity.conftest import Directory, Identity

APP = "http://localhost:3080"


class _GitHub(BaseHTTPRequestHandler):
    """GitHub's OAuth and REST answers for one user, checking PKCE like GitHub does."""

    challenges: dict[str, str] = {}

    def log_message(self, *args: object) -> None:
        return

    def _json(self, body: object) -> None:
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        url = urlparse(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        if url.path == "/login/oauth/authorize":
            self.challenges["code-1"] = query["code_challenge"]
            self.send_response(302)
            self.send_header("Location", query["redirect_uri"] + "?" + urlencode(
                {"code": "code-1", "state": query["state"]}))
            self.end_headers()
        elif url.path == "/api/v3/user":
            self._json({"id": 583231, "login": "octocat", "name": "The Octocat",
                        "avatar_url": "https://avatars.example/octocat"})
        elif url.path == "/api/v3/user/emails":
            self._json([{"email": "octocat@example.org", "primary": True, "verified": True,
                         "visibility": "public"}])

    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers["Content-Length"])
        form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
        digest = hashlib.sha256(form["code_verifier"].encode()).digest()
        challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
        if self.challenges.get(form["code"]) != challenge:
            self._json({"error": "bad_verification_code"})
            return
        self._json({"access_token": "gho_test", "token_type": "bearer",
                    "scope": "read:user,user:email"})


@pytest.fixture
def github() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _GitHub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_github_sign_in_with_pkce_and_verified_email(
        identity_factory: Callable[..., Identity], github: str) -> None:
    import httpx

    ident = identity_factory(GITHUB_CLIENT_ID="gh-client", GITHUB_CLIENT_SECRET="gh-secret",
                             GITHUB_ENTERPRISE_BASE_URL=github,
                             ALLOW_SOCIAL_REGISTRATION="true")
    start = ident.auth.get("/oauth/github")
    provider = httpx.get(start.headers["Location"], follow_redirects=False)
    callback = urlparse(provider.headers["Location"])

    response = ident.auth.get(f"{callback.path}?{callback.query}")

    assert response.headers["Location"] == f"{APP}/c/new"
    user = ident.auth.post("/api/auth/refresh").json["user"]
    assert (user["email"], user["provider"], user["username"]) == (
        "octocat@example.org", "github", "octocat")


def _ldap(factory: Callable[..., Identity], directory: Directory, **env: str) -> Identity:
    return factory(LDAP_URL=directory.url, LDAP_USER_SEARCH_BASE=directory.base,
                   LDAP_BIND_DN=directory.reader_dn,
                   LDAP_BIND_CREDENTIALS=directory.reader_password, **env)


def test_ldap_disabled_uses_local_accounts(identity_factory: Callable[..., Identity]) -> None:
    ident = identity_factory()
    ident.register("ada@example.org")

    assert ident.login("ada@example.org").status_code == 200
    assert ident.login("ada@example.org", "ada-password").status_code == 401


def test_ldap_with_bind_dn_and_mail_filter(identity_factory: Callable[..., Identity],
                                          slapd: Directory) -> None:
    ident = _ldap(identity_factory, slapd, LDAP_SEARCH_FILTER="mail={{username}}",
                  LDAP_FULL_NAME="givenName,sn")

    good = ident.login("ada@example.org", "ada-password")
    again = ident.login("ada@example.org", "ada-password")
    bad = ident.login("ada@example.org", "not-her-password")
    unknown = ident.login("nobody@example.org", "whatever")

    assert good.status_code == 200
    user = good.json["user"]
    assert (user["email"], user["provider"], user["name"], user["emailVerified"]) == (
        "ada@example.org", "ldap", "Ada Lovelace", True)
    assert again.json["user"]["id"] == user["id"]
    assert bad.status_code == unknown.status_code == 401
    assert bad.json["error"]["code"] == "INVALID_CREDENTIALS"


def test_ldap_username_mode(identity_factory: Callable[..., Identity], slapd: Directory
                            ) -> None:
    ident = _ldap(identity_factory, slapd, LDAP_SEARCH_FILTER="uid={{username}}",
                  LDAP_LOGIN_USES_USERNAME="true")

    good = ident.login("alan", "alan-password")
    injected = ident.login("*", "alan-password")

    assert good.status_code == 200
    assert (good.json["user"]["email"], good.json["user"]["username"]) == (
        "alan@example.org", "alan")
    assert injected.status_code == 401


def test_ldap_unreachable_is_503(identity_factory: Callable[..., Identity]) -> None:
    ident = identity_factory(LDAP_URL="ldap://127.0.0.1:9", LDAP_USER_SEARCH_BASE="dc=x",
                             LDAP_TIMEOUT_S="1")

    response = ident.login("ada@example.org", "x")

    assert response.status_code == 503
    assert response.json["error"]["code"] == "LDAP_UNAVAILABLE"
