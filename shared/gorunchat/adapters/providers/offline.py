"""The offline demo model: endpoint ``offline``, model ``demo``. No network, no API key.

It is a real adapter behind ``ModelProvider``: deterministic text (the same request gives the
same words), with its length and pace set per request through the model parameters
(``maxTokens``, ``tokensPerSecond``, ``reasoning``, ``seed``, ``emitTimestamps``; see
``contracts.chat.GenerationParameters``) or through the settings defaults
(``GORUNCHAT_OFFLINE_TOKENS``, ``GORUNCHAT_OFFLINE_TOKENS_PER_SECOND``). Tests and benchmarks
use it to drive long and fast streams.

Model ``demo-tools`` calls a tool deterministically when the request offers tools: the first
one whose name appears in the user's text (else the first), with the first JSON object in the
text as arguments; once the tool's result is back it answers ``Tool result: <output>``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import AsyncIterator

from gorunchat.ports.provider import (
    Finish,
    ProviderEvent,
    ProviderRequest,
    ReasoningDelta,
    TextDelta,
    ToolCallDelta,
    ToolResultPart,
    UsageReport,
)

ENDPOINT = "offline"
MODEL = "demo"
TOOLS_MODEL = "demo-tools"

_WORDS = (
    "the", "stream", "keeps", "every", "frame", "in", "order", "so", "a", "client", "that",
    "reconnects", "sees", "nothing", "twice", "and", "misses", "nothing", "redis", "holds",
    "journal", "while", "owner", "renews", "its", "lease", "offline", "model", "writes",
    "words", "at", "steady", "pace", "for", "tests", "benchmarks", "alike", "with", "no",
    "network", "key", "or", "surprise", "each", "reply", "is", "deterministic", "from",
    "prompt", "seed",
)
_THOUGHTS = ("considering", "the", "request", "planning", "a", "short", "answer", "step",
             "by", "step", "checking", "facts")
_YIELD_EVERY = 64  # unpaced streams still let the event loop breathe


class _Words:
    """A small deterministic generator (64-bit LCG) seeded from the request."""

    def __init__(self, seed: int) -> None:
        self._state = seed & 0xFFFFFFFFFFFFFFFF

    def pick(self, vocabulary: tuple[str, ...]) -> str:
        self._state = (self._state * 6364136223846793005 + 1442695040888963407) \
            & 0xFFFFFFFFFFFFFFFF
        return vocabulary[(self._state >> 33) % len(vocabulary)]


def _seed(request: ProviderRequest) -> int:
    last = request.messages[-1].text if request.messages else ""
    material = f"{request.model}\x1f{request.parameters.seed or 0}\x1f{last}".encode()
    return int.from_bytes(hashlib.sha256(material).digest()[:8], "big")


class OfflineProvider:
    """Deterministic demo text at a configurable length and pace."""

    def __init__(self, default_tokens: int = 48, default_tokens_per_second: float = 40.0
                 ) -> None:
        self.default_tokens = default_tokens
        self.default_tokens_per_second = default_tokens_per_second

    def sender(self, model: str) -> str:
        return "Offline Demo"

    def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        return self._generate(request)

    async def _generate(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        if request.model == TOOLS_MODEL and request.tools:
            for event in _tool_turn(request):
                yield event
            return
        params = request.parameters
        count = self.default_tokens if params.maxTokens is None else params.maxTokens
        pace = (self.default_tokens_per_second if params.tokensPerSecond is None
                else params.tokensPerSecond)
        thinking = bool(params.reasoning or params.reasoningEffort)
        words = _Words(_seed(request))
        thoughts = max(1, count // 4) if thinking else 0
        started = time.monotonic()
        for index in range(thoughts + count):
            await _pace(index, pace, started)
            if index < thoughts:
                yield ReasoningDelta(_token(words.pick(_THOUGHTS), index, params.emitTimestamps))
            else:
                yield TextDelta(_token(words.pick(_WORDS), index - thoughts,
                                       params.emitTimestamps))
        prompt_tokens = sum(len(m.text.split()) for m in request.messages)
        yield UsageReport(input_tokens=prompt_tokens, output_tokens=count,
                          reasoning_tokens=thoughts)
        yield Finish("length" if params.maxTokens is not None else "stop")


def _token(word: str, index: int, stamped: bool) -> str:
    if stamped:
        return f"@{time.time_ns()} "
    return (word.capitalize() if index == 0 else word) + " "


async def _pace(index: int, pace: float, started: float) -> None:
    if pace > 0:
        delay = started + index / pace - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        elif index % _YIELD_EVERY == 0:
            await asyncio.sleep(0)
    elif index % _YIELD_EVERY == 0:
        await asyncio.sleep(0)


def _tool_turn(request: ProviderRequest) -> list[ProviderEvent]:
    """``demo-tools``: call one tool, or answer with the result the tool gave."""
    last = request.messages[-1] if request.messages else None
    if last is not None and last.role == "tool":
        outputs = [p.output for p in last.parts if isinstance(p, ToolResultPart)]
        text = "Tool result: " + "; ".join(outputs)
        return [TextDelta(text), UsageReport(0, len(text.split())), Finish("stop")]
    said = last.text if last is not None else ""
    tool = next((t for t in request.tools if t.name in said), request.tools[0])
    call_id = "call_" + hashlib.sha256(f"{tool.name}\x1f{said}".encode()).hexdigest()[:16]
    return [ToolCallDelta(0, call_id, tool.name, _first_object(said)),
            UsageReport(len(said.split()), 1), Finish("tool_calls")]


def _first_object(text: str) -> str:
    """The first JSON object written in ``text``, or ``{}``."""
    start = text.find("{")
    while start != -1:
        try:
            value, _ = json.JSONDecoder().raw_decode(text[start:])
        except ValueError:
            value = None
        if isinstance(value, dict):
            return json.dumps(value)
        start = text.find("{", start + 1)
    return "{}"
