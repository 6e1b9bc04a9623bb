"""Owner death and graceful shutdown with real processes sharing one Redis and one store."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from gorunchat.adapters.sqlite.store import SqliteStore
from tests.streaming.conftest import Launch
from tests.streaming.support import (
    TENANT,
    Account,
    Frame,
    StreamRead,
    assert_in_order,
    conversation_messages,
    read_stream,
    start_chat,
    stored_message,
    wait_for,
)

LEASE_MS = 1500


class Reader(threading.Thread):
    """Reads one stream in the background, exposing its frames as they arrive."""

    def __init__(self, base: str, who: Account, stream_id: str, **kwargs: object) -> None:
        super().__init__(daemon=True)
        self.frames: list[Frame] = []
        self.result: StreamRead | None = None
        self.error: BaseException | None = None
        self.arrived: dict[int, float] = {}
        self._args = (base, who, stream_id)
        self._kwargs = kwargs

    def run(self) -> None:
        def seen(frame: Frame) -> None:
            self.frames.append(frame)
            self.arrived[frame.id] = time.monotonic()
        try:
            self.result = read_stream(*self._args, on_frame=seen, timeout=60,
                                      **self._kwargs)  # type: ignore[arg-type]
        except BaseException as exc:  # noqa: BLE001 - re-raised by finish()
            self.error = exc

    def finish(self, timeout: float) -> StreamRead:
        self.join(timeout)
        assert not self.is_alive(), f"stream still open after {timeout}s"
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


def test_when_the_owner_is_killed_another_instance_ends_the_stream(
        launch: Launch, account: Callable[[], Account], store: SqliteStore) -> None:
    env = {"GORUNCHAT_STREAM_LEASE_TTL_MS": str(LEASE_MS)}
    a, b = launch(**env), launch(**env)
    alice = account()
    body = start_chat(a.url, alice, maxTokens=5000, tokensPerSecond=40).json()
    reader = Reader(b.url, alice, body["streamId"])
    reader.start()

    def checkpointed() -> bool:
        saved = stored_message(store, body["responseMessageId"])
        return saved is not None and len(saved.text.split()) >= 5
    wait_for(lambda: len(reader.frames) >= 10, 15, "frames through instance B")
    wait_for(checkpointed, 15, "a checkpoint of the partial response")
    a.kill()
    killed_at = time.monotonic()
    read = reader.finish(timeout=15)

    assert read.closed_by_server
    frames = read.frames
    assert_in_order(frames)
    final = frames[-1].data
    assert final["final"] is True and final["reconcile"] == "owner_lost"
    assert final["terminalStatus"] == "error"
    assert reader.arrived[frames[-1].id] - killed_at < 2 * LEASE_MS / 1000 + 1.0
    saved = stored_message(store, body["responseMessageId"])
    assert saved is not None and saved.unfinished is True and saved.error is True
    assert saved.text == final["responseMessage"]["text"]
    assert saved.text and "".join(f.text for f in frames).startswith(saved.text)
    messages = conversation_messages(store, body["conversationId"])
    assert sorted(m.isCreatedByUser for m in messages) == [False, True]
    failures = store.audit_log(TENANT).records(where={"action": "chat.fail"})
    assert [r.targetId for r in failures] == [body["responseMessageId"]]


def test_sigterm_ends_local_generations_with_a_terminal_frame(
        launch: Launch, account: Callable[[], Account], store: SqliteStore) -> None:
    owner, other = launch(), launch()
    alice = account()
    local = start_chat(owner.url, alice, maxTokens=5000, tokensPerSecond=40).json()
    remote = start_chat(other.url, alice, maxTokens=5000, tokensPerSecond=40).json()
    local_reader = Reader(owner.url, alice, local["streamId"])
    remote_reader = Reader(owner.url, alice, remote["streamId"])  # owned by the other one
    local_reader.start()
    remote_reader.start()
    wait_for(lambda: len(local_reader.frames) >= 5 and len(remote_reader.frames) >= 5, 15,
             "both streams to flow")

    owner.terminate()
    sent_at = time.monotonic()
    ended = local_reader.finish(timeout=12)
    cut = remote_reader.finish(timeout=12)
    owner.process.wait(timeout=12)

    final = ended.frames[-1].data
    assert ended.closed_by_server and final["final"] is True
    assert final["reconcile"] == "server_shutdown"
    assert local_reader.arrived[ended.frames[-1].id] - sent_at < 10
    assert_in_order(ended.frames)
    saved = stored_message(store, local["responseMessageId"])
    assert saved is not None and saved.unfinished is True
    assert saved.text == final["responseMessage"]["text"] == "".join(
        f.text for f in ended.frames)
    # A stream owned elsewhere is cut without a terminal frame; its client resumes there.
    assert cut.closed_by_server and not cut.frames[-1].data.get("final")
    last = cut.frames[-1].id
    resumed = read_stream(other.url, alice, remote["streamId"], last_event_id=last,
                          stop=lambda fs: len(fs) >= 3)
    assert [f.id for f in resumed.frames] == [last + 1, last + 2, last + 3]
    assert owner.process.returncode is not None
