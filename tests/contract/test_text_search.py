"""The ``TextSearch`` port: one suite for the FTS5 and the MongoDB text index adapters."""

from __future__ import annotations

from gorunchat.bootstrap import build_search
from gorunchat.contracts.documents import Conversation, Message, utcnow
from tests.contract.backends import Backend


def _message(message_id: str, user: str, text: str, tenant: str = "t1",
             content: list[dict[str, object]] | None = None) -> Message:
    return Message(messageId=message_id, conversationId="c1", user=user, text=text,
                   tenantId=tenant, content=content)


def _store(backend: Backend, tenant: str, *messages: Message) -> None:
    with backend.store.unit_of_work(tenant) as uow:
        for message in messages:
            uow.messages.insert(message)
        uow.commit()


def test_every_word_must_match_and_only_the_owners_documents(backend: Backend) -> None:
    _store(backend, "t1",
           _message("m1", "alice", "The blue whale is the largest animal"),
           _message("m2", "alice", "A blue sky over Lisbon"),
           _message("m3", "bob", "The blue whale sings"))
    _store(backend, "t2", _message("m4", "alice", "blue whale in another tenant", "t2"))
    search = build_search(backend.store)

    assert search.search("t1", "messages", "blue whale", user="alice", limit=10) == ["m1"]
    assert sorted(search.search("t1", "messages", "BLUE", user="alice", limit=10)) == [
        "m1", "m2"]
    assert search.search("t1", "messages", "whale", user="bob", limit=10) == ["m3"]
    assert search.search("t2", "messages", "whale", user="alice", limit=10) == ["m4"]
    assert search.search("t1", "messages", "   ", user="alice", limit=10) == []
    # FTS and $text operators in the input are words, never syntax.
    assert search.search("t1", "messages", 'blue" OR "x', user="alice", limit=1) == []


def test_non_ascii_words_and_content_parts_are_found(backend: Backend) -> None:
    _store(backend, "t1",
           _message("m1", "alice", "Встреча в Москве в пятницу"),
           _message("m2", "alice", "", content=[
               {"type": "think", "think": "private reasoning"},
               {"type": "text", "text": "Die Straße ist gesperrt"}]))
    search = build_search(backend.store)

    assert search.search("t1", "messages", "Москве", user="alice", limit=10) == ["m1"]
    assert search.search("t1", "messages", "Straße", user="alice", limit=10) == ["m2"]
    assert search.search("t1", "messages", "reasoning", user="alice", limit=10) == []


def test_the_index_follows_updates_and_deletes(backend: Backend) -> None:
    _store(backend, "t1", _message("m1", "alice", "first draft about tulips"))
    with backend.store.unit_of_work("t1") as uow:
        uow.conversations.insert(Conversation(conversationId="c1", user="alice",
                                              title="Gardening notes", tenantId="t1"))
        uow.commit()
    search = build_search(backend.store)
    assert search.search("t1", "conversations", "gardening", user="alice", limit=5) == ["c1"]

    with backend.store.unit_of_work("t1") as uow:
        uow.messages.update("m1", {"text": "second draft about roses"})
        uow.conversations.update("c1", {"title": "Cooking notes"})
        uow.commit()
    assert search.search("t1", "messages", "tulips", user="alice", limit=5) == []
    assert search.search("t1", "messages", "roses", user="alice", limit=5) == ["m1"]
    assert search.search("t1", "conversations", "cooking", user="alice", limit=5) == ["c1"]

    with backend.store.unit_of_work("t1") as uow:
        uow.messages.delete("m1")
        uow.commit()
    assert search.search("t1", "messages", "roses", user="alice", limit=5) == []


def test_a_rolled_back_write_is_not_indexed(backend: Backend) -> None:
    with backend.store.unit_of_work("t1") as uow:
        uow.messages.insert(_message("m1", "alice", "never committed marmalade"))
    search = build_search(backend.store)
    assert search.search("t1", "messages", "marmalade", user="alice", limit=5) == []


def test_documents_hidden_under_a_legal_hold_are_left_out(backend: Backend) -> None:
    _store(backend, "t1", _message("m1", "alice", "quarterly numbers draft"),
           _message("m2", "alice", "quarterly numbers final"))
    with backend.store.unit_of_work("t1") as uow:
        uow.messages.update("m1", {"hiddenAt": utcnow(), "hiddenBy": "alice"})
        uow.commit()
    search = build_search(backend.store)

    # The hidden one takes no place within the limit from the visible one.
    assert search.search("t1", "messages", "quarterly", user="alice", limit=1) == ["m2"]
    assert search.search("t1", "messages", "draft", user="alice", limit=5) == []
