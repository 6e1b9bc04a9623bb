"""One pipelined Redis connection for the hot path (frame appends).

Profiling the streaming service showed redis-py's asyncio client spending 50-130 µs of CPU
per command (pool checkout, retry wrapper, per-call bookkeeping), most of the cost of a
frame. Appends need none of that: they go out on one connection, back to back, each caller
awaiting its own reply while Redis answers in order (RESP pipelining). Commands are encoded
and replies parsed by ``hiredis``, Redis's own C protocol library; everything else uses the
regular redis-py client.

A reply that does not come within ``timeout`` seconds drops the connection: every pending
caller then fails with ``ConnectionError`` (the adapter turns that into 503) and the next
call reconnects.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections import deque
from typing import Any

import hiredis
from redis.connection import parse_url
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError


class _Protocol(asyncio.Protocol):
    def __init__(self, pipe: PipelinedConnection) -> None:
        self.pipe = pipe
        self.reader = hiredis.Reader()

    def data_received(self, data: bytes) -> None:
        self.reader.feed(data)
        pending = self.pipe.pending
        while True:
            reply = self.reader.gets()
            if reply is False:
                return
            if not pending:  # a reply nobody waits for: the stream is out of step
                self.pipe.drop()
                return
            future, _ = pending.popleft()
            if future.done():
                continue
            if isinstance(reply, hiredis.ReplyError):
                message = str(reply)
                error = NoScriptError(message) if message.startswith("NOSCRIPT") \
                    else ResponseError(message)
                future.set_exception(error)
            else:
                future.set_result(reply)

    def connection_lost(self, exc: Exception | None) -> None:
        self.pipe.lost(self)


class PipelinedConnection:
    def __init__(self, url: str, *, timeout: float = 5.0, write_window: float = 0.001) -> None:
        self._options: dict[str, Any] = parse_url(url)  # type: ignore[no-untyped-call]
        self.timeout = timeout
        self.write_window = write_window
        self._last_write = float("-inf")
        self.pending: deque[tuple[asyncio.Future[Any], float]] = deque()
        self._outgoing: list[bytes] = []
        self._transport: asyncio.Transport | None = None
        self._protocol: _Protocol | None = None
        self._connecting: asyncio.Lock | None = None
        self._watchdog: asyncio.Task[None] | None = None

    async def execute(self, *args: Any) -> Any:
        """Send one command and return its reply (errors raise ``ResponseError``)."""
        transport = self._transport
        if transport is None or transport.is_closing():
            transport = await self._connect()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self.pending.append((future, time.monotonic()))
        # Commands leave together: at once when the last write is older than the window,
        # else at the window's end, so a busy process makes one syscall per window.
        self._outgoing.append(hiredis.pack_command(args))
        if len(self._outgoing) == 1:
            due = self._last_write + self.write_window
            if due <= loop.time():
                loop.call_soon(self._flush)
            else:
                loop.call_at(due, self._flush)
        return await future

    def _flush(self) -> None:
        outgoing, self._outgoing = self._outgoing, []
        self._last_write = asyncio.get_running_loop().time()
        transport = self._transport
        if transport is not None and not transport.is_closing():
            transport.write(b"".join(outgoing))
        elif outgoing:
            self.drop_pending("the Redis connection closed before a command was sent")

    async def _connect(self) -> asyncio.Transport:
        if self._connecting is None:
            self._connecting = asyncio.Lock()
        async with self._connecting:
            if self._transport is not None and not self._transport.is_closing():
                return self._transport
            transport = await self._open()
            if self._watchdog is None or self._watchdog.done():
                self._watchdog = asyncio.get_running_loop().create_task(self._watch())
            return transport

    async def _open(self) -> asyncio.Transport:
        loop = asyncio.get_running_loop()
        opts = self._options
        try:
            if "path" in opts:
                transport, protocol = await asyncio.wait_for(loop.create_unix_connection(
                    lambda: _Protocol(self), opts["path"]), self.timeout)
            else:
                secure = opts.get("connection_class") is not None
                transport, protocol = await asyncio.wait_for(loop.create_connection(
                    lambda: _Protocol(self), opts.get("host", "localhost"),
                    opts.get("port", 6379), ssl=ssl.create_default_context() if secure
                    else None), self.timeout)
        except (OSError, TimeoutError) as exc:
            raise RedisConnectionError(f"cannot connect to Redis: {exc}") from exc
        self._transport, self._protocol = transport, protocol
        if opts.get("password"):
            auth = [opts["username"], opts["password"]] if opts.get("username") \
                else [opts["password"]]
            await self.execute("AUTH", *auth)
        if opts.get("db"):
            await self.execute("SELECT", opts["db"])
        return transport

    async def _watch(self) -> None:
        """Drop the connection when the oldest request has waited past the timeout."""
        while self._transport is not None:
            await asyncio.sleep(min(1.0, self.timeout / 2))
            if self.pending and time.monotonic() - self.pending[0][1] > self.timeout:
                self.drop()

    def drop(self) -> None:
        if self._transport is not None:
            self._transport.abort()

    def lost(self, protocol: _Protocol) -> None:
        if protocol is not self._protocol:
            return
        self._transport = None
        self._protocol = None
        self.drop_pending("the Redis connection was lost")

    def drop_pending(self, reason: str) -> None:
        """Fail every caller still waiting (their commands' fate is unknown or nil)."""
        pending, self.pending = self.pending, deque()
        self._outgoing = []
        for future, _ in pending:
            if not future.done():
                future.set_exception(RedisConnectionError(reason))

    async def close(self) -> None:
        self.drop()
        if self._watchdog is not None:
            self._watchdog.cancel()
