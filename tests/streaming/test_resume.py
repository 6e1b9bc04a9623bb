"""Resume after dropped connections: every frame exactly once, in order; ``sync`` past the
journal. The app runs in this process (uvicorn in a thread) over a real socket, on a real
Redis, so that hundreds of reconnects stay fast."""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.streaming.support import (
    Account,
    Frame,
    InProcessService,
    assert_in_order,
    create_account,
    read_stream,
    start_chat,
)


@pytest.fixture
def service(data_dir: Path, redis_url: str) -> Iterator[InProcessService]:
    running = InProcessService(data_dir, redis_url, GORUNCHAT_STREAM_COALESCE_MS="0",
                               CONCURRENT_MESSAGE_MAX="8").start()
    yield running
    running.stop()


def _read_with_drops(base: str, who: Account, stream_id: str, rng: random.Random,
                     drops: int) -> tuple[list[Frame], int]:
    """Read a stream, dropping the connection ``drops`` times at random frames."""
    frames: list[Frame] = []
    done = 0
    while True:
        cursor = frames[-1].id if frames else 0
        want = rng.randint(1, 12) if done < drops else None
        use_header = rng.random() < 0.5
        read = read_stream(
            base, who, stream_id,
            last_event_id=cursor if use_header and cursor else None,
            after=cursor if not use_header and cursor else None,
            stop=(lambda fs, n=want: len(fs) >= n) if want else None, timeout=20)
        assert read.status == 200
        frames.extend(read.frames)
        if read.closed_by_server or (frames and frames[-1].data.get("final")):
            return frames, done
        done += 1


def test_two_hundred_random_drops_lose_and_repeat_nothing(service: InProcessService,
                                                          store: object) -> None:
    rng = random.Random(20261122)
    runs = 0
    generations = 0
    while runs < 200:
        who = create_account(store)  # type: ignore[arg-type]
        pace = rng.choice([1000, 3000])
        body = start_chat(service.url, who, maxTokens=rng.randint(60, 160),
                          tokensPerSecond=pace).json()
        frames, drops = _read_with_drops(service.url, who, body["streamId"], rng, drops=10)
        runs += drops
        generations += 1

        assert_in_order(frames)
        assert frames[0].data["created"] is True
        final = frames[-1].data
        assert final["final"] is True
        assert sum(1 for f in frames if f.data.get("final")) == 1
        assert "".join(f.text for f in frames) == final["responseMessage"]["text"]
        past_the_end = read_stream(service.url, who, body["streamId"],
                                   last_event_id=frames[-1].id)
        assert past_the_end.closed_by_server and past_the_end.frames == []
    assert generations >= 20


def test_a_cursor_older_than_the_journal_gets_a_sync_snapshot(data_dir: Path, redis_url: str,
                                                              store: object) -> None:
    small = InProcessService(data_dir, redis_url, GORUNCHAT_STREAM_COALESCE_MS="0",
                             GORUNCHAT_STREAM_JOURNAL_MAXLEN="32").start()
    try:
        who = create_account(store)  # type: ignore[arg-type]
        body = start_chat(small.url, who, maxTokens=3000, tokensPerSecond=6000,
                          reasoning=True).json()
        everything = read_stream(small.url, who, body["streamId"])
        last = everything.frames[-1].id

        resumed = read_stream(small.url, who, body["streamId"], last_event_id=1)
    finally:
        small.stop()

    assert last > 200, "enough frames that the journal (32 kept) was trimmed"
    sync = resumed.frames[0]
    assert sync.data["sync"] is True and 1 < sync.id < last
    rest = resumed.frames[1:]
    assert [f.id for f in rest] == list(range(sync.id + 1, last + 1))
    state = sync.data["resumeState"]
    assert state["responseMessageId"] == body["responseMessageId"]
    parts = {p["type"]: p for p in state["aggregatedContent"]}
    final = rest[-1].data
    assert final["final"] is True
    assert parts.get("text", {}).get("text", "") + "".join(f.text for f in rest) \
        == final["responseMessage"]["text"]
    assert parts["think"]["think"], "the reasoning so far is in the snapshot"


def test_while_draining_starts_are_refused_and_not_ready(service: InProcessService,
                                                         store: object) -> None:
    who = create_account(store)  # type: ignore[arg-type]

    service.call(service.runtime.drain())
    answer = start_chat(service.url, who)
    ready = httpx.get(service.url + "/readyz")

    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "STREAM_DRAINING"
    assert ready.status_code == 503
