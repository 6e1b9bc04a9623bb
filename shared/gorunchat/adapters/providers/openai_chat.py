"""OpenAI Chat Completions through the official ``openai`` SDK (also every custom
OpenAI-compatible endpoint, see ``custom``).

Streams with ``stream_options.include_usage`` so the last chunk carries the usage block.
``headers`` are sent on every request, ``addParams`` are merged into the JSON body and
``dropParams`` removed from it (LibreChat's ``librechat.yaml`` semantics).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx2
import openai

from gorunchat.adapters.net.clients import guarded_client2
from gorunchat.adapters.net.ssrf import AllowList
from gorunchat.adapters.providers.credentials import Credentials, CredentialSource
from gorunchat.adapters.providers.errors import failure_from, retry_before_first_token
from gorunchat.adapters.providers.usage import from_chat_completions
from gorunchat.contracts.errors import GoRunChatError
from gorunchat.ports.provider import (
    Finish,
    FinishReason,
    ImagePart,
    ProviderEvent,
    ProviderFailure,
    ProviderMessage,
    ProviderRequest,
    ReasoningDelta,
    TextDelta,
    TextPart,
    ToolCallDelta,
    ToolCallPart,
    ToolResultPart,
)

_FINISH: dict[str, FinishReason] = {"stop": "stop", "length": "length",
                                    "tool_calls": "tool_calls", "function_call": "tool_calls",
                                    "content_filter": "content_filter"}


@dataclass(frozen=True)
class OpenAIConfig:
    """One OpenAI-compatible endpoint: where it is and how its requests are shaped."""

    credentials: CredentialSource
    label: str = "OpenAI"
    headers: dict[str, str] = field(default_factory=dict)
    add_params: dict[str, Any] = field(default_factory=dict)
    drop_params: tuple[str, ...] = ()
    timeout_s: float = 600.0
    attempts: int = 3


def client_for(config: OpenAIConfig, creds: Credentials) -> openai.AsyncOpenAI:
    """An SDK client; its own retries are off, ``retry_before_first_token`` decides. A
    user-supplied base URL is reached only through the SSRF guard's pinned client."""
    http = guarded_client2(AllowList(), timeout=httpx2.Timeout(config.timeout_s)) \
        if creds.guarded else None
    return openai.AsyncOpenAI(api_key=creds.api_key, base_url=creds.base_url, max_retries=0,
                              timeout=config.timeout_s, default_headers=config.headers or None,
                              http_client=http)


def chat_messages(request: ProviderRequest) -> list[dict[str, Any]]:
    """The request's system prompt and messages in the Chat Completions shape."""
    out: list[dict[str, Any]] = []
    if request.system:
        out.append({"role": "system", "content": request.system})
    for message in request.messages:
        out.extend(_chat_message(message))
    return out


def _chat_message(message: ProviderMessage) -> list[dict[str, Any]]:
    results = [{"role": "tool", "tool_call_id": p.toolCallId, "content": p.output}
               for p in message.parts if isinstance(p, ToolResultPart)]
    calls = [{"id": p.id, "type": "function",
              "function": {"name": p.name, "arguments": p.arguments}}
             for p in message.parts if isinstance(p, ToolCallPart)]
    content: list[dict[str, Any]] = []
    for part in message.parts:
        if isinstance(part, TextPart):
            content.append({"type": "text", "text": part.text})
        elif isinstance(part, ImagePart):
            content.append({"type": "image_url",
                            "image_url": {"url": part.url, "detail": part.detail}})
    if message.role == "tool":
        return results
    if message.role == "assistant":
        entry: dict[str, Any] = {"role": "assistant", "content": message.text or None}
        if calls:
            entry["tool_calls"] = calls
        return [entry]
    only_text = all(c["type"] == "text" for c in content)
    return [*results, {"role": "user", "content": message.text if only_text else content}]


def chat_body(config: OpenAIConfig, request: ProviderRequest) -> dict[str, Any]:
    """The keyword arguments of ``chat.completions.create``, with add/drop applied."""
    params = request.parameters
    body: dict[str, Any] = {"model": request.model, "messages": chat_messages(request),
                            "stream": True, "stream_options": {"include_usage": True},
                            "temperature": params.temperature, "top_p": params.topP,
                            "max_tokens": params.maxTokens, "stop": params.stop,
                            "seed": params.seed, "reasoning_effort": params.reasoningEffort,
                            "user": request.user}
    if request.tools:
        body["tools"] = [{"type": "function", "function": t.model_dump()}
                         for t in request.tools]
    body = {k: v for k, v in body.items() if v is not None and k not in config.drop_params}
    extra = {k: v for k, v in config.add_params.items() if k not in config.drop_params}
    if extra:
        body["extra_body"] = extra
    return body


class OpenAIChatProvider:
    """Chat Completions streaming for OpenAI and OpenAI-compatible servers."""

    def __init__(self, config: OpenAIConfig) -> None:
        self.config = config

    def sender(self, model: str) -> str:
        return self.config.label

    def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        return retry_before_first_token(lambda: self._attempt(request), self.config.attempts)

    async def _attempt(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        try:
            creds = await self.config.credentials.resolve(request)
        except GoRunChatError as exc:
            yield ProviderFailure(exc.code, exc.message)
            return
        client = client_for(self.config, creds)
        try:
            stream = await client.chat.completions.create(**chat_body(self.config, request))
            async for chunk in stream:
                for event in chunk_events(chunk):
                    yield event
        except openai.OpenAIError as exc:
            failure = failure_from(exc)
            yield failure or ProviderFailure("PROVIDER_ERROR", str(exc)[:300])
        finally:
            await client.close()


def chunk_events(chunk: Any) -> list[ProviderEvent]:
    """The normalized events one ``chat.completion.chunk`` carries."""
    events: list[ProviderEvent] = []
    if getattr(chunk, "usage", None) is not None:
        events.append(from_chat_completions(chunk.usage))
    for choice in chunk.choices or []:
        delta = choice.delta
        reasoning = getattr(delta, "reasoning_content", None) or getattr(delta, "reasoning",
                                                                          None)
        if isinstance(reasoning, str) and reasoning:
            events.append(ReasoningDelta(reasoning))
        if delta.content:
            events.append(TextDelta(delta.content))
        for call in delta.tool_calls or []:
            fn = call.function
            events.append(ToolCallDelta(call.index, call.id, fn.name if fn else None,
                                        (fn.arguments or "") if fn else ""))
        if choice.finish_reason:
            events.append(Finish(_FINISH.get(choice.finish_reason, "stop")))
    return events
