"""The chat routes on a real streaming-service process: start, stream, status, active, auth."""

from __future__ import annotations

import httpx
import pytest

from gorunchat.adapters.sqlite.store import SqliteStore
from tests.streaming.support import (
    TENANT,
    ServiceProcess,
    assert_in_order,
    conversation_messages,
    create_account,
    read_stream,
    start_chat,
    stored_message,
)

Shared = tuple[ServiceProcess, SqliteStore]


def test_a_generation_streams_ordered_frames_from_created_to_final(shared_service: Shared
                                                                   ) -> None:
    service, store = shared_service
    alice = create_account(store)

    started = start_chat(service.url, alice, text="Hello streams", maxTokens=30,
                         tokensPerSecond=400, reasoning=True)

    assert started.status_code == 200
    body = started.json()
    assert body["status"] == "started"
    assert set(body) == {"streamId", "conversationId", "generationCreatedAt", "status",
                         "messageId", "responseMessageId"}
    read = read_stream(service.url, alice, body["streamId"])
    assert read.status == 200
    assert read.headers["content-type"].startswith("text/event-stream")
    assert read.headers["cache-control"] == "no-cache"
    assert read.headers["x-accel-buffering"] == "no"
    assert read.closed_by_server
    frames = read.frames
    assert_in_order(frames)
    assert frames[0].data["created"] is True
    assert frames[0].data["message"]["text"] == "Hello streams"
    assert frames[0].data["streamId"] == body["streamId"]
    events = [f.data.get("event") for f in frames[1:-1]]
    assert events[0] == "on_run_step"
    assert "on_reasoning_delta" in events and "on_message_delta" in events
    final = frames[-1].data
    assert final["final"] is True and final["terminalStatus"] == "complete"
    streamed = "".join(f.text for f in frames)
    assert final["responseMessage"]["text"] == streamed
    assert len(streamed.split()) == 30
    assert final["requestMessage"]["messageId"] == body["messageId"]
    assert final["conversation"]["conversationId"] == body["conversationId"]
    assert final["usage"]["outputTokens"] == 30


def test_the_final_message_usage_and_records_are_stored(shared_service: Shared) -> None:
    service, store = shared_service
    alice = create_account(store)

    body = start_chat(service.url, alice, maxTokens=12, tokensPerSecond=0).json()
    frames = read_stream(service.url, alice, body["streamId"]).frames

    response = stored_message(store, body["responseMessageId"])
    assert response is not None
    assert response.unfinished is False and response.error is False
    assert response.text == frames[-1].data["responseMessage"]["text"]
    assert response.tokenCount == 12
    assert response.parentMessageId == body["messageId"]
    messages = conversation_messages(store, body["conversationId"])
    assert sorted(m.isCreatedByUser for m in messages) == [False, True]
    log = store.audit_log(TENANT)
    records = log.records(where={"actorUserId": alice.user_id})
    assert sorted(r.action for r in records) == ["conversation.create", "message.create",
                                                 "message.create"]
    created = {r.targetId for r in records if r.action == "message.create"}
    assert created == {body["messageId"], body["responseMessageId"]}
    kinds = [d.kind for d in log.discovery(where={"conversationId": body["conversationId"]})]
    assert kinds.count("message.created") == 2 and "conversation.created" in kinds


def test_a_repeated_client_request_id_attaches_to_the_same_stream(shared_service: Shared
                                                                 ) -> None:
    service, store = shared_service
    alice = create_account(store)

    first = start_chat(service.url, alice, clientRequestId="req-42", tokensPerSecond=100)
    again = start_chat(service.url, alice, clientRequestId="req-42", tokensPerSecond=100)

    assert first.json()["status"] == "started"
    assert again.json()["status"] == "resumed"
    assert again.json()["streamId"] == first.json()["streamId"]
    assert again.json()["generationCreatedAt"] == first.json()["generationCreatedAt"]
    read_stream(service.url, alice, first.json()["streamId"])
    users = [m for m in conversation_messages(store, first.json()["conversationId"])
             if m.isCreatedByUser]
    assert len(users) == 1


def test_heartbeats_keep_a_quiet_stream_alive(shared_service: Shared) -> None:
    service, store = shared_service
    alice = create_account(store)
    body = start_chat(service.url, alice, maxTokens=3, tokensPerSecond=2).json()

    read = read_stream(service.url, alice, body["streamId"])

    assert read.comments >= 1  # heartbeat every 500 ms in these tests; 1.5 s of tokens
    assert read.frames[-1].data["final"] is True


def test_active_and_status_describe_a_running_generation(shared_service: Shared) -> None:
    service, store = shared_service
    alice = create_account(store)
    body = start_chat(service.url, alice, maxTokens=400, tokensPerSecond=50).json()
    read_stream(service.url, alice, body["streamId"], stop=lambda fs: len(fs) >= 5)

    active = httpx.get(f"{service.url}/api/agents/chat/active", headers=alice.headers).json()
    status = httpx.get(f"{service.url}/api/agents/chat/status/{body['conversationId']}",
                       headers=alice.headers).json()

    assert active["activeJobIds"] == [body["streamId"]]
    assert active["generations"][0]["conversationId"] == body["conversationId"]
    assert status["active"] is True and status["streamId"] == body["streamId"]
    assert status["status"] == "running"
    assert status["aggregatedContent"][0]["type"] == "text"
    assert status["aggregatedContent"][0]["text"]
    assert status["resumeState"]["responseMessageId"] == body["responseMessageId"]
    httpx.post(f"{service.url}/api/agents/chat/abort", json={"streamId": body["streamId"]},
               headers=alice.headers, timeout=10)
    after = httpx.get(f"{service.url}/api/agents/chat/active", headers=alice.headers).json()
    assert after["activeJobIds"] == []


def test_a_stream_can_be_addressed_by_its_conversation_id(shared_service: Shared) -> None:
    service, store = shared_service
    alice = create_account(store)
    body = start_chat(service.url, alice, maxTokens=5, tokensPerSecond=0).json()

    read = read_stream(service.url, alice, body["conversationId"])

    assert read.status == 200 and read.frames[-1].data["final"] is True


def test_another_users_stream_is_not_found(shared_service: Shared) -> None:
    service, store = shared_service
    alice, bob = create_account(store), create_account(store)
    body = start_chat(service.url, alice, maxTokens=200, tokensPerSecond=50).json()

    as_bob = read_stream(service.url, bob, body["streamId"])
    by_conversation = read_stream(service.url, bob, body["conversationId"])
    abort = httpx.post(f"{service.url}/api/agents/chat/abort",
                       json={"streamId": body["streamId"]}, headers=bob.headers)
    status = httpx.get(f"{service.url}/api/agents/chat/status/{body['conversationId']}",
                       headers=bob.headers)
    foreign_start = start_chat(service.url, bob, conversationId=body["conversationId"])

    assert as_bob.status == 404 and by_conversation.status == 404
    assert '"STREAM_NOT_FOUND"' in as_bob.headers["body"]
    assert abort.status_code == 404
    assert status.json() == {"active": False, "aggregatedContent": []}
    assert foreign_start.status_code == 404
    assert foreign_start.json()["error"]["code"] == "CONVERSATION_NOT_FOUND"
    httpx.post(f"{service.url}/api/agents/chat/abort", json={"streamId": body["streamId"]},
               headers=alice.headers, timeout=10)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer not-a-token"},
                                     {"Authorization": "Basic abc"}])
def test_requests_without_a_valid_token_are_401(shared_service: Shared,
                                                headers: dict[str, str]) -> None:
    service, _ = shared_service

    for method, path in [("POST", "/api/agents/chat"), ("GET", "/api/agents/chat/active"),
                         ("GET", "/api/agents/chat/stream/abc"),
                         ("POST", "/api/agents/chat/abort")]:
        answer = httpx.request(method, service.url + path, headers=headers, json={"text": "x"})
        assert answer.status_code == 401, path
        error = answer.json()["error"]
        assert error["code"] in ("UNAUTHORIZED", "TOKEN_INVALID")
        assert error["requestId"] == answer.headers["x-request-id"]


def test_bad_bodies_are_rejected_with_the_envelope(shared_service: Shared) -> None:
    service, store = shared_service
    alice = create_account(store)
    url = f"{service.url}/api/agents/chat"

    empty = httpx.post(url, json={"text": "   "}, headers=alice.headers)
    not_json = httpx.post(url, content=b"text=hi", headers={
        **alice.headers, "content-type": "application/x-www-form-urlencoded"})
    broken = httpx.post(url, content=b"{", headers={**alice.headers,
                                                    "content-type": "application/json"})
    unknown = start_chat(service.url, alice, endpoint="nope")
    cursor = httpx.get(f"{service.url}/api/agents/chat/stream/abc",
                       headers={**alice.headers, "Last-Event-ID": "x"})

    assert (empty.status_code, empty.json()["error"]["code"]) == (422, "VALIDATION_FAILED")
    assert not_json.status_code == 415
    assert (broken.status_code, broken.json()["error"]["code"]) == (400, "INVALID_JSON")
    assert unknown.json()["error"]["code"] == "ENDPOINT_NOT_CONFIGURED"
    assert cursor.status_code == 400


def test_livez_and_readyz(shared_service: Shared) -> None:
    service, _ = shared_service

    assert httpx.get(service.url + "/livez").json() == {"status": "ok", "checks": {}}
    assert httpx.get(service.url + "/readyz").json()["checks"] == {"bus": "ok", "store": "ok"}
