"""The streaming building blocks on their own: coalescing, aggregation, bounded buffers, the
offline model."""

from __future__ import annotations

import asyncio
import json
import time

from gorunchat.adapters.providers.offline import OfflineProvider
from gorunchat.contracts.chat import (
    ChatStartRequest,
    ContentPart,
    DeltaContent,
    DeltaData,
    EventFrame,
    JobRecord,
)
from gorunchat.ports.provider import ProviderMessage, ProviderRequest, TextPart
from gorunchat.ports.streambus import JournalEntry
from gorunchat.streaming.aggregate import Aggregator
from gorunchat.streaming.coalesce import Coalescer
from gorunchat.streaming.frames import delta_entry, sse
from gorunchat.streaming.hub import Subscriber


def _request(**parameters: object) -> ProviderRequest:
    body = ChatStartRequest.model_validate({"text": "hi", **parameters})
    return ProviderRequest(endpoint="offline", model="demo", parameters=body.parameters(),
                           messages=[ProviderMessage(role="user", parts=[TextPart(text="hi")])])


async def _collect(provider: OfflineProvider, request: ProviderRequest) -> list[object]:
    return [event async for event in provider.stream(request)]


def test_the_coalescer_merges_runs_of_a_kind_and_keeps_their_order() -> None:
    c = Coalescer(0.025)
    for kind, text in [("reasoning", "a"), ("reasoning", "b"), ("text", "c"), ("text", "d")]:
        c.add(kind, text)

    assert c.due_at() == float("-inf")  # nothing left yet: the first flush leaves at once
    assert c.take(10.0) == [("reasoning", "ab"), ("text", "cd")]
    assert not c.pending and c.due_at() == 10.025


def test_the_aggregator_rebuilds_the_same_state_from_journal_frames() -> None:
    job = JobRecord(streamId="s", tenantId="t", userId="u", conversationId="c", owner="o",
                    userMessageId="m1", responseMessageId="m2", endpoint="offline",
                    model="demo")
    live = Aggregator("m2", "m2")
    entries: list[JournalEntry] = []
    for seq, (kind, text) in enumerate([("reasoning", "think "), ("text", "Hello "),
                                        ("text", "world")], start=1):
        step, step_id = live.add(kind, text)
        if step is not None:
            entries.append(JournalEntry(seq * 10, "run_step",
                                        b'{"data":%s}' % step.model_dump_json().encode()))
        part = b'{"type":"think","think":"%s"}' % text.encode() if kind == "reasoning" \
            else b'{"type":"text","text":"%s"}' % text.encode()
        entries.append(JournalEntry(seq * 10 + 1, kind,
                                    b'{"data":{"id":"%s","delta":{"content":[%s]}}}'
                                    % (step_id.encode(), part)))

    rebuilt = Aggregator.restore(job, None)
    for e in entries:
        rebuilt.apply(e)

    assert live.text() == "Hello world"
    assert rebuilt.resume_state(job) == live.resume_state(job)
    assert [p.type for p in live.content()] == ["think", "text"]


def test_a_subscriber_buffer_never_grows_past_its_bound() -> None:
    sub = Subscriber(limit=8)

    for seq in range(1, 30):
        sub.offer((seq, sse(seq, b"{}"), False))

    assert sub.items == [], "the backlog is dropped, not kept"
    assert sub.lagging is True and sub.overflows == 1
    sub.lagging = False  # the connection resynchronised from the journal
    sub.offer((30, sse(30, b"{}"), False))
    assert [seq for seq, _, _ in sub.take()] == [30]


def test_the_offline_model_is_deterministic_with_its_length_and_reasoning() -> None:
    provider = OfflineProvider(default_tokens=5, default_tokens_per_second=0)

    one = asyncio.run(_collect(provider, _request(maxTokens=20, reasoning=True)))
    two = asyncio.run(_collect(provider, _request(max_tokens=20, reasoning=True)))
    default = asyncio.run(_collect(provider, _request()))

    texts = [getattr(e, "text", None) for e in one]
    assert texts == [getattr(e, "text", None) for e in two]
    assert sum(1 for e in one if e.kind == "text") == 20  # type: ignore[attr-defined]
    assert sum(1 for e in one if e.kind == "reasoning") == 5  # type: ignore[attr-defined]
    assert [e.kind for e in one[-2:]] == ["usage", "finish"]  # type: ignore[attr-defined]
    assert sum(1 for e in default if e.kind == "text") == 5  # type: ignore[attr-defined]


def test_the_offline_model_keeps_its_pace() -> None:
    provider = OfflineProvider()
    started = time.monotonic()

    asyncio.run(_collect(provider, _request(maxTokens=21, tokensPerSecond=100)))

    assert 0.18 <= time.monotonic() - started < 1.0  # 20 intervals of 10 ms


def test_fast_delta_frames_equal_their_dto_encoding() -> None:
    for kind, event, part_type in [("text", "on_message_delta", "text"),
                                   ("reasoning", "on_reasoning_delta", "think")]:
        for text in ["plain ", 'quote " and \\ back', "line\nbreak\ttab", "ünïcødé 中文 🚀"]:
            part = ContentPart.model_validate({"type": part_type, part_type: text})
            frame = EventFrame(seq=7, event=event, data=DeltaData(  # type: ignore[arg-type]
                id="step_1", delta=DeltaContent(content=[part])))

            fast = delta_entry(kind, 7, "step_1", text)

            assert json.loads(fast.data) == json.loads(frame.model_dump_json(exclude_none=True))
            assert fast.data == frame.model_dump_json(exclude_none=True).encode()
            assert (fast.seq, fast.kind) == (7, kind)
