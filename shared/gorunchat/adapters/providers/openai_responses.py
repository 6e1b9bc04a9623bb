"""OpenAI's Responses API through the official ``openai`` SDK, with stored responses.

Every request is sent with ``store: true``; the response id is reported (``ResponseInfo``)
so the streaming service keeps it on the assistant message. A request that carries
``previousResponseId`` continues that stored response and sends only the new turn; without
one the whole branch is sent. Reasoning summaries become reasoning deltas; usage (input,
output, cached and reasoning tokens) comes from ``response.completed``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import openai

from gorunchat.adapters.providers.errors import (
    failure_from,
    retry_before_first_token,
    stream_error,
)
from gorunchat.adapters.providers.openai_chat import OpenAIConfig, client_for
from gorunchat.adapters.providers.usage import from_responses
from gorunchat.contracts.errors import GoRunChatError
from gorunchat.ports.provider import (
    Finish,
    ImagePart,
    ProviderEvent,
    ProviderFailure,
    ProviderMessage,
    ProviderRequest,
    ReasoningDelta,
    ResponseInfo,
    TextDelta,
    TextPart,
    ToolCallDelta,
    ToolCallPart,
    ToolResultPart,
)


def response_input(request: ProviderRequest) -> list[dict[str, Any]]:
    """The input items: only the last message when continuing a stored response."""
    messages = request.messages
    if request.previousResponseId and messages:
        messages = messages[-1:]
    items: list[dict[str, Any]] = []
    for message in messages:
        items.extend(_items(message))
    return items


def _items(message: ProviderMessage) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    content: list[dict[str, Any]] = []
    text_type = "output_text" if message.role == "assistant" else "input_text"
    for part in message.parts:
        if isinstance(part, TextPart):
            content.append({"type": text_type, "text": part.text})
        elif isinstance(part, ImagePart):
            content.append({"type": "input_image", "image_url": part.url,
                            "detail": part.detail})
        elif isinstance(part, ToolCallPart):
            items.append({"type": "function_call", "call_id": part.id, "name": part.name,
                          "arguments": part.arguments})
        elif isinstance(part, ToolResultPart):
            items.append({"type": "function_call_output", "call_id": part.toolCallId,
                          "output": part.output})
    if content:
        role = "assistant" if message.role == "assistant" else "user"
        items.insert(0, {"role": role, "content": content})
    return items


def response_body(request: ProviderRequest) -> dict[str, Any]:
    params = request.parameters
    body: dict[str, Any] = {
        "model": request.model, "input": response_input(request), "store": True,
        "stream": True, "instructions": request.system,
        "previous_response_id": request.previousResponseId,
        "temperature": params.temperature, "top_p": params.topP,
        "max_output_tokens": params.maxTokens, "user": request.user}
    if params.reasoningEffort or params.reasoning:
        body["reasoning"] = {"effort": params.reasoningEffort or "medium", "summary": "auto"}
    if request.tools:
        body["tools"] = [{"type": "function", **t.model_dump()} for t in request.tools]
    return {k: v for k, v in body.items() if v is not None}


class OpenAIResponsesProvider:
    """The Responses API transport (``store: true``, ``previous_response_id``)."""

    def __init__(self, config: OpenAIConfig) -> None:
        self.config = config

    def sender(self, model: str) -> str:
        return self.config.label

    def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        return retry_before_first_token(lambda: self._attempt(request), self.config.attempts)

    async def retrieve(self, response_id: str, request: ProviderRequest) -> dict[str, Any]:
        """The stored response ``response_id`` as the API returns it (``GET
        /v1/responses/{id}``); ``request`` names the user whose key may be needed."""
        creds = await self.config.credentials.resolve(request)
        client = client_for(self.config, creds)
        try:
            found = await client.responses.retrieve(response_id)
        finally:
            await client.close()
        return found.model_dump(mode="json", exclude_none=True)

    async def _attempt(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        try:
            creds = await self.config.credentials.resolve(request)
        except GoRunChatError as exc:
            yield ProviderFailure(exc.code, exc.message)
            return
        client = client_for(self.config, creds)
        try:
            stream = await client.responses.create(**response_body(request))
            async for event in stream:
                for normalized in response_events(event):
                    yield normalized
        except openai.OpenAIError as exc:
            yield failure_from(exc) or ProviderFailure("PROVIDER_ERROR", str(exc)[:300])
        finally:
            await client.close()


def response_events(event: Any) -> list[ProviderEvent]:
    """The normalized events one Responses stream event carries."""
    kind = getattr(event, "type", "")
    if kind == "response.created":
        return [ResponseInfo(event.response.id)]
    if kind == "response.output_text.delta":
        return [TextDelta(event.delta)]
    if kind in ("response.reasoning_summary_text.delta", "response.reasoning_text.delta"):
        return [ReasoningDelta(event.delta)]
    if kind == "response.function_call_arguments.delta":
        return [ToolCallDelta(int(event.output_index), None, None, event.delta)]
    if kind == "response.completed":
        response = event.response
        done: list[ProviderEvent] = []
        if response.usage is not None:
            done.append(from_responses(response.usage))
        return [*done, Finish("stop")]
    if kind == "response.incomplete":
        return [Finish("length")]
    if kind in ("response.failed", "error"):
        error = getattr(getattr(event, "response", None), "error", None) or event
        code = str(getattr(error, "code", None) or "PROVIDER_ERROR").upper()
        message = str(getattr(error, "message", None) or "The model failed.")
        return [stream_error(code if code.startswith("PROVIDER_") else f"PROVIDER_{code}",
                             message)]
    return []
