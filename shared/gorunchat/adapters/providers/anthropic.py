"""Anthropic Messages through the official ``anthropic`` SDK.

The system prompt goes in the top-level ``system`` field (never as a message). ``max_tokens``
is required by the API, so each model family has a default. Extended thinking is turned on
by the ``reasoning`` / ``reasoningEffort`` parameters with a token budget; its
``thinking_delta`` events become reasoning deltas. Usage keeps the prompt-cache counts
(``cache_read_input_tokens``, ``cache_creation_input_tokens``).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import anthropic

from gorunchat.adapters.providers.credentials import CredentialSource
from gorunchat.adapters.providers.errors import failure_from, retry_before_first_token
from gorunchat.adapters.providers.usage import from_anthropic
from gorunchat.contracts.errors import GoRunChatError
from gorunchat.ports.provider import (
    Finish,
    FinishReason,
    ImagePart,
    ProviderEvent,
    ProviderFailure,
    ProviderRequest,
    ReasoningDelta,
    TextDelta,
    TextPart,
    ToolCallDelta,
    ToolCallPart,
    ToolResultPart,
)

# Longest prefix wins; output limits as Anthropic documents them per family.
MAX_TOKENS: tuple[tuple[str, int], ...] = (
    ("claude-opus-4", 32_000), ("claude-sonnet-4", 64_000), ("claude-haiku-4", 64_000),
    ("claude-3-7-sonnet", 64_000), ("claude-3-5", 8_192), ("claude-3", 4_096),
)
DEFAULT_MAX_TOKENS = 8_192
THINKING_BUDGETS = {"minimal": 1_024, "low": 2_048, "medium": 8_192, "high": 16_384}
DEFAULT_THINKING_BUDGET = 4_096
_STOP: dict[str, FinishReason] = {"end_turn": "stop", "stop_sequence": "stop",
                                  "max_tokens": "length", "tool_use": "tool_calls",
                                  "refusal": "content_filter"}
_ERROR_TYPES = {"overloaded_error": ("PROVIDER_UNAVAILABLE", True),
                "api_error": ("PROVIDER_UNAVAILABLE", True),
                "rate_limit_error": ("PROVIDER_RATE_LIMITED", True),
                "authentication_error": ("PROVIDER_AUTH_FAILED", False),
                "permission_error": ("PROVIDER_FORBIDDEN", False),
                "invalid_request_error": ("PROVIDER_BAD_REQUEST", False)}


def max_tokens_for(model: str) -> int:
    """The default ``max_tokens`` for ``model`` when the request sets none."""
    matches = [(len(prefix), limit) for prefix, limit in MAX_TOKENS if model.startswith(prefix)]
    return max(matches)[1] if matches else DEFAULT_MAX_TOKENS


@dataclass(frozen=True)
class AnthropicConfig:
    credentials: CredentialSource
    base_url: str | None = None
    timeout_s: float = 600.0
    attempts: int = 3


def anthropic_messages(request: ProviderRequest) -> list[dict[str, Any]]:
    """Messages as Anthropic content blocks (tool results travel in user turns)."""
    return [{"role": "assistant" if m.role == "assistant" else "user",
             "content": [_block(p) for p in m.parts]} for m in request.messages if m.parts]


def _block(part: Any) -> dict[str, Any]:
    if isinstance(part, TextPart):
        return {"type": "text", "text": part.text}
    if isinstance(part, ImagePart):
        if part.url.startswith("data:"):
            media, _, data = part.url[5:].partition(";base64,")
            return {"type": "image", "source": {"type": "base64", "media_type": media,
                                                "data": data}}
        return {"type": "image", "source": {"type": "url", "url": part.url}}
    if isinstance(part, ToolCallPart):
        return {"type": "tool_use", "id": part.id, "name": part.name,
                "input": json.loads(part.arguments or "{}")}
    assert isinstance(part, ToolResultPart)
    return {"type": "tool_result", "tool_use_id": part.toolCallId, "content": part.output}


def anthropic_body(request: ProviderRequest) -> dict[str, Any]:
    params = request.parameters
    max_tokens = params.maxTokens or max_tokens_for(request.model)
    body: dict[str, Any] = {"model": request.model, "max_tokens": max_tokens,
                            "messages": anthropic_messages(request), "stream": True,
                            "system": request.system, "stop_sequences": params.stop}
    if params.reasoning or params.reasoningEffort:
        budget = THINKING_BUDGETS.get(params.reasoningEffort or "", DEFAULT_THINKING_BUDGET)
        budget = max(1_024, min(budget, max_tokens - 1))
        body["thinking"] = {"type": "enabled", "budget_tokens": budget}
    else:  # thinking requires the default sampling; the SDK takes sampling as extra body
        sampling = {"temperature": params.temperature, "top_p": params.topP}
        sampling = {k: v for k, v in sampling.items() if v is not None}
        if sampling:
            body["extra_body"] = sampling
    if request.tools:
        body["tools"] = [{"name": t.name, "description": t.description,
                          "input_schema": t.parameters} for t in request.tools]
    return {k: v for k, v in body.items() if v is not None}


class AnthropicProvider:
    def __init__(self, config: AnthropicConfig) -> None:
        self.config = config

    def sender(self, model: str) -> str:
        return "Claude"

    def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        return retry_before_first_token(lambda: self._attempt(request), self.config.attempts)

    async def _attempt(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        try:
            creds = await self.config.credentials.resolve(request)
        except GoRunChatError as exc:
            yield ProviderFailure(exc.code, exc.message)
            return
        client = anthropic.AsyncAnthropic(api_key=creds.api_key, max_retries=0,
                                          base_url=creds.base_url or self.config.base_url,
                                          timeout=self.config.timeout_s)
        reader = _Reader()
        try:
            stream = await client.messages.create(**anthropic_body(request))
            async for event in stream:
                for normalized in reader.events(event):
                    yield normalized
        except anthropic.AnthropicError as exc:
            yield _in_stream_failure(exc) or failure_from(exc) or ProviderFailure(
                "PROVIDER_ERROR", str(exc)[:300])
        finally:
            await client.close()


def _in_stream_failure(exc: anthropic.AnthropicError) -> ProviderFailure | None:
    """An ``event: error`` inside a 200 stream names its type, not a status."""
    body = getattr(exc, "body", None)
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or error.get("type") not in _ERROR_TYPES:
        return None
    code, retryable = _ERROR_TYPES[str(error["type"])]
    return ProviderFailure(code, f"Anthropic: {error.get('message', error['type'])}",
                           retryable)


class _Reader:
    """Tracks a Messages stream: input usage from ``message_start``, output from
    ``message_delta``, tool-use blocks by index."""

    def __init__(self) -> None:
        self.start_usage: Any = None
        self.input_tokens = 0

    def events(self, event: Any) -> list[ProviderEvent]:
        kind = event.type
        if kind == "message_start":
            self.start_usage = event.message.usage
            self.input_tokens = int(event.message.usage.input_tokens or 0)
        elif kind == "content_block_start" and event.content_block.type == "tool_use":
            block = event.content_block
            return [ToolCallDelta(event.index, block.id, block.name, "")]
        elif kind == "content_block_delta":
            delta = event.delta
            if delta.type == "text_delta":
                return [TextDelta(delta.text)]
            if delta.type == "thinking_delta":
                return [ReasoningDelta(delta.thinking)]
            if delta.type == "input_json_delta":
                return [ToolCallDelta(event.index, None, None, delta.partial_json)]
        elif kind == "message_delta":
            usage = from_anthropic(self.input_tokens, int(event.usage.output_tokens or 0),
                                   _merged(self.start_usage, event.usage))
            reason = _STOP.get(event.delta.stop_reason or "end_turn", "stop")
            return [usage, Finish(reason)]
        return []


class _Merged:
    def __init__(self, first: Any, second: Any) -> None:
        self.first, self.second = first, second

    def __getattr__(self, name: str) -> Any:
        value = getattr(self.second, name, None)
        return value if value else getattr(self.first, name, None)


def _merged(start: Any, delta: Any) -> Any:
    """Cache counts may come in ``message_start`` or again in ``message_delta``."""
    return _Merged(start, delta)
