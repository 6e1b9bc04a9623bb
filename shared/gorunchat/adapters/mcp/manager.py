"""The process's MCP connections: app-wide ones shared, per-user ones in a bounded LRU pool.

A connection is keyed by ``(server name, user id or None)`` and remembers the spec it was
opened with; a changed spec (edited server, new token) replaces it. Per-user connections idle
for longer than ``idle_s`` are closed on the next access, and the least recently used one is
closed when the pool is full.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict

from gorunchat.adapters.mcp.connection import ConnectSpec, McpConnection, State
from gorunchat.adapters.mcp.loop import LoopThread

Key = tuple[str, str | None]


class McpManager:
    """Owns the MCP loop thread and every connection on it."""

    def __init__(self, max_user_connections: int = 200, idle_s: float = 900.0) -> None:
        self.loop = LoopThread()
        self.max_user_connections = max_user_connections
        self.idle_s = idle_s
        self._shared: dict[str, McpConnection] = {}
        self._users: OrderedDict[Key, McpConnection] = OrderedDict()
        self._locks: dict[Key, asyncio.Lock] = {}
        self._closed = False

    def _get(self, key: Key) -> McpConnection | None:
        return self._shared.get(key[0]) if key[1] is None else self._users.get(key)

    def _put(self, key: Key, conn: McpConnection) -> None:
        if key[1] is None:
            self._shared[key[0]] = conn
        else:
            self._users[key] = conn
            self._users.move_to_end(key)

    def _pop(self, key: Key) -> McpConnection | None:
        return self._shared.pop(key[0], None) if key[1] is None else self._users.pop(key, None)

    async def _evict(self) -> None:
        now = time.monotonic()
        idle = [k for k, c in self._users.items() if now - c.last_used > self.idle_s]
        while len(self._users) - len(idle) >= self.max_user_connections:
            oldest = next(k for k in self._users if k not in idle)
            idle.append(oldest)
        for key in idle:
            conn = self._users.pop(key, None)
            if conn is not None:
                await conn.close()

    async def connection(self, key: Key, spec: ConnectSpec,
                         fresh: bool = False) -> McpConnection:
        """The live connection for ``key``, opened (or re-opened) as needed."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            current = self._get(key)
            if current is not None and (fresh or current.state != "connected"
                                        or current.spec != spec):
                await current.close()
                self._pop(key)
                current = None
            if current is None:
                if key[1] is not None:
                    await self._evict()
                current = McpConnection(key[0], spec)
                self._put(key, current)
                await current.connect()
            elif key[1] is not None:
                self._users.move_to_end(key)
            return current

    def state(self, key: Key) -> tuple[State, str | None]:
        """The connection's state, ``disconnected`` when none was ever opened."""
        conn = self._get(key)
        return ("disconnected", None) if conn is None else (conn.state, conn.error)

    async def drop(self, server_name: str, user_id: str | None = None) -> None:
        """Close every connection to a server (it was edited or deleted), or only the
        user's own one (their credentials changed)."""
        if user_id is not None:
            keys: list[Key] = [(server_name, user_id)]
        else:
            keys = [k for k in self._users if k[0] == server_name] + [(server_name, None)]
        for key in keys:
            conn = self._pop(key)
            if conn is not None:
                await conn.close()

    async def _close_all(self) -> None:
        for conn in [*self._shared.values(), *self._users.values()]:
            await conn.close()
        self._shared.clear()
        self._users.clear()

    def close(self) -> None:
        """Close every connection and stop the loop thread (a second call does nothing)."""
        if self._closed:
            return
        self._closed = True
        self.loop.run(self._close_all(), timeout=15)
        self.loop.stop()
