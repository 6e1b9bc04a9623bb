"""Failures: audit records that cannot be written, a failing model, a stalled subscriber."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from gorunchat.adapters.sqlite.store import SqliteStore
from gorunchat.ports.provider import (
    ProviderEvent,
    ProviderFailure,
    ProviderRequest,
    TextDelta,
)
from tests.streaming.conftest import Launch
from tests.streaming.support import (
    Account,
    InProcessService,
    assert_in_order,
    create_account,
    parse_events,
    read_stream,
    start_chat,
    stored_message,
)


def test_a_start_whose_audit_records_cannot_be_written_saves_nothing(
        launch: Launch, account: Callable[[], Account], store: SqliteStore,
        data_dir: Path) -> None:
    service = launch()
    alice = account()
    db = sqlite3.connect(data_dir / "gorunchat.sqlite3")
    db.execute("CREATE TRIGGER audit_down BEFORE INSERT ON auditlogs "
               "BEGIN SELECT RAISE(ABORT, 'audit log unavailable'); END")
    db.commit()

    refused = start_chat(service.url, alice, clientRequestId="retry-me")
    active = httpx.get(f"{service.url}/api/agents/chat/active", headers=alice.headers)
    with store.unit_of_work("default", readonly=True) as uow:
        written = uow.messages.find({"user": alice.user_id})
    db.execute("DROP TRIGGER audit_down")
    db.commit()
    db.close()
    retried = start_chat(service.url, alice, clientRequestId="retry-me", maxTokens=3,
                         tokensPerSecond=0)

    assert refused.status_code == 503
    assert refused.json()["error"]["code"] == "AUDIT_UNAVAILABLE"
    assert active.json()["activeJobIds"] == []
    assert written == []
    assert retried.status_code == 200 and retried.json()["status"] == "started"


class BrokenModel:
    """A model that writes a little and then fails, the way an upstream outage looks."""

    def __init__(self, crash: bool) -> None:
        self.crash = crash

    def sender(self, model: str) -> str:
        return "Broken"

    def stream(self, request: ProviderRequest) -> AsyncIterator[ProviderEvent]:
        return self._events()

    async def _events(self) -> AsyncIterator[ProviderEvent]:
        yield TextDelta("partial ")
        yield TextDelta("answer ")
        if self.crash:
            raise RuntimeError("connection reset by the model's server")
        yield ProviderFailure("UPSTREAM_UNAVAILABLE", "The model is unavailable.")


@pytest.fixture
def service(data_dir: Path, redis_url: str) -> Iterator[InProcessService]:
    running = InProcessService(data_dir, redis_url, GORUNCHAT_STREAM_COALESCE_MS="0",
                               GORUNCHAT_STREAM_SUBSCRIBER_BUFFER="8").start()
    running.runtime.providers.register("broken", BrokenModel(crash=False))
    running.runtime.providers.register("crashing", BrokenModel(crash=True))
    yield running
    running.stop()


@pytest.mark.parametrize(("endpoint", "code"), [("broken", "UPSTREAM_UNAVAILABLE"),
                                                ("crashing", "PROVIDER_ERROR")])
def test_a_failing_model_ends_the_stream_with_an_error_frame(
        service: InProcessService, store: SqliteStore, endpoint: str, code: str) -> None:
    who = create_account(store)

    body = start_chat(service.url, who, endpoint=endpoint, model="any").json()
    read = read_stream(service.url, who, body["streamId"])

    assert_in_order(read.frames)
    ending = read.frames[-1].data
    assert read.closed_by_server and ending["code"] == code and ending["error"]
    assert ending["responseMessage"]["error"] is True
    assert ending["responseMessage"]["text"] == "partial answer "
    saved = stored_message(store, body["responseMessageId"])
    assert saved is not None and saved.error is True and saved.unfinished is True


def test_a_stalled_subscriber_is_resynchronised_with_a_sync_frame(
        service: InProcessService, store: SqliteStore) -> None:
    who = create_account(store)
    body = start_chat(service.url, who, maxTokens=1200, tokensPerSecond=1500).json()

    chunks = service.call(_stalled_read(service, who, body["streamId"], stall_s=0.4))

    events = [e for e in parse_events(iter(b"".join(chunks).decode().split("\n"))) if e]
    assert_in_order([e for e in events if not e.data.get("sync")][:1])
    ids = [e.id for e in events]
    assert ids == sorted(set(ids)), "strictly increasing, nothing twice"
    syncs = [e for e in events if e.data.get("sync")]
    assert syncs, "the overflowing subscriber got a sync frame"
    final = events[-1].data
    assert final["final"] is True
    after = [e for e in events if e.id > syncs[-1].id]
    assert [e.id for e in after] == list(range(syncs[-1].id + 1, events[-1].id + 1))
    parts = {p["type"]: p for p in syncs[-1].data["resumeState"]["aggregatedContent"]}
    assert parts["text"]["text"] + "".join(e.text for e in after) \
        == final["responseMessage"]["text"]


async def _stalled_read(service: InProcessService, who: Account, stream_id: str,
                        stall_s: float) -> list[bytes]:
    """Drive the real app over ASGI with a client that stops reading for ``stall_s``."""
    chunks: list[bytes] = []
    stalled = False

    async def send(message: dict[str, Any]) -> None:
        nonlocal stalled
        body = message.get("body", b"")
        chunks.append(body)
        if body and not stalled:
            stalled = True
            await asyncio.sleep(stall_s)  # a client that stops reading, then comes back

    async def receive() -> dict[str, Any]:
        await asyncio.Event().wait()  # never disconnects
        return {"type": "http.disconnect"}

    scope = {"type": "http", "asgi": {"version": "3.0", "spec_version": "2.3"},
             "http_version": "1.1", "method": "GET", "scheme": "http",
             "path": f"/api/agents/chat/stream/{stream_id}", "raw_path": b"",
             "query_string": b"", "root_path": "", "server": ("127.0.0.1", 80),
             "client": ("127.0.0.1", 5000),
             "headers": [(b"authorization", who.headers["Authorization"].encode())]}
    await service.app(scope, receive, send)
    return chunks
