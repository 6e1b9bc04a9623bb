"""Provider usage blocks → ``UsageReport``, one reader per wire format.

The SDK objects differ (``prompt_tokens`` vs ``input_tokens``, cached tokens nested in
``*_tokens_details``, Anthropic's cache creation and read counts beside the input count);
each reader takes the SDK object and tolerates absent fields, since compatible servers
often omit them.
"""

from __future__ import annotations

from typing import Any

from gorunchat.ports.provider import UsageReport


def _int(value: Any) -> int:
    return int(value) if isinstance(value, int | float) else 0


def _nested(obj: Any, outer: str, inner: str) -> int:
    return _int(getattr(getattr(obj, outer, None), inner, None))


def from_chat_completions(usage: Any) -> UsageReport:
    """OpenAI Chat Completions ``usage`` (``prompt_tokens``, ``completion_tokens``)."""
    return UsageReport(
        input_tokens=_int(getattr(usage, "prompt_tokens", 0)),
        output_tokens=_int(getattr(usage, "completion_tokens", 0)),
        reasoning_tokens=_nested(usage, "completion_tokens_details", "reasoning_tokens"),
        cache_read_tokens=_nested(usage, "prompt_tokens_details", "cached_tokens"))


def from_responses(usage: Any) -> UsageReport:
    """OpenAI Responses ``usage`` (``input_tokens``, ``output_tokens`` and their details)."""
    return UsageReport(
        input_tokens=_int(getattr(usage, "input_tokens", 0)),
        output_tokens=_int(getattr(usage, "output_tokens", 0)),
        reasoning_tokens=_nested(usage, "output_tokens_details", "reasoning_tokens"),
        cache_read_tokens=_nested(usage, "input_tokens_details", "cached_tokens"))


def from_anthropic(input_tokens: int, output_tokens: int, usage: Any) -> UsageReport:
    """Anthropic usage: the cache counts are reported beside (not inside) ``input_tokens``,
    so the prompt is their sum, as LibreChat counts it."""
    read = _int(getattr(usage, "cache_read_input_tokens", 0))
    write = _int(getattr(usage, "cache_creation_input_tokens", 0))
    return UsageReport(input_tokens=input_tokens + read + write, output_tokens=output_tokens,
                       cache_read_tokens=read, cache_write_tokens=write)


def from_gemini(meta: Any) -> UsageReport:
    """Gemini ``usageMetadata`` (``promptTokenCount``, ``candidatesTokenCount``, …)."""
    return UsageReport(
        input_tokens=_int(getattr(meta, "prompt_token_count", 0)),
        output_tokens=_int(getattr(meta, "candidates_token_count", 0))
        + _int(getattr(meta, "thoughts_token_count", 0)),
        reasoning_tokens=_int(getattr(meta, "thoughts_token_count", 0)),
        cache_read_tokens=_int(getattr(meta, "cached_content_token_count", 0)))
