"""Job rules across the bus: abort, replacement, the per-user limit, Redis outages."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx

from gorunchat.adapters.local.redis_server import RedisServer
from gorunchat.adapters.sqlite.store import SqliteStore
from tests.streaming.conftest import Launch
from tests.streaming.support import (
    Account,
    assert_in_order,
    read_stream,
    start_chat,
    stored_message,
)

SLOW = {"maxTokens": 2000, "tokensPerSecond": 40}


def _abort(base: str, who: Account, **target: str) -> httpx.Response:
    return httpx.post(f"{base}/api/agents/chat/abort", json=target, headers=who.headers,
                      timeout=15)


def test_abort_reaches_the_owner_through_redis_and_saves_the_partial(
        launch: Launch, account: Callable[[], Account], store: SqliteStore) -> None:
    owner, other = launch(), launch()
    alice = account()
    body = start_chat(owner.url, alice, **SLOW).json()
    read_stream(owner.url, alice, body["streamId"], stop=lambda fs: len(fs) >= 6)

    answer = _abort(other.url, alice, conversationId=body["conversationId"])
    read = read_stream(owner.url, alice, body["streamId"])

    assert answer.status_code == 200
    assert answer.json() == {"success": True, "aborted": body["streamId"], "status": "aborted"}
    assert_in_order(read.frames)
    final = read.frames[-1].data
    assert final["final"] is True and final["aborted"] is True
    assert final["terminalStatus"] == "aborted"
    streamed = "".join(f.text for f in read.frames)
    assert final["responseMessage"]["unfinished"] is True
    assert final["responseMessage"]["text"] == streamed
    saved = stored_message(store, body["responseMessageId"])
    assert saved is not None and saved.unfinished is True and saved.text == streamed
    assert 0 < len(streamed.split()) < 2000


def test_a_new_generation_on_the_conversation_replaces_the_running_one(
        launch: Launch, account: Callable[[], Account], store: SqliteStore) -> None:
    first_instance, second_instance = launch(), launch()
    alice = account()
    first = start_chat(first_instance.url, alice, **SLOW).json()
    read_stream(first_instance.url, alice, first["streamId"], stop=lambda fs: len(fs) >= 4)

    second = start_chat(second_instance.url, alice, conversationId=first["conversationId"],
                        maxTokens=10, tokensPerSecond=0).json()
    old = read_stream(first_instance.url, alice, first["streamId"])
    new = read_stream(second_instance.url, alice, second["streamId"])

    assert second["status"] == "started" and second["streamId"] != first["streamId"]
    assert second["conversationId"] == first["conversationId"]
    ending = old.frames[-1].data
    assert ending["final"] is True and ending["reconcile"] == "generation_replaced"
    assert ending["responseMessage"]["unfinished"] is True
    assert new.frames[-1].data["final"] is True
    assert new.frames[-1].data["terminalStatus"] == "complete"
    replaced = stored_message(store, first["responseMessageId"])
    assert replaced is not None and replaced.unfinished is True


def test_the_per_user_limit_answers_429_until_a_generation_ends(
        launch: Launch, account: Callable[[], Account]) -> None:
    service = launch(CONCURRENT_MESSAGE_MAX="2")
    alice, bob = account(), account()
    one = start_chat(service.url, alice, **SLOW).json()
    two = start_chat(service.url, alice, **SLOW).json()

    third = start_chat(service.url, alice, **SLOW)
    someone_else = start_chat(service.url, bob, maxTokens=3, tokensPerSecond=0)

    assert third.status_code == 429
    assert third.json()["error"]["code"] == "CONCURRENT_GENERATIONS"
    assert third.headers["retry-after"] == "5"
    assert someone_else.status_code == 200
    _abort(service.url, alice, streamId=one["streamId"])
    fourth = start_chat(service.url, alice, maxTokens=3, tokensPerSecond=0)
    assert fourth.status_code == 200 and fourth.json()["status"] == "started"
    _abort(service.url, alice, streamId=two["streamId"])


def test_starts_answer_503_when_redis_is_unreachable(
        launch: Launch, account: Callable[[], Account], tmp_path: Path) -> None:
    own_redis = RedisServer(tmp_path / "own-redis").start()
    service = launch(redis=own_redis.url)
    alice = account()
    own_redis.stop()

    answer = start_chat(service.url, alice)
    ready = httpx.get(service.url + "/readyz")
    alive = httpx.get(service.url + "/livez")

    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "STREAM_BUS_UNAVAILABLE"
    assert ready.status_code == 503 and ready.json()["error"]["code"] == "NOT_READY"
    assert alive.status_code == 200
