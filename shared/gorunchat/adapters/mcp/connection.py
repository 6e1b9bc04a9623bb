"""One MCP client connection: a task that holds the transport and session open.

The SDK's transports are async context managers bound to one task, so a runner task enters
them, initializes the session, reports ready and waits to be told to close. Driver errors are
translated here, at the boundary, into :class:`McpConnectionError`.
"""

from __future__ import annotations

import asyncio
import time
from contextlib import AbstractAsyncContextManager, AsyncExitStack
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx2
from mcp.client.session import ClientSession
from mcp.client.sse import sse_client
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

from gorunchat.adapters.net.clients import guarded_client2
from gorunchat.adapters.net.ssrf import AllowList, SsrfBlocked
from gorunchat.contracts.mcp import Transport

State = Literal["connected", "connecting", "disconnected", "error"]
DRIVER_ERRORS: tuple[type[BaseException], ...] = (
    OSError, httpx2.HTTPError, MCPError, TimeoutError, SsrfBlocked, ExceptionGroup,
    RuntimeError, ValueError)


class McpConnectionError(RuntimeError):
    """The server could not be reached, refused us, or failed a call."""


@dataclass(frozen=True)
class ConnectSpec:
    """Everything needed to open a connection, placeholders already resolved."""

    transport: Transport
    command: str | None = None
    args: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 60.0
    init_timeout_s: float = 10.0
    allow: AllowList = field(default_factory=AllowList)
    auth: httpx2.Auth | None = None


def _transport(spec: ConnectSpec) -> AbstractAsyncContextManager[Any]:
    if spec.transport == "stdio":
        params = StdioServerParameters(command=spec.command or "", args=list(spec.args),
                                       env=spec.env or None)
        return stdio_client(params)
    url = spec.url or ""
    if spec.transport == "sse":
        def factory(headers: dict[str, str] | None = None,
                    timeout: httpx2.Timeout | None = None,
                    auth: httpx2.Auth | None = None) -> httpx2.AsyncClient:
            return guarded_client2(spec.allow, headers=headers, timeout=timeout, auth=auth)
        return sse_client(url, headers=spec.headers, timeout=spec.init_timeout_s,
                          httpx_client_factory=factory, auth=spec.auth)
    client = guarded_client2(spec.allow, headers=spec.headers, auth=spec.auth,
                             timeout=httpx2.Timeout(spec.init_timeout_s, read=300.0))
    return _owning(client, streamable_http_client(url, http_client=client))


class _owning:  # noqa: N801 - a tiny context-manager adapter
    """Close an ``httpx2`` client after the transport that uses it."""

    def __init__(self, client: httpx2.AsyncClient,
                 inner: AbstractAsyncContextManager[Any]) -> None:
        self._client, self._inner = client, inner

    async def __aenter__(self) -> Any:
        await self._client.__aenter__()
        return await self._inner.__aenter__()

    async def __aexit__(self, *exc: Any) -> None:
        try:
            await self._inner.__aexit__(*exc)
        finally:
            await self._client.__aexit__(None, None, None)


class McpConnection:
    """A live (or failed) connection to one MCP server, used only on the MCP loop."""

    def __init__(self, server_name: str, spec: ConnectSpec) -> None:
        self.server_name = server_name
        self.spec = spec
        self.state: State = "disconnected"
        self.error: str | None = None
        self.last_used = time.monotonic()
        self._session: ClientSession | None = None
        self._ready = asyncio.Event()
        self._closing = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def connect(self) -> None:
        """Open the connection; raise :class:`McpConnectionError` if it fails."""
        self.state = "connecting"
        self._task = asyncio.create_task(self._run(), name=f"mcp:{self.server_name}")
        try:
            await asyncio.wait_for(self._ready.wait(), self.spec.init_timeout_s)
        except TimeoutError as exc:
            await self.close()
            self.state, self.error = "error", "timed out connecting"
            raise McpConnectionError(f"{self.server_name}: timed out connecting") from exc
        if self._session is None:
            raise McpConnectionError(f"{self.server_name}: {self.error}")

    async def _run(self) -> None:
        try:
            async with AsyncExitStack() as stack:
                read, write = await self._enter(stack)
                session = ClientSession(read, write, read_timeout_seconds=self.spec.timeout_s)
                await stack.enter_async_context(session)
                await session.initialize()
                self._session, self.state = session, "connected"
                self._ready.set()
                await self._closing.wait()
        except DRIVER_ERRORS as exc:
            self.state, self.error = "error", _describe(exc)
        finally:
            self._session = None
            if self.state != "error":
                self.state = "disconnected"
            self._ready.set()

    async def _enter(self, stack: AsyncExitStack) -> tuple[Any, Any]:
        streams = await stack.enter_async_context(_transport(self.spec))
        return streams[0], streams[1]

    def _live(self) -> ClientSession:
        if self._session is None or self.state != "connected":
            raise McpConnectionError(f"{self.server_name} is not connected")
        self.last_used = time.monotonic()
        return self._session

    async def list_tools(self) -> list[Any]:
        """The server's tools (``mcp`` ``Tool`` objects)."""
        try:
            return list((await self._live().list_tools()).tools)
        except DRIVER_ERRORS as exc:
            raise McpConnectionError(f"{self.server_name}: {_describe(exc)}") from exc

    async def call_tool(self, name: str, arguments: dict[str, Any]) -> tuple[str, bool]:
        """Call a tool; answer its text content and whether the tool reported an error."""
        try:
            result = await self._live().call_tool(name, arguments)
        except DRIVER_ERRORS as exc:
            raise McpConnectionError(f"{self.server_name}: {_describe(exc)}") from exc
        texts = [getattr(block, "text", "") for block in getattr(result, "content", [])]
        return "\n".join(t for t in texts if t), bool(getattr(result, "is_error", False))

    async def close(self) -> None:
        self._closing.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(asyncio.shield(self._task), 5)
            except TimeoutError:
                self._task.cancel()


def _describe(exc: BaseException) -> str:
    if isinstance(exc, ExceptionGroup):
        return "; ".join(_describe(e) for e in exc.exceptions)
    return str(exc) or type(exc).__name__
