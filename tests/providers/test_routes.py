"""Each provider through the real streaming service: frames, stored messages, usage,
transactions and balances, errors, titles and custom endpoint configuration."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from gorunchat.contracts.audit import Actor
from gorunchat.contracts.balance import Balance, Transaction
from gorunchat.contracts.documents import Conversation, Message
from gorunchat.contracts.identity import Principal
from gorunchat.services import titles
from gorunchat.services.caller import Caller
from gorunchat.services.continuation import stored_response_id
from gorunchat.services.keys import put_key
from tests.fixtures.providers import anthropic_wire, gemini_wire, openai_wire
from tests.providers.conftest import START_BALANCE, Stack
from tests.streaming.support import (
    TENANT,
    Account,
    Frame,
    create_account,
    read_stream,
    start_chat,
    stored_message,
)


def chat(stack: Stack, who: Account, **body: Any) -> tuple[dict[str, Any], list[Frame]]:
    started = start_chat(stack.service.url, who, **body)
    assert started.status_code == 200, started.text
    answer = started.json()
    return answer, read_stream(stack.service.url, who, answer["streamId"]).frames


def streamed(frames: list[Frame], event: str = "on_message_delta") -> str:
    parts = [p for f in frames if f.data.get("event") == event
             for p in f.data["data"]["delta"]["content"]]
    return "".join(p.get("text") or p.get("think") or "" for p in parts)


def metadata(message: Message | None) -> dict[str, Any]:
    assert message is not None
    value = getattr(message, "metadata", None)
    assert isinstance(value, dict)
    return value


def balance_of(stack: Stack, who: Account) -> float:
    with stack.store.unit_of_work(TENANT, readonly=True) as uow:
        found = uow.repo(Balance).find_one({"user": who.user_id})
    assert found is not None
    return found.tokenCredits


def transactions(stack: Stack, who: Account) -> list[Transaction]:
    with stack.store.unit_of_work(TENANT, readonly=True) as uow:
        return uow.repo(Transaction).find({"user": who.user_id})


def conversation(stack: Stack, conversation_id: str) -> Conversation:
    with stack.store.unit_of_work(TENANT, readonly=True) as uow:
        found = uow.conversations.get(conversation_id)
    assert found is not None
    return found


def test_responses_round_trip_continues_the_stored_response(stack: Stack) -> None:
    who = create_account(stack.store)
    before = len(stack.openai.to("/v1/responses"))

    first, frames1 = chat(stack, who, endpoint="openAI", model="gpt-4.1", text="First turn")
    second, frames2 = chat(stack, who, endpoint="openAI", model="gpt-4.1", text="Second turn",
                           conversationId=first["conversationId"],
                           parentMessageId=first["responseMessageId"])

    sent = [r.body for r in stack.openai.to("/v1/responses")[before:]
            if r.method == "POST" and r.body.get("instructions") != titles.PROMPT]
    reply1 = stored_message(stack.store, first["responseMessageId"])
    reply2 = stored_message(stack.store, second["responseMessageId"])
    assert frames1[-1].data["final"] is True and frames2[-1].data["final"] is True
    assert streamed(frames2) == "".join(openai_wire.TEXT)
    assert sent[0]["store"] is True and "previous_response_id" not in sent[0]
    assert [i["content"][0]["text"] for i in sent[0]["input"]] == ["First turn"]
    first_id = metadata(reply1)["responseId"]
    assert sent[1]["previous_response_id"] == first_id
    assert sent[1]["input"] == [{"role": "user", "content": [{"type": "input_text",
                                                              "text": "Second turn"}]}]
    for reply in (reply1, reply2):
        assert metadata(reply)["usage"] == {"inputTokens": 20, "outputTokens": 8,
                                            "reasoningTokens": 5, "cacheReadTokens": 8,
                                            "cacheWriteTokens": 0}
    assert metadata(reply2)["responseId"] != first_id


def test_an_edited_reply_falls_back_to_the_full_history(stack: Stack) -> None:
    who = create_account(stack.store)
    first, _ = chat(stack, who, endpoint="openAI", model="gpt-4.1", text="Plan a trip")
    with stack.store.unit_of_work(TENANT) as uow:
        uow.messages.update(first["responseMessageId"], {"text": "An edited answer"})
        uow.commit()
    before = len(stack.openai.to("/v1/responses"))

    chat(stack, who, endpoint="openAI", model="gpt-4.1", text="And then?",
         conversationId=first["conversationId"], parentMessageId=first["responseMessageId"])

    sent = stack.openai.to("/v1/responses")[before:][0].body
    assert "previous_response_id" not in sent
    texts = [i["content"][0]["text"] for i in sent["input"]]
    assert texts == ["Plan a trip", "An edited answer", "And then?"]


def test_a_stored_response_can_be_retrieved_for_a_message(stack: Stack) -> None:
    who = create_account(stack.store)
    answer, _ = chat(stack, who, endpoint="openAI", model="gpt-4.1", text="Keep this")
    reply = stored_message(stack.store, answer["responseMessageId"])
    provider = stack.service.runtime.providers.provider("openAI")
    response_id = stored_response_id(reply)
    assert response_id is not None

    from tests.providers.support import request
    found = asyncio.run(provider.retrieve(response_id, request("gpt-4.1", "x")))  # type: ignore[union-attr]

    assert found["id"] == response_id and found["status"] == "completed"
    assert found["output"][0]["content"][0]["text"] == "".join(openai_wire.TEXT)


def test_anthropic_streams_thinking_and_debits_cache_aware_usage(stack: Stack) -> None:
    who = create_account(stack.store)

    answer, frames = chat(stack, who, endpoint="anthropic", model="claude-sonnet-4-6",
                          text="Think first", promptPrefix="You are terse.", reasoning=True)

    assert streamed(frames, "on_reasoning_delta") == "".join(anthropic_wire.THINKING)
    assert streamed(frames) == "".join(anthropic_wire.TEXT)
    sent = stack.anthropic.to("/v1/messages")[-2].body  # the last request is the title's
    assert sent["system"] == "You are terse." and sent["thinking"]["budget_tokens"] == 4096
    usage = metadata(stored_message(stack.store, answer["responseMessageId"]))["usage"]
    assert usage["cacheReadTokens"] == 50 and usage["cacheWriteTokens"] == 100
    prompt = [t for t in transactions(stack, who) if t.tokenType == "prompt"
              and t.context == "message"
              and getattr(t, "messageId", None) == answer["responseMessageId"]]
    assert len(prompt) == 1
    assert prompt[0].writeTokens == -100 and prompt[0].readTokens == -50
    # claude-sonnet-4: 3 / 15 USD per 1M, cache write 3.75, read 0.3 (25 uncached tokens)
    spent = 25 * 3 + 100 * 3.75 + 50 * 0.3 + 15 * 15
    assert abs(prompt[0].tokenValue + (25 * 3 + 100 * 3.75 + 50 * 0.3)) < 1e-6
    # the title call (same model, same stream) is billed too, with context "title"
    assert abs(START_BALANCE - balance_of(stack, who) - 2 * spent) < 1e-6
    contexts = sorted(t.context or "" for t in transactions(stack, who))
    assert contexts == ["message", "message", "title", "title"]


def test_google_streams_and_a_safety_block_is_a_coded_error(stack: Stack) -> None:
    who = create_account(stack.store)
    ok, frames = chat(stack, who, endpoint="google", model="gemini-2.5-flash", text="Hi",
                      reasoning=True)
    stack.gemini.script("POST", "/v1", gemini_wire.gemini_stream(safety_after=1))

    blocked, failed = chat(stack, who, endpoint="google", model="gemini-2.5-flash",
                           text="Something risky")

    assert streamed(frames) == "".join(gemini_wire.TEXT)
    assert streamed(frames, "on_reasoning_delta") == "".join(gemini_wire.THOUGHTS)
    assert metadata(stored_message(stack.store, ok["responseMessageId"]))["usage"][
        "inputTokens"] == 9
    end = failed[-1].data
    assert end["code"] == "CONTENT_BLOCKED" and "SAFETY" in end["error"]
    saved = stored_message(stack.store, blocked["responseMessageId"])
    assert saved is not None and saved.error is True
    assert saved.text == gemini_wire.TEXT[0]


@pytest.mark.parametrize(("status", "code"), [(401, "PROVIDER_AUTH_FAILED"),
                                              (403, "PROVIDER_FORBIDDEN"),
                                              (429, "PROVIDER_RATE_LIMITED"),
                                              (502, "PROVIDER_UNAVAILABLE")])
def test_provider_errors_end_the_stream_with_a_coded_error(stack: Stack, status: int,
                                                           code: str) -> None:
    who = create_account(stack.store)
    reply = openai_wire.error_body(status, "refused by the test")
    attempts = 3 if status in (429, 502) else 1  # retried before the first token only
    stack.openai.script("POST", "/v1/responses", *[reply] * attempts)
    before = len(stack.openai.to("/v1/responses"))

    answer, frames = chat(stack, who, endpoint="openAI", model="gpt-4o", text="Hi")

    end = frames[-1].data
    assert end["code"] == code and f"HTTP {status}" in end["error"]
    saved = stored_message(stack.store, answer["responseMessageId"])
    assert saved is not None and saved.error is True
    assert not [t for t in transactions(stack, who) if t.tokenType != "credits"]
    assert len(stack.openai.to("/v1/responses")) - before == attempts


def test_custom_endpoint_headers_and_params_reach_the_server(stack: Stack) -> None:
    who = create_account(stack.store)
    before = len(stack.custom.to("/v1/chat/completions"))

    answer, frames = chat(stack, who, endpoint="local", model="local-model",
                          text="Name this chat", temperature=0.3, stop=["END"])

    sent = stack.custom.to("/v1/chat/completions")[before:]
    reply, title = sent[0], sent[1]
    assert reply.header("x-team") == "blue" and reply.header("x-key-hint") == "from-env"
    assert reply.header("authorization") == "Bearer local-secret"
    assert reply.body["safe_prompt"] is True and reply.body["top_k"] == 40
    assert not {"temperature", "user", "stop"} & set(reply.body)
    assert title.body["model"] == "title-model"
    titles = [f.data for f in frames if "title" in f.data]
    assert titles == [{"seq": titles[0]["seq"], "v": 1, "title": "Streams keep order",
                       "conversationId": answer["conversationId"]}]
    assert frames[-1].data["final"] is True
    assert frames[-1].data["conversation"]["title"] == "Streams keep order"
    assert conversation(stack, answer["conversationId"]).title == "Streams keep order"


def _caller(who: Account) -> Caller:
    return Caller(Principal(userId=who.user_id, tenantId=TENANT, role="USER"),
                  Actor(userId=who.user_id, role="USER"))


def test_a_user_provided_key_is_sent_and_a_private_base_url_refused(stack: Stack) -> None:
    who = create_account(stack.store)
    box = stack.service.container.secretbox
    put_key(stack.store, box, _caller(who), "byok", "sk-user-own", None)
    put_key(stack.store, box, _caller(who), "byurl", json.dumps(
        {"apiKey": "sk-user-own", "baseURL": "http://169.254.169.254/v1"}), None)
    before = len(stack.custom.to("/v1/chat/completions"))

    chat(stack, who, endpoint="byok", model="local-model", text="Mine")
    answer, refused = chat(stack, who, endpoint="byurl", model="local-model", text="Mine")

    sent = stack.custom.to("/v1/chat/completions")[before]
    assert sent.header("authorization") == "Bearer sk-user-own"
    assert refused[-1].data["code"] == "URL_NOT_ALLOWED"
    saved = stored_message(stack.store, answer["responseMessageId"])
    assert saved is not None and saved.error is True


def test_a_missing_user_key_is_a_clear_error(stack: Stack) -> None:
    who = create_account(stack.store)

    _, frames = chat(stack, who, endpoint="byok", model="local-model", text="No key")

    assert frames[-1].data["code"] == "NO_USER_KEY"


def test_a_balance_that_cannot_cover_the_prompt_is_refused(stack: Stack) -> None:
    who = create_account(stack.store)
    chat(stack, who, text="Create my balance")  # offline: free, makes the start balance
    with stack.store.unit_of_work(TENANT) as uow:
        balance = uow.repo(Balance).find_one({"user": who.user_id})
        assert balance is not None
        uow.repo(Balance).update(balance.id, {"tokenCredits": 10})
        uow.commit()

    refused = start_chat(stack.service.url, who, endpoint="anthropic",
                         model="claude-opus-4-1", text="x" * 400)

    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "INSUFFICIENT_BALANCE"


def test_the_offline_default_titles_deterministically(stack: Stack) -> None:
    who = create_account(stack.store)

    answer, frames = chat(stack, who, text="explain redis streams to me please, briefly")

    titles = [f.data["title"] for f in frames if "title" in f.data]
    assert titles == ["Explain redis streams to me please, briefly"]
    assert conversation(stack, answer["conversationId"]).title == titles[0]


def test_chat_completions_reasoning_content_streams_as_reasoning(stack: Stack) -> None:
    who = create_account(stack.store)
    stack.custom.script("POST", "/v1/chat/completions", openai_wire.chat_stream(
        reasoning=("Weighing ", "options."), prompt=30, completion=9, cached=10))

    answer, frames = chat(stack, who, endpoint="local", model="local-model", text="Hmm",
                          conversationId=None)

    assert streamed(frames, "on_reasoning_delta") == "Weighing options."
    assert streamed(frames) == "".join(openai_wire.TEXT)
    usage = metadata(stored_message(stack.store, answer["responseMessageId"]))["usage"]
    assert (usage["inputTokens"], usage["outputTokens"], usage["cacheReadTokens"]) == \
        (30, 9, 10)
