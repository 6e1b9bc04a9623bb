"""HTTP clients pinned by the SSRF guard, for ``httpx`` and for the MCP SDK's ``httpx2``.

The guard runs twice, for two reasons. Before a request leaves, the transport checks the URL's
scheme, name and allow-list (no DNS), so a redirect to a forbidden place fails with a clear
error. When the connection pool opens a TCP connection, the network backend resolves the host
once, checks every address and connects to the checked address itself: the name is never
resolved again for that connection, which defeats DNS rebinding. TLS still verifies the
original host name (the pool passes it as SNI). Redirects are followed by the client, each
hop passing the same transport, up to :data:`MAX_REDIRECTS`.
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
import httpcore
import httpcore2
import httpx
import httpx2

from gorunchat.adapters.net.ssrf import AllowList, check_host, check_url_name

MAX_REDIRECTS = 5


class PinnedBackend:
    """A network backend that connects only to addresses the guard accepted."""

    def __init__(self, inner: Any, allow: AllowList) -> None:
        self._inner = inner
        self._allow = allow

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Any = None) -> Any:
        target = await anyio.to_thread.run_sync(check_host, None, host, port, self._allow)
        return await self._inner.connect_tcp(target.addresses[0], port, timeout=timeout,
                                             local_address=local_address,
                                             socket_options=socket_options)

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Any = None) -> Any:
        raise OSError("Unix sockets are not reachable through the SSRF guard.")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


class GuardedTransport(httpx.AsyncHTTPTransport):
    """``httpx`` transport: name checks per request, pinned addresses per connection."""

    def __init__(self, allow: AllowList, **kwargs: Any) -> None:
        super().__init__(trust_env=False, **kwargs)
        pool: Any = self._pool
        self._allow = allow
        backend: Any = PinnedBackend(httpcore.AnyIOBackend(), allow)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=pool._ssl_context, http1=True, http2=False, network_backend=backend)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        check_url_name(str(request.url), self._allow)
        return await super().handle_async_request(request)


class GuardedTransport2(httpx2.AsyncHTTPTransport):
    """The same transport for ``httpx2``, which the ``mcp`` SDK uses."""

    def __init__(self, allow: AllowList, **kwargs: Any) -> None:
        super().__init__(trust_env=False, **kwargs)
        pool: Any = self._pool
        self._allow = allow
        backend: Any = PinnedBackend(httpcore2.AnyIOBackend(), allow)
        self._pool = httpcore2.AsyncConnectionPool(
            ssl_context=pool._ssl_context, http1=True, http2=False, network_backend=backend)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        check_url_name(str(request.url), self._allow)
        return await super().handle_async_request(request)


def guarded_client(allow: AllowList, **kwargs: Any) -> httpx.AsyncClient:
    """An ``httpx.AsyncClient`` whose every connection and redirect passes the guard."""
    return httpx.AsyncClient(transport=GuardedTransport(allow), follow_redirects=True,
                             max_redirects=MAX_REDIRECTS, trust_env=False, **kwargs)


def guarded_client2(allow: AllowList, headers: dict[str, str] | None = None,
                    timeout: httpx2.Timeout | None = None,
                    auth: httpx2.Auth | None = None) -> httpx2.AsyncClient:
    """An ``httpx2.AsyncClient`` for the MCP SDK (the ``httpx_client_factory`` shape)."""
    return httpx2.AsyncClient(transport=GuardedTransport2(allow), headers=headers,
                              timeout=timeout or httpx2.Timeout(30.0, read=300.0), auth=auth,
                              follow_redirects=True, max_redirects=MAX_REDIRECTS,
                              trust_env=False)
