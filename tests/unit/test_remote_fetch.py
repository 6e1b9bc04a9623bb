"""Fetching a file from a URL someone else chose: guarded, bounded, typed.

The only real server is a loopback HTTP server in a thread; a resolver stub at the socket
layer plays a DNS-rebinding attacker.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from gorunchat.adapters.net.fetch import fetch_file
from gorunchat.adapters.net.ssrf import AllowList
from gorunchat.contracts.errors import GoRunChatError
from tests.unit.test_ssrf_rebinding import Resolver

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
LOOPBACK_OK = AllowList.build(addresses=["127.0.0.1"])


class _Files(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802
        if self.path == "/avatar.png":
            self._send(200, "image/png", PNG)
        elif self.path == "/page.html":
            self._send(200, "text/html; charset=utf-8", b"<html></html>")
        elif self.path == "/huge-unannounced.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()  # no Content-Length: the body decides, and it is too long
            self.wfile.write(PNG * 1000)
        elif self.path == "/huge-announced.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", "999999999")
            self.end_headers()
        elif self.path == "/to-metadata":
            self.send_response(302)
            self.send_header("Location", "http://169.254.169.254/computeMetadata/v1/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, "text/plain", b"no")

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def port() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield int(httpd.server_address[1])
    httpd.shutdown()
    httpd.server_close()


pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


async def test_an_image_is_fetched(port: int) -> None:
    got = await fetch_file(f"http://127.0.0.1:{port}/avatar.png", LOOPBACK_OK,
                           max_bytes=1024, accept=("image/",))
    assert (got.data, got.content_type) == (PNG, "image/png")


@pytest.mark.parametrize(("path", "allow", "code"), [
    ("/avatar.png", AllowList(), "URL_NOT_ALLOWED"),  # loopback without the allow-list
    ("/to-metadata", LOOPBACK_OK, "URL_NOT_ALLOWED"),
    ("/page.html", LOOPBACK_OK, "REMOTE_FILE_TYPE"),
    ("/huge-unannounced.png", LOOPBACK_OK, "REMOTE_FILE_TOO_LARGE"),
    ("/huge-announced.png", LOOPBACK_OK, "REMOTE_FILE_TOO_LARGE"),
    ("/missing.png", LOOPBACK_OK, "REMOTE_FILE_UNAVAILABLE"),
])
async def test_bad_fetches_fail_with_a_clear_code(port: int, path: str, allow: AllowList,
                                                  code: str) -> None:
    with pytest.raises(GoRunChatError) as caught:
        await fetch_file(f"http://127.0.0.1:{port}{path}", allow, max_bytes=1024,
                         accept=("image/",))
    assert caught.value.code == code


@pytest.mark.parametrize("url", ["file:///etc/passwd", "http://[::ffff:127.0.0.1]/x.png",
                                 "http://0x7f.1/x.png", "http://metadata.google.internal/x"])
async def test_hostile_urls_are_refused(url: str) -> None:
    with pytest.raises(GoRunChatError) as caught:
        await fetch_file(url, AllowList(), max_bytes=1024)
    assert caught.value.code == "URL_NOT_ALLOWED"


async def test_a_name_resolving_to_loopback_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                       port: int) -> None:
    resolver = Resolver(["127.0.0.1"])
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    with pytest.raises(GoRunChatError) as caught:
        await fetch_file(f"http://rebind.example:{port}/avatar.png", AllowList(),
                         max_bytes=1024)
    assert caught.value.code == "URL_NOT_ALLOWED"
    assert resolver.calls == 1  # resolved once, judged, never connected


async def test_the_connection_goes_to_the_judged_address_only(
        monkeypatch: pytest.MonkeyPatch, port: int) -> None:
    resolver = Resolver(["127.0.0.1", "169.254.169.254"])  # a rebinding second answer
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    got = await fetch_file(f"http://rebind.example:{port}/avatar.png", LOOPBACK_OK,
                           max_bytes=1024, accept=("image/png",))
    assert got.data == PNG and resolver.calls == 1
