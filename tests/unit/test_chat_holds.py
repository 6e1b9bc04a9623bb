"""Chat never continues, or feeds the model, data hidden under a legal hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from gorunchat.adapters.sqlite.store import SqliteStore
from gorunchat.contracts.audit import Actor
from gorunchat.contracts.documents import Conversation, Message, utcnow
from gorunchat.contracts.errors import NotFound
from gorunchat.contracts.identity import Principal
from gorunchat.services import chat
from gorunchat.services.caller import Caller

CALLER = Caller(Principal(userId="u1", tenantId="default"), Actor(userId="u1"))


def _store(tmp_path: Path, *, hide_conversation: bool, hide_message: bool) -> SqliteStore:
    store = SqliteStore(tmp_path / "db.sqlite3")
    hidden = {"hiddenAt": utcnow(), "hiddenBy": "u1"}
    with store.unit_of_work("default") as uow:
        uow.conversations.insert(Conversation.model_validate({
            "conversationId": "c1", "user": "u1",
            **(hidden if hide_conversation else {})}))
        uow.messages.insert(Message(messageId="m1", conversationId="c1", user="u1",
                                    text="kept question", isCreatedByUser=True))
        uow.messages.insert(Message.model_validate({
            "messageId": "m2", "conversationId": "c1", "user": "u1",
            "parentMessageId": "m1", "text": "secret answer",
            **(hidden if hide_message else {})}))
        uow.commit()
    return store


def test_a_hidden_conversation_cannot_be_continued(tmp_path: Path) -> None:
    store = _store(tmp_path, hide_conversation=True, hide_message=False)
    with pytest.raises(NotFound):
        chat.prepare(store, CALLER, "c1")
    with pytest.raises(NotFound):
        chat.record_start(store, CALLER, Message(messageId="m3", conversationId="c1",
                                                 user="u1", parentMessageId="m2",
                                                 text="more", isCreatedByUser=True))


def test_hidden_messages_never_reach_the_model(tmp_path: Path) -> None:
    store = _store(tmp_path, hide_conversation=False, hide_message=True)
    started = chat.record_start(store, CALLER, Message(
        messageId="m3", conversationId="c1", user="u1", parentMessageId="m2",
        text="follow-up", isCreatedByUser=True))
    assert [m.text for m in started.history] == ["follow-up"]
