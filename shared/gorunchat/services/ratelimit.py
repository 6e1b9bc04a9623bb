"""Fixed-window request limits kept in Redis, as LibreChat's import and fork limiters.

A window's counter is created with its expiry first (``SET NX EX``) and then incremented,
so a crash between the two commands can never leave a counter that never expires. Every
instance shares the counters, so the limit holds across Cloud Function instances.
"""

from __future__ import annotations

from typing import Any, Protocol

from gorunchat.contracts.errors import RateLimited
from gorunchat.contracts.library import RateLimit


class Counters(Protocol):
    """The three Redis commands the limiter uses (``redis.Redis`` provides them)."""

    def set(self, name: str, value: int, *, ex: int, nx: bool) -> Any: ...

    def incr(self, name: str) -> Any: ...

    def ttl(self, name: str) -> Any: ...


def hit(counters: Counters, key: str, limit: RateLimit, message: str) -> int:
    """Count one request against ``key``; ``RateLimited`` (429) once over the limit.

    Returns how many requests the window has seen, this one included.
    """
    window = limit.window_minutes * 60
    counters.set(key, 0, ex=window, nx=True)
    count = int(counters.incr(key))
    if count > limit.max:
        remaining = int(counters.ttl(key))
        raise RateLimited(message, retry_after=max(remaining, 1), code="RATE_LIMITED")
    return count


def key(kind: str, scope: str, who: str, tenant_id: str) -> str:
    """``ratelimit:<kind>:<scope>:<tenant>:<who>`` (scope is ``user`` or ``ip``)."""
    return f"ratelimit:{kind}:{scope}:{tenant_id}:{who}"
