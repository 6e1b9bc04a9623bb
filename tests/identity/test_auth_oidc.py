"""OpenID Connect sign-in against a real provider (npm ``oidc-provider``) on loopback.

The test plays the browser: it follows the provider's redirects and submits its login and
consent forms with httpx, and hands the final redirect to the mounted ``auth`` function.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urljoin, urlparse

import httpx
import pytest

from tests.identity.conftest import Identity, OidcProvider

APP = "http://localhost:3080"


def _form(html: str, base: str, login: str) -> tuple[str, dict[str, str]]:
    action = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert action is not None, html[:500]
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    if 'name="login"' in html:
        fields.update({"login": login, "password": "any"})
    return urljoin(base, action.group(1)), fields


def browse_to_callback(start: str, login: str) -> str:
    """Follow the provider from ``start`` through its forms to our callback URL."""
    url = start
    with httpx.Client(follow_redirects=False, timeout=10) as browser:
        response = browser.get(url)
        for _ in range(12):
            if response.is_redirect:
                url = urljoin(url, response.headers["Location"])
                if url.startswith(APP):
                    return url
                response = browser.get(url)
            else:
                action, fields = _form(response.text, url, login)
                url = action
                response = browser.post(action, data=fields)
    raise AssertionError(f"never reached the callback; last page {url}")


def sign_in(ident: Identity, provider: str, login: str) -> Any:
    start = ident.auth.get(f"/oauth/{provider}")
    assert start.status_code == 302
    assert "gorunchat_oauth=" in start.headers["Set-Cookie"]
    query = parse_qs(urlparse(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"]
    assert {"state", "nonce", "code_challenge"} <= set(query)
    callback = urlparse(browse_to_callback(start.headers["Location"], login))
    return ident.auth.get(f"{callback.path}?{callback.query}")


@pytest.fixture
def oidc(identity_factory: Callable[..., Identity], oidc_provider: OidcProvider) -> Identity:
    return identity_factory(
        OPENID_ISSUER=oidc_provider.issuer, OPENID_CLIENT_ID=oidc_provider.client_id,
        OPENID_CLIENT_SECRET=oidc_provider.client_secret, ALLOW_SOCIAL_REGISTRATION="true",
        GORUNCHAT_GOOGLE_ISSUER=oidc_provider.issuer, GOOGLE_CLIENT_ID="gorunchat",
        GOOGLE_CLIENT_SECRET=oidc_provider.client_secret)


def test_openid_sign_in_creates_the_account_and_a_session(oidc: Identity) -> None:
    response = sign_in(oidc, "openid", "grace")

    assert response.status_code == 302
    assert response.headers["Location"] == f"{APP}/c/new"
    cookies = response.headers.getlist("Set-Cookie")
    assert any(c.startswith("refreshToken=") and "SameSite=Strict" in c for c in cookies)
    refreshed = oidc.auth.post("/api/auth/refresh")
    assert refreshed.status_code == 200
    user = refreshed.json["user"]
    assert (user["email"], user["provider"], user["emailVerified"]) == (
        "grace@example.org", "openid", True)
    assert oidc.actions()[-3:-1] == ["auth.register", "auth.login"]


def test_verified_email_links_the_existing_account(oidc: Identity) -> None:
    oidc.register("linus@example.org")

    response = sign_in(oidc, "google", "linus")

    assert response.headers["Location"] == f"{APP}/c/new"
    user = oidc.auth.post("/api/auth/refresh").json["user"]
    assert user["provider"] == "local"
    with oidc.container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.users.count({}) == 1
        linked = uow.users.find_one({"googleId": "linus"})
    assert linked is not None


def test_unverified_email_is_never_linked(oidc: Identity) -> None:
    oidc.register("unverified-mallory@example.org")

    response = sign_in(oidc, "openid", "unverified-mallory")

    location = urlparse(response.headers["Location"])
    assert location.path == "/oauth/error"
    assert parse_qs(location.query)["error"] == ["auth_failed"]
    with oidc.container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.users.find_one({"openidId": "unverified-mallory"}) is None
    assert oidc.actions()[-1] == "auth.login_failed"


def test_a_callback_without_the_flow_cookie_is_refused(oidc: Identity) -> None:
    response = oidc.auth.get("/oauth/openid/callback?code=abc&state=forged")

    assert response.status_code == 302
    assert urlparse(response.headers["Location"]).path == "/oauth/error"


def test_error_page_redirects_to_the_client_login(oidc: Identity) -> None:
    response = oidc.auth.get("/oauth/error?error=auth_failed&message=Nope")

    location = urlparse(response.headers["Location"])
    assert (location.netloc, location.path) == ("localhost:3080", "/login")
    assert parse_qs(location.query) == {"redirect": ["false"], "error": ["auth_failed"],
                                        "message": ["Nope"]}


def test_unconfigured_provider_is_404(ident: Identity) -> None:
    response = ident.auth.get("/oauth/github")
    assert response.status_code == 404
    assert response.json["error"]["code"] == "OAUTH_PROVIDER_DISABLED"
