"""The guarded clients pin the checked address, re-check redirects and stop after 5 hops.

A resolver stub at the socket layer (``socket.getaddrinfo``) plays the rebinding attacker;
the only real server is a loopback HTTP server in a thread.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from gorunchat.adapters.net.clients import guarded_client, guarded_client2
from gorunchat.adapters.net.ssrf import AllowList, SsrfBlocked, check_url

REAL_GETADDRINFO = socket.getaddrinfo


class Resolver:
    """Answers for ``rebind.example`` come from a script; everything else is real."""

    def __init__(self, answers: list[str]) -> None:
        self.answers = answers
        self.calls = 0

    def __call__(self, host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host != "rebind.example":
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        answer = self.answers[min(self.calls, len(self.answers) - 1)]
        self.calls += 1
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, int(port)))]


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, so a second request reuses the connection

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        if self.path.startswith("/hop/"):
            left = int(self.path.rsplit("/", 1)[1])
            self._redirect(f"/hop/{left - 1}" if left > 0 else "/ok")
        elif self.path == "/to-metadata":
            self._redirect("http://169.254.169.254/computeMetadata/v1/")
        elif self.path == "/to-localhost":
            self._redirect(f"http://localhost:{self.server.server_address[1]}/ok")
        else:
            body = b"pinned ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        self.send_response(302)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def server() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


LOOPBACK_OK = AllowList.build(addresses=["127.0.0.1"])


async def test_rebinding_after_the_check_is_refused_at_connect(
        monkeypatch: pytest.MonkeyPatch, server: int) -> None:
    resolver = Resolver(["93.184.216.34", "127.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    url = f"http://rebind.example:{server}/ok"
    assert check_url(url).addresses == ("93.184.216.34",)  # the attacker's first answer
    async with guarded_client(AllowList()) as client:
        with pytest.raises(SsrfBlocked, match="loopback"):
            await client.get(url)  # the second answer is judged before connecting
    assert resolver.calls == 2


async def test_connection_uses_the_checked_address_and_never_resolves_again(
        monkeypatch: pytest.MonkeyPatch, server: int) -> None:
    resolver = Resolver(["127.0.0.1", "10.9.9.9"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    async with guarded_client(LOOPBACK_OK) as client:
        first = await client.get(f"http://rebind.example:{server}/ok")
        second = await client.get(f"http://rebind.example:{server}/ok")
    assert (first.text, second.text) == ("pinned ok", "pinned ok")
    assert resolver.calls == 1  # the keep-alive connection stays on the pinned address


async def test_httpx2_client_for_mcp_is_pinned_too(
        monkeypatch: pytest.MonkeyPatch, server: int) -> None:
    resolver = Resolver(["127.0.0.1", "10.9.9.9"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    async with guarded_client2(LOOPBACK_OK) as client:
        response = await client.get(f"http://rebind.example:{server}/ok")
    assert response.text == "pinned ok"
    resolver.answers = ["10.9.9.9"]
    async with guarded_client2(LOOPBACK_OK) as client:
        with pytest.raises(SsrfBlocked, match="private"):
            await client.get(f"http://rebind.example:{server}/ok")


async def test_redirect_to_metadata_is_refused(server: int) -> None:
    async with guarded_client(LOOPBACK_OK) as client:
        with pytest.raises(SsrfBlocked, match="metadata"):
            await client.get(f"http://127.0.0.1:{server}/to-metadata")


async def test_redirect_to_an_internal_name_is_refused(server: int) -> None:
    async with guarded_client(LOOPBACK_OK) as client:
        with pytest.raises(SsrfBlocked, match="internal name"):
            await client.get(f"http://127.0.0.1:{server}/to-localhost")


async def test_five_redirects_pass_and_the_sixth_is_refused(server: int) -> None:
    async with guarded_client(LOOPBACK_OK) as client:
        ok = await client.get(f"http://127.0.0.1:{server}/hop/4")
        assert (ok.status_code, len(ok.history)) == (200, 5)
        with pytest.raises(httpx.TooManyRedirects):
            await client.get(f"http://127.0.0.1:{server}/hop/5")


async def test_loopback_is_refused_without_an_allow_list(server: int) -> None:
    async with guarded_client(AllowList()) as client:
        with pytest.raises(SsrfBlocked, match="loopback"):
            await client.get(f"http://127.0.0.1:{server}/ok")
