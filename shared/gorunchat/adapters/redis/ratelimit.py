"""The Redis RateCounter: one Lua call per operation, so counts are exact under load."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import redis

from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.ports.ratelimit import Hit

if TYPE_CHECKING:
    from redis.commands.core import Script

# INCR, and start the window on the first hit: {count, ms left in the window}.
_HIT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local left = redis.call('PTTL', KEYS[1])
if left < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); left = tonumber(ARGV[1]) end
return {count, left}
"""

# Add to a score and refresh its expiry: {before, after}.
_SCORE = """
local before = tonumber(redis.call('GET', KEYS[1]) or '0')
local after = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {before, after}
"""


def _unavailable(exc: redis.RedisError) -> ServiceUnavailable:
    return ServiceUnavailable("The rate limiter is unavailable; try again shortly.",
                              code="RATE_LIMITER_UNAVAILABLE")


class RedisRateCounter:
    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._hit: Script = client.register_script(_HIT)
        self._score: Script = client.register_script(_SCORE)

    def hit(self, key: str, window_ms: int) -> Hit:
        try:
            count, left = self._call(self._hit, [key], [window_ms])
        except redis.RedisError as exc:
            raise _unavailable(exc) from exc
        return Hit(count=count, reset_ms=left)

    def add_score(self, key: str, score: int, ttl_ms: int) -> tuple[int, int]:
        try:
            before, after = self._call(self._score, [key], [score, ttl_ms])
        except redis.RedisError as exc:
            raise _unavailable(exc) from exc
        return before, after

    def ban(self, keys: Sequence[str], ttl_ms: int) -> None:
        try:
            pipe = self._client.pipeline(transaction=True)
            for key in keys:
                pipe.set(key, "1", px=ttl_ms)
            pipe.execute()
        except redis.RedisError as exc:
            raise _unavailable(exc) from exc

    def banned_ms(self, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        try:
            pipe = self._client.pipeline(transaction=False)
            for key in keys:
                pipe.pttl(key)
            left = [int(v) for v in pipe.execute()]
        except redis.RedisError as exc:
            raise _unavailable(exc) from exc
        return max([v for v in left if v > 0], default=0)

    @staticmethod
    def _call(script: Script, keys: list[str], args: list[Any]) -> tuple[int, int]:
        first, second = script(keys=keys, args=args)
        return int(first), int(second)
