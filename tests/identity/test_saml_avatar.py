"""SAML's picture claim becomes the avatar, through the same guarded fetch as the OAuth
sign-ins (``services.social_avatar``)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gorunchat.adapters.net.ssrf import AllowList
from gorunchat.services import social_avatar
from tests.fixtures import samples
from tests.fixtures.saml_idp import SamlIdp
from tests.identity.conftest import Identity
from tests.identity.test_saml import (  # noqa: F401 - idp and sp are the fixtures
    answer,
    assert_signed_in,
    begin,
    idp,
    post,
    sp,
)

PICTURE = samples.png(24, 24)


class _Pictures(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(PICTURE)))
        self.end_headers()
        self.wfile.write(PICTURE)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def pictures() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Pictures)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/me.png"
    server.shutdown()
    server.server_close()


def test_the_picture_claim_becomes_the_avatar(sp: Identity, idp: SamlIdp, pictures: str,  # noqa: F811
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(social_avatar, "ALLOW", AllowList.build(addresses=["127.0.0.1"]))
    request = begin(sp)
    response = post(sp, answer(sp, idp, request, attributes={"picture": pictures}),
                    request.relay_state)
    user = assert_signed_in(sp, response)
    assert str(user["avatar"]).startswith("/api/files/download/")


def test_a_private_picture_is_skipped_and_sign_in_goes_on(sp: Identity, idp: SamlIdp,  # noqa: F811
                                                          pictures: str) -> None:
    request = begin(sp)
    response = post(sp, answer(sp, idp, request, attributes={"picture": pictures}),
                    request.relay_state)
    assert not assert_signed_in(sp, response).get("avatar")
