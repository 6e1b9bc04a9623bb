"""Pages and static files of the web function: security headers, no inline script, caching."""

from __future__ import annotations

import json
import re

import pytest
from flask.testing import FlaskClient

from gorunchat.web.security import CONTENT_SECURITY_POLICY
from tests.web.conftest import ROOT

PAGES = ["/", "/c/6b4885da-facb-46dd-8cbc-1efe6f5804ed", "/login", "/login/2fa", "/register",
         "/forgot-password", "/reset-password?userId=a&token=b", "/settings", "/admin",
         "/admin/audit", "/admin/holds", "/share/abc"]
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_a_shell_with_a_strict_policy_and_no_inline_code(
        web: FlaskClient, path: str) -> None:
    response = web.get(path)
    assert response.status_code in (200, 401)  # a share asks for sign-in by default
    assert response.mimetype == "text/html"
    assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"
    html = response.text
    for attributes in SCRIPT.findall(html):
        assert 'src="/static/dist/' in attributes or 'type="application/json"' in attributes
    assert re.search(r"\son[a-z]+\s*=", html) is None  # no inline event handlers
    assert re.search(r"\sstyle\s*=", html) is None  # no inline styles
    assert "javascript:" not in html


def test_pages_render_no_user_data_and_carry_the_public_config(web: FlaskClient) -> None:
    html = web.get("/login").text
    config = json.loads(re.search(r'id="grc-config">(.*?)</script>', html).group(1))  # type: ignore[union-attr]
    assert config["appTitle"] == "GoRunChat"
    assert config["registrationEnabled"] is True
    assert "Sign in" in html


def test_an_unknown_page_is_a_404_page_with_the_same_headers(web: FlaskClient) -> None:
    for path in ("/nothing-here", "/admin/not-a-section", "/c/a/b"):
        response = web.get(path)
        assert response.status_code == 404
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert "Page not found" in response.text


def test_built_assets_are_served_with_long_caching_and_nothing_outside_static(
        web: FlaskClient) -> None:
    manifest = json.loads((ROOT / "web/static/dist/manifest.json").read_text())
    for entry, name in manifest.items():
        response = web.get(f"/static/dist/{name}")
        assert response.status_code == 200, entry
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert web.get(f"/static/dist/{manifest['chat.js']}").mimetype == "text/javascript"
    assert web.get("/static/dist/manifest.json").headers["Cache-Control"].startswith(
        "public, max-age=0")
    for path in ("/static/../pyproject.toml", "/static/%2e%2e/pyproject.toml",
                 "/static/dist/../../templates/base.html", "/static/nope.js"):
        assert web.get(path).status_code == 404


def test_the_chat_page_references_the_hashed_bundle(web: FlaskClient) -> None:
    manifest = json.loads((ROOT / "web/static/dist/manifest.json").read_text())
    html = web.get("/").text
    for entry in ("shell.js", "chat.js", "app.css", "icons.svg"):
        assert f"/static/dist/{manifest[entry]}" in html


def test_text_assets_are_gzipped_for_browsers_that_accept_it(web: FlaskClient) -> None:
    import gzip

    manifest = json.loads((ROOT / "web/static/dist/manifest.json").read_text())
    path = f"/static/dist/{manifest['chat.js']}"
    plain = web.get(path)
    packed = web.get(path, headers={"Accept-Encoding": "gzip, br"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.data) == plain.data
    assert len(packed.data) < len(plain.data) / 2
    again = web.get(path, headers={"Accept-Encoding": "gzip",
                                   "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304


def test_an_unknown_api_path_gets_the_api_error_envelope(web: FlaskClient) -> None:
    response = web.get("/api/definitely-not-a-route")
    assert response.status_code == 404
    assert response.json == {"error": {"code": "ROUTE_NOT_FOUND",
                                       "message": "No route matches this path.",
                                       "requestId": None}}


def test_sign_in_offers_the_configured_providers(data_dir: object) -> None:
    import functions_framework

    from gorunchat.bootstrap import Container, set_container
    from gorunchat.contracts.settings import Settings

    env = {"GORUNCHAT_DATA_DIR": str(data_dir), "JWT_SECRET": "web-secret-" + "w" * 40,
           "GORUNCHAT_ENV": "test", "ALLOW_SOCIAL_LOGIN": "true",
           "GITHUB_CLIENT_ID": "client", "GITHUB_CLIENT_SECRET": "secret"}
    container = Container(Settings.load(env=env, cwd=data_dir))  # type: ignore[arg-type]
    set_container(container)
    try:
        app = functions_framework.create_app(target="handle",
                                             source=str(ROOT / "functions/web/main.py"))
        html = app.test_client().get("/login").text
    finally:
        set_container(None)
        container.close()
    assert '<a class="btn btn-block" href="/oauth/github">Continue with GitHub</a>' in html
    assert "/oauth/google" not in html


def test_without_providers_there_are_no_social_buttons(web: FlaskClient) -> None:
    assert "/oauth/" not in web.get("/login").text
