"""Provider faults, translated once at the adapter boundary, and the retry rule.

Every SDK raises its own exception tree; adapters hand them to ``failure_from`` and yield the
resulting ``ProviderFailure`` (a stable code the client can act on, a message a person can
read, and whether trying again may help). ``retry_before_first_token`` retries a stream only
while it has produced nothing: once a token reached the client, a retry would duplicate it.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

import anthropic
import httpx
import httpx2
import openai
from google.genai import errors as genai_errors

from gorunchat.ports.provider import ProviderEvent, ProviderFailure

_BY_STATUS: dict[int, tuple[str, str, bool]] = {
    400: ("PROVIDER_BAD_REQUEST", "The model provider refused the request", False),
    401: ("PROVIDER_AUTH_FAILED", "The model provider did not accept the API key", False),
    403: ("PROVIDER_FORBIDDEN", "The API key may not use this model", False),
    404: ("PROVIDER_MODEL_NOT_FOUND", "The model provider does not know this model", False),
    408: ("PROVIDER_TIMEOUT", "The model provider timed out", True),
    429: ("PROVIDER_RATE_LIMITED", "The model provider is rate limiting requests", True),
}
_NOT_RETRIED = frozenset({"PROVIDER_BAD_REQUEST", "PROVIDER_AUTH_FAILED",
                          "PROVIDER_FORBIDDEN", "PROVIDER_MODEL_NOT_FOUND"})


def failure_for_status(status: int, detail: str = "") -> ProviderFailure:
    """The failure for an HTTP status answered by a provider (5xx: unavailable)."""
    code, text, retryable = _BY_STATUS.get(
        status, ("PROVIDER_UNAVAILABLE", "The model provider is unavailable", True))
    if status < 500 and status not in _BY_STATUS:
        code, text, retryable = "PROVIDER_ERROR", "The model provider failed", False
    message = f"{text} (HTTP {status})" + (f": {detail}" if detail else ".")
    return ProviderFailure(code, message, retryable)


def _detail(body: object, fallback: str) -> str:
    """The provider's own error message, when its body carries one."""
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and isinstance(inner.get("message"), str):
            return str(inner["message"])[:300]
    return fallback[:300]


def failure_from(exc: BaseException) -> ProviderFailure | None:
    """``exc`` as a ``ProviderFailure``, or ``None`` when it is not a provider fault."""
    if isinstance(exc, openai.APITimeoutError | anthropic.APITimeoutError
                  | httpx.TimeoutException | httpx2.TimeoutException):
        return ProviderFailure("PROVIDER_TIMEOUT", "The model provider timed out.", True)
    if isinstance(exc, openai.APIStatusError | anthropic.APIStatusError):
        return failure_for_status(exc.status_code, _detail(exc.body, exc.message))
    if isinstance(exc, openai.APIConnectionError | anthropic.APIConnectionError
                  | httpx.TransportError | httpx2.TransportError):
        return ProviderFailure("PROVIDER_UNREACHABLE", "The model provider cannot be "
                               "reached.", True)
    if isinstance(exc, openai.APIError | anthropic.APIError):
        return ProviderFailure("PROVIDER_ERROR", f"The model provider failed: "
                               f"{exc.message[:300]}", False)
    if isinstance(exc, genai_errors.APIError):
        return failure_for_status(int(exc.code or 500), exc.message or "")
    return None


def stream_error(code: str, message: str) -> ProviderFailure:
    """A failure reported inside a stream (an SSE error event): never retried."""
    return ProviderFailure(code, message, False)


async def retry_before_first_token(open_stream: Callable[[], AsyncIterator[ProviderEvent]],
                                   attempts: int = 3, backoff_s: float = 0.2
                                   ) -> AsyncIterator[ProviderEvent]:
    """Run ``open_stream``; a retryable failure before any event is tried again.

    Only failures are held back: the first content event commits this attempt, and every
    event after it is passed on as it comes (a later failure ends the stream).
    """
    for attempt in range(attempts):
        committed = False
        async for event in open_stream():
            if (not committed and isinstance(event, ProviderFailure) and event.retryable
                    and event.code not in _NOT_RETRIED and attempt + 1 < attempts):
                break
            committed = True
            yield event
        else:
            return
        await asyncio.sleep(backoff_s * 2 ** attempt)
