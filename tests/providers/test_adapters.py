"""Each adapter runs its official SDK against a loopback server in the provider's wire
format: text, reasoning, usage, error codes and the retry rule."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from gorunchat.ports.provider import (
    ProviderFailure,
    ReasoningDelta,
    ResponseInfo,
    TextDelta,
    UsageReport,
)
from tests.fixtures.providers import anthropic_wire, gemini_wire, openai_wire
from tests.fixtures.providers.server import ProviderServer, Reply
from tests.providers.support import (
    anthropic_provider,
    chat_provider,
    drain,
    google_provider,
    request,
    responses_provider,
)


def _text(events: list[object]) -> str:
    return "".join(e.text for e in events if isinstance(e, TextDelta))


def _reasoning(events: list[object]) -> str:
    return "".join(e.text for e in events if isinstance(e, ReasoningDelta))


def _one(events: list[object], kind: type) -> object:
    found = [e for e in events if isinstance(e, kind)]
    assert len(found) == 1, events
    return found[0]


@pytest.fixture
def openai() -> Iterator[tuple[ProviderServer, openai_wire.ResponsesState]]:
    server, state = openai_wire.openai_server()
    with server:
        yield server, state


def test_chat_completions_streams_text_and_the_usage_chunk(openai: tuple) -> None:
    server, _ = openai
    server.script("POST", "/v1/chat/completions", openai_wire.chat_stream(cached=4))

    events = drain(chat_provider(server.url).stream(request("gpt-4o-mini", "Hi",
                                                            system="Be brief")))

    assert _text(events) == "".join(openai_wire.TEXT)
    assert _one(events, UsageReport) == UsageReport(11, 3, 0, 4, 0)
    sent = server.to("/v1/chat/completions")[0]
    assert sent.body["messages"][0] == {"role": "system", "content": "Be brief"}
    assert sent.body["stream_options"] == {"include_usage": True}
    assert sent.header("authorization") == "Bearer sk-test"


@pytest.mark.parametrize(("status", "code"), [
    (401, "PROVIDER_AUTH_FAILED"), (403, "PROVIDER_FORBIDDEN"),
    (429, "PROVIDER_RATE_LIMITED"), (500, "PROVIDER_UNAVAILABLE"),
    (503, "PROVIDER_UNAVAILABLE")])
def test_chat_completions_errors_become_coded_failures(openai: tuple, status: int,
                                                       code: str) -> None:
    server, _ = openai
    reply = openai_wire.error_body(status, "nope")
    server.script("POST", "/v1/chat/completions", reply, reply, reply)

    events = drain(chat_provider(server.url).stream(request("gpt-4o", "Hi")))

    failure = _one(events, ProviderFailure)
    assert isinstance(failure, ProviderFailure) and failure.code == code
    assert f"HTTP {status}" in failure.message and "nope" in failure.message
    retried = status in (429, 500, 503)
    assert len(server.to("/v1/chat/completions")) == (3 if retried else 1)


def test_a_failure_before_the_first_token_is_retried(openai: tuple) -> None:
    server, _ = openai
    server.script("POST", "/v1/chat/completions", openai_wire.error_body(503, "busy"),
                  openai_wire.chat_stream())

    events = drain(chat_provider(server.url).stream(request("gpt-4o", "Hi")))

    assert _text(events) == "".join(openai_wire.TEXT)
    assert not [e for e in events if isinstance(e, ProviderFailure)]
    assert len(server.to("/v1/chat/completions")) == 2


def test_a_failure_after_the_first_token_is_not_retried(openai: tuple) -> None:
    server, _ = openai
    server.script("POST", "/v1/chat/completions", openai_wire.chat_stream(
        error_after={"message": "The server had an error", "type": "server_error"}))

    events = drain(chat_provider(server.url).stream(request("gpt-4o", "Hi")))

    assert _text(events) == "".join(openai_wire.TEXT)
    assert isinstance(events[-1], ProviderFailure)
    assert len(server.to("/v1/chat/completions")) == 1


def test_a_timeout_becomes_a_timeout_failure(openai: tuple) -> None:
    server, _ = openai
    slow = Reply(chunks=[b"data: [DONE]\n\n"], delay_s=1.0)
    server.script("POST", "/v1/chat/completions", slow)

    events = drain(chat_provider(server.url, timeout_s=0.2, attempts=1).stream(
        request("gpt-4o", "Hi")))

    failure = _one(events, ProviderFailure)
    assert isinstance(failure, ProviderFailure) and failure.code == "PROVIDER_TIMEOUT"


def test_responses_store_the_response_and_report_its_id_and_usage(openai: tuple) -> None:
    server, state = openai

    events = drain(responses_provider(server.url).stream(
        request("gpt-4.1", "Hi", reasoningEffort="low")))

    info = _one(events, ResponseInfo)
    assert isinstance(info, ResponseInfo) and info.response_id in state.stored
    assert _text(events) == "".join(openai_wire.TEXT)
    assert _reasoning(events) == "".join(openai_wire.REASONING)
    assert _one(events, UsageReport) == UsageReport(20, 8, 5, 8, 0)
    sent = server.to("/v1/responses")[0].body
    assert sent["store"] is True and "previous_response_id" not in sent


def test_a_continued_response_sends_only_the_new_turn(openai: tuple) -> None:
    server, _ = openai

    drain(responses_provider(server.url).stream(
        request("gpt-4.1", "first", "answer", "second", previous="resp_prev")))

    sent = server.to("/v1/responses")[0].body
    assert sent["previous_response_id"] == "resp_prev"
    assert sent["input"] == [{"role": "user", "content": [{"type": "input_text",
                                                           "text": "second"}]}]


def test_anthropic_places_the_system_prompt_and_streams_thinking(tmp_path: object) -> None:
    with anthropic_wire.anthropic_server() as server:
        events = drain(anthropic_provider(server.url).stream(
            request("claude-sonnet-4-6", "Hi", system="You are terse.", reasoning=True)))
        sent = server.to("/v1/messages")[0]

    assert sent.body["system"] == "You are terse."
    assert [m["role"] for m in sent.body["messages"]] == ["user"]
    assert sent.body["max_tokens"] == 64_000
    assert sent.body["thinking"] == {"type": "enabled", "budget_tokens": 4_096}
    assert "temperature" not in sent.body
    assert "sk-ant-test" in (sent.header("x-api-key") or sent.header("authorization") or "")
    assert _reasoning(events) == "".join(anthropic_wire.THINKING)
    assert _text(events) == "".join(anthropic_wire.TEXT)
    assert _one(events, UsageReport) == UsageReport(
        input_tokens=175, output_tokens=15, cache_read_tokens=50, cache_write_tokens=100)


@pytest.mark.parametrize(("model", "expected"), [
    ("claude-opus-4-1", 32_000), ("claude-haiku-4-5", 64_000),
    ("claude-3-5-sonnet-latest", 8_192), ("claude-3-haiku-20240307", 4_096)])
def test_anthropic_max_tokens_defaults_per_model(model: str, expected: int) -> None:
    with anthropic_wire.anthropic_server() as server:
        drain(anthropic_provider(server.url).stream(request(model, "Hi")))
        assert server.to("/v1/messages")[0].body["max_tokens"] == expected


@pytest.mark.parametrize(("status", "kind", "code"), [
    (401, "authentication_error", "PROVIDER_AUTH_FAILED"),
    (429, "rate_limit_error", "PROVIDER_RATE_LIMITED"),
    (529, "overloaded_error", "PROVIDER_UNAVAILABLE")])
def test_anthropic_error_bodies_become_coded_failures(status: int, kind: str,
                                                      code: str) -> None:
    with anthropic_wire.anthropic_server() as server:
        server.script("POST", "/v1/messages", anthropic_wire.error_reply(status, kind, "x"))
        events = drain(anthropic_provider(server.url, attempts=1).stream(
            request("claude-sonnet-4-6", "Hi")))

    failure = _one(events, ProviderFailure)
    assert isinstance(failure, ProviderFailure) and failure.code == code


def test_anthropic_an_error_event_mid_stream_ends_it() -> None:
    with anthropic_wire.anthropic_server() as server:
        server.script("POST", "/v1/messages", anthropic_wire.messages_stream(
            error={"type": "overloaded_error", "message": "Overloaded"}))
        events = drain(anthropic_provider(server.url).stream(request("claude-sonnet-4-6",
                                                                     "Hi")))
        attempts = len(server.to("/v1/messages"))

    assert _text(events) == "".join(anthropic_wire.TEXT)
    failure = events[-1]
    assert isinstance(failure, ProviderFailure) and failure.code == "PROVIDER_UNAVAILABLE"
    assert attempts == 1


def test_gemini_streams_thoughts_text_and_usage() -> None:
    with gemini_wire.gemini_server() as server:
        events = drain(google_provider(server.url).stream(
            request("gemini-2.5-flash", "Hi", system="Be kind", reasoning=True)))
        sent = [r for r in server.requests if ":streamGenerateContent" in r.path][0]

    assert "alt=sse" in sent.path
    assert sent.body["systemInstruction"]["parts"][0]["text"] == "Be kind"
    assert sent.header("x-goog-api-key") == "g-test"
    assert _reasoning(events) == "".join(gemini_wire.THOUGHTS)
    assert _text(events) == "".join(gemini_wire.TEXT)
    assert _one(events, UsageReport) == UsageReport(9, 7, 4, 0, 0)


def test_gemini_safety_blocks_are_clear_failures() -> None:
    with gemini_wire.gemini_server() as server:
        server.script("POST", "/v1", gemini_wire.gemini_stream(safety_after=1),
                      gemini_wire.prompt_blocked())
        cut = drain(google_provider(server.url).stream(request("gemini-2.5-flash", "Hi")))
        refused = drain(google_provider(server.url).stream(request("gemini-2.5-flash", "x")))

    assert _text(cut) == gemini_wire.TEXT[0]
    assert isinstance(cut[-1], ProviderFailure) and cut[-1].code == "CONTENT_BLOCKED"
    assert "response (SAFETY)" in cut[-1].message
    assert isinstance(refused[-1], ProviderFailure) and "prompt (SAFETY)" in refused[-1].message


def test_gemini_http_errors_become_coded_failures() -> None:
    with gemini_wire.gemini_server() as server:
        server.script("POST", "/v1", gemini_wire.error_reply(
            429, "Resource has been exhausted", "RESOURCE_EXHAUSTED"))
        events = drain(google_provider(server.url, attempts=1).stream(
            request("gemini-2.5-flash", "Hi")))

    failure = _one(events, ProviderFailure)
    assert isinstance(failure, ProviderFailure) and failure.code == "PROVIDER_RATE_LIMITED"


def test_gemini_a_timeout_becomes_a_timeout_failure() -> None:
    with gemini_wire.gemini_server() as server:
        server.script("POST", "/v1", Reply(chunks=[b"data: {}\r\n\r\n"], delay_s=2.0))
        events = drain(google_provider(server.url, attempts=1, timeout_s=0.3).stream(
            request("gemini-2.5-flash", "Hi")))

    failure = _one(events, ProviderFailure)
    assert isinstance(failure, ProviderFailure) and failure.code == "PROVIDER_TIMEOUT"
