"""Google Gemini through the official ``google-genai`` SDK (``streamGenerateContent``).

Thought parts (``thought: true``, with ``includeThoughts``) become reasoning deltas. A prompt
blocked by ``promptFeedback.blockReason`` or an answer ended by a safety finish reason
(``SAFETY``, ``PROHIBITED_CONTENT``, …) becomes a ``CONTENT_BLOCKED`` failure that names the
reason, instead of an empty answer.
"""

from __future__ import annotations

import base64
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import httpx2
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from gorunchat.adapters.providers.credentials import CredentialSource
from gorunchat.adapters.providers.errors import failure_from, retry_before_first_token
from gorunchat.adapters.providers.usage import from_gemini
from gorunchat.contracts.errors import GoRunChatError
from gorunchat.ports.provider import (
    Finish,
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

BLOCKING_FINISH = frozenset({"SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT",
                             "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT",
                             "MODEL_ARMOR"})
THINKING_BUDGETS = {"minimal": 512, "low": 1_024, "medium": 8_192, "high": 24_576}


@dataclass(frozen=True)
class GoogleConfig:
    credentials: CredentialSource
    base_url: str | None = None
    timeout_s: float = 600.0
    attempts: int = 3


def gemini_contents(request: ProviderRequest) -> list[types.Content]:
    return [types.Content(role="model" if m.role == "assistant" else "user",
                          parts=[_part(p) for p in m.parts]) for m in request.messages]


def _part(part: Any) -> types.Part:
    if isinstance(part, TextPart):
        return types.Part(text=part.text)
    if isinstance(part, ImagePart):
        if part.url.startswith("data:"):
            media, _, data = part.url[5:].partition(";base64,")
            return types.Part(inline_data=types.Blob(mime_type=media,
                                                     data=base64.b64decode(data)))
        return types.Part(file_data=types.FileData(file_uri=part.url))
    if isinstance(part, ToolCallPart):
        return types.Part(function_call=types.FunctionCall(
            id=part.id, name=part.name, args=json.loads(part.arguments or "{}")))
    assert isinstance(part, ToolResultPart)
    return types.Part(function_response=types.FunctionResponse(
        id=part.toolCallId, name=part.toolCallId, response={"output": part.output}))


def gemini_config(request: ProviderRequest) -> types.GenerateContentConfig:
    params = request.parameters
    thinking = None
    if params.reasoning or params.reasoningEffort:
        thinking = types.ThinkingConfig(
            include_thoughts=True,
            thinking_budget=THINKING_BUDGETS.get(params.reasoningEffort or "", -1))
    tools = [types.Tool(function_declarations=[types.FunctionDeclaration(
        name=t.name, description=t.description, parameters_json_schema=t.parameters)
        for t in request.tools])] if request.tools else None
    return types.GenerateContentConfig(
        system_instruction=request.system, temperature=params.temperature,
        top_p=params.topP, max_output_tokens=params.maxTokens, stop_sequences=params.stop,
        seed=params.seed, thinking_config=thinking, tools=tools)


class GoogleProvider:
    def __init__(self, config: GoogleConfig) -> None:
        self.config = config

    def sender(self, model: str) -> str:
        return "Google"

    def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        return retry_before_first_token(lambda: self._attempt(request), self.config.attempts)

    async def _attempt(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        try:
            creds = await self.config.credentials.resolve(request)
        except GoRunChatError as exc:
            yield ProviderFailure(exc.code, exc.message)
            return
        options = types.HttpOptions(base_url=creds.base_url or self.config.base_url,
                                    timeout=int(self.config.timeout_s * 1000))
        client = genai.Client(api_key=creds.api_key, http_options=options)
        try:
            stream = await client.aio.models.generate_content_stream(
                model=request.model, contents=gemini_contents(request),
                config=gemini_config(request))
            async for chunk in stream:
                events = chunk_events(chunk)
                for event in events:
                    yield event
                if any(isinstance(e, ProviderFailure) for e in events):
                    return
        except (genai_errors.APIError, httpx.HTTPError, httpx2.HTTPError) as exc:
            yield failure_from(exc) or ProviderFailure("PROVIDER_ERROR", str(exc)[:300])
        finally:
            await client.aio.aclose()


def _blocked(reason: str, where: str) -> ProviderFailure:
    return ProviderFailure("CONTENT_BLOCKED", f"Google blocked the {where} ({reason}).")


def chunk_events(chunk: types.GenerateContentResponse) -> list[ProviderEvent]:
    """The normalized events of one streamed ``GenerateContentResponse``."""
    feedback = chunk.prompt_feedback
    if feedback is not None and feedback.block_reason is not None:
        return [_blocked(str(feedback.block_reason.value), "prompt")]
    events: list[ProviderEvent] = []
    for candidate in chunk.candidates or []:
        parts = candidate.content.parts if candidate.content else None
        for index, part in enumerate(parts or []):
            if part.function_call is not None:
                call = part.function_call
                events.append(ToolCallDelta(index, call.id, call.name,
                                            json.dumps(call.args or {})))
            elif part.text:
                events.append(ReasoningDelta(part.text) if part.thought
                              else TextDelta(part.text))
        reason = candidate.finish_reason.value if candidate.finish_reason else None
        if reason in BLOCKING_FINISH:
            events.append(_blocked(str(reason), "response"))
            return events
        if reason is not None:
            if chunk.usage_metadata is not None:
                events.append(from_gemini(chunk.usage_metadata))
            events.append(Finish("length" if reason == "MAX_TOKENS" else "stop"))
    return events
