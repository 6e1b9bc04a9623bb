"""The picture a provider names at sign-in becomes the user's avatar, fetched through the
SSRF guard (GitHub's wire format from a loopback server)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from urllib.parse import urlparse

import httpx
import pytest

from gorunchat.adapters.net.ssrf import AllowList
from gorunchat.contracts.library import StoredFile
from gorunchat.services import social_avatar
from tests.fixtures import samples
from tests.identity.conftest import Identity
from tests.identity.test_auth_github_ldap import _GitHub

PICTURE = samples.png(32, 32)


class _GitHubWithPicture(_GitHub):
    avatar_url = ""

    def _json(self, body: object) -> None:
        if isinstance(body, dict) and "avatar_url" in body:
            body = {**body, "avatar_url": self.avatar_url}
        super()._json(body)

    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/octocat.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", str(len(PICTURE)))
            self.end_headers()
            self.wfile.write(PICTURE)
            return
        super().do_GET()


@pytest.fixture
def github() -> Iterator[str]:
    from http.server import ThreadingHTTPServer

    server = ThreadingHTTPServer(("127.0.0.1", 0), _GitHubWithPicture)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    _GitHubWithPicture.avatar_url = f"{base}/octocat.png"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base
    server.shutdown()
    server.server_close()


def _sign_in(ident: Identity) -> dict[str, object]:
    start = ident.auth.get("/oauth/github")
    provider = httpx.get(start.headers["Location"], follow_redirects=False)
    callback = urlparse(provider.headers["Location"])
    assert ident.auth.get(f"{callback.path}?{callback.query}").status_code == 302
    user: dict[str, object] = ident.auth.post("/api/auth/refresh").json["user"]
    return user


def _github(factory: Callable[..., Identity], base: str) -> Identity:
    return factory(GITHUB_CLIENT_ID="gh-client", GITHUB_CLIENT_SECRET="gh-secret",
                   GITHUB_ENTERPRISE_BASE_URL=base, ALLOW_SOCIAL_REGISTRATION="true")


def test_the_providers_picture_becomes_the_avatar(
        identity_factory: Callable[..., Identity], github: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(social_avatar, "ALLOW", AllowList.build(addresses=["127.0.0.1"]))
    ident = _github(identity_factory, github)
    user = _sign_in(ident)
    avatar = str(user["avatar"])
    assert avatar.startswith("/api/files/download/") and avatar.endswith("manual=false")
    with ident.container.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.repo(StoredFile).find({"user": user["id"], "context": "avatar"})
    assert len(stored) == 1
    assert ident.container.blobs.get(stored[0].storageKey or "") == PICTURE

    again = _sign_in(ident)  # a later sign-in refreshes it and keeps one record
    with ident.container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(StoredFile).count({"user": user["id"], "context": "avatar"}) == 1
    assert again["avatar"] != avatar


def test_an_avatar_the_user_chose_is_kept(identity_factory: Callable[..., Identity],
                                          github: str, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.setattr(social_avatar, "ALLOW", AllowList.build(addresses=["127.0.0.1"]))
    ident = _github(identity_factory, github)
    user = _sign_in(ident)
    with ident.container.store.unit_of_work("default") as uow:
        uow.users.update(str(user["id"]), {"avatar": "/api/files/download/x/y?manual=true"})
        uow.commit()
    assert _sign_in(ident)["avatar"] == "/api/files/download/x/y?manual=true"


def test_a_private_picture_url_is_refused_and_sign_in_goes_on(
        identity_factory: Callable[..., Identity], github: str) -> None:
    ident = _github(identity_factory, github)  # the default guard: loopback is refused
    user = _sign_in(ident)
    assert user["email"] == "octocat@example.org"
    assert not user.get("avatar")
    with ident.container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(StoredFile).count({"user": user["id"]}) == 0
