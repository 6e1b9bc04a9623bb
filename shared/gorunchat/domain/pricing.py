"""Model rates in LibreChat's semantics: USD per 1M tokens, and 1M credits = 1 USD.

So a rate is also the number of credits one token costs: ``credits = tokens × rate``.
Each model has a prompt and a completion rate, and where the provider bills prompt caching
a cache-write and a cache-read rate. A model is matched by the longest key that prefixes
its name (``gpt-4o-mini-2024-07-18`` → ``gpt-4o-mini``); unknown models use ``DEFAULT``.
Also the context window per model, reported by ``/api/endpoints/token-config``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rate:
    prompt: float
    completion: float
    cache_write: float | None = None
    cache_read: float | None = None
    context: int = 128_000

    @property
    def write(self) -> float:
        return self.prompt if self.cache_write is None else self.cache_write

    @property
    def read(self) -> float:
        return self.prompt if self.cache_read is None else self.cache_read


DEFAULT = Rate(prompt=6.0, completion=6.0, context=8_000)  # LibreChat's fallback multiplier
OFFLINE = Rate(prompt=0.0, completion=0.0, context=1_000_000)

RATES: dict[str, Rate] = {
    "demo": OFFLINE,
    "gpt-4.1": Rate(2.0, 8.0, cache_read=0.5, context=1_047_576),
    "gpt-4.1-mini": Rate(0.4, 1.6, cache_read=0.1, context=1_047_576),
    "gpt-4.1-nano": Rate(0.1, 0.4, cache_read=0.025, context=1_047_576),
    "gpt-4o": Rate(2.5, 10.0, cache_read=1.25, context=128_000),
    "gpt-4o-mini": Rate(0.15, 0.6, cache_read=0.075, context=128_000),
    "gpt-5": Rate(1.25, 10.0, cache_read=0.125, context=400_000),
    "gpt-5-mini": Rate(0.25, 2.0, cache_read=0.025, context=400_000),
    "o3": Rate(2.0, 8.0, cache_read=0.5, context=200_000),
    "o4-mini": Rate(1.1, 4.4, cache_read=0.275, context=200_000),
    "claude-opus-4": Rate(15.0, 75.0, cache_write=18.75, cache_read=1.5, context=200_000),
    "claude-sonnet-4": Rate(3.0, 15.0, cache_write=3.75, cache_read=0.3, context=200_000),
    "claude-haiku-4-5": Rate(1.0, 5.0, cache_write=1.25, cache_read=0.1, context=200_000),
    "claude-3-7-sonnet": Rate(3.0, 15.0, cache_write=3.75, cache_read=0.3, context=200_000),
    "claude-3-5-haiku": Rate(0.8, 4.0, cache_write=1.0, cache_read=0.08, context=200_000),
    "gemini-2.5-pro": Rate(1.25, 10.0, cache_read=0.31, context=1_048_576),
    "gemini-2.5-flash": Rate(0.3, 2.5, cache_read=0.075, context=1_048_576),
    "gemini-2.0-flash": Rate(0.1, 0.4, cache_read=0.025, context=1_048_576),
}


def rate_for(model: str, overrides: dict[str, Rate] | None = None) -> Rate:
    """The rate of ``model``: the longest matching key (overrides first), else ``DEFAULT``."""
    table = {**RATES, **(overrides or {})}
    best = max((key for key in table if model == key or model.startswith(key + "-")
                or model.startswith(key)), key=len, default=None)
    return table[best] if best is not None else DEFAULT


@dataclass(frozen=True)
class Cost:
    """Credits of one exchange, split as LibreChat records its transactions."""

    prompt: float
    completion: float

    @property
    def total(self) -> float:
        return self.prompt + self.completion


def cost(rate: Rate, *, input_tokens: int, output_tokens: int, cache_read: int = 0,
         cache_write: int = 0) -> Cost:
    """Credits for usage; ``input_tokens`` includes the cached tokens (billed at their
    own rates), as the port reports them."""
    uncached = max(0, input_tokens - cache_read - cache_write)
    prompt = uncached * rate.prompt + cache_write * rate.write + cache_read * rate.read
    return Cost(prompt=prompt, completion=output_tokens * rate.completion)


def estimate_tokens(text: str) -> int:
    """A cheap prompt estimate before the call (about four characters a token)."""
    return max(1, (len(text) + 3) // 4)
