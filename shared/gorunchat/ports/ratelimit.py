"""The RateCounter port: fixed-window request counts, violation scores and bans.

The rate-limit policy (which routes, how many, when a caller is banned) lives in
``services.ratelimit``; an adapter only keeps the numbers, atomically and with expiry, where
every function instance sees them (Redis: ``adapters.redis.ratelimit``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Hit:
    """The count of the current window after this request, and ms until the window ends."""

    count: int
    reset_ms: int


class RateCounter(Protocol):
    def hit(self, key: str, window_ms: int) -> Hit:
        """Count one request under ``key`` in its fixed window of ``window_ms``."""

    def add_score(self, key: str, score: int, ttl_ms: int) -> tuple[int, int]:
        """Add ``score`` to the violations under ``key``; ``(before, after)``."""

    def ban(self, keys: Sequence[str], ttl_ms: int) -> None:
        """Ban every key in ``keys`` for ``ttl_ms``."""

    def banned_ms(self, keys: Sequence[str]) -> int:
        """Milliseconds left of the longest ban among ``keys``; 0 when none is banned."""
