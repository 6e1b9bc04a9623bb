"""Commit writes everything a unit changed; anything else writes nothing."""

from __future__ import annotations

import pytest

from gorunchat.contracts.audit import AuditEvent, DiscoveryEvent
from gorunchat.contracts.documents import Conversation
from gorunchat.ports.store import Store
from tests.contract.backends import Backend
from tests.contract.helpers import TENANT, conversation, message, seed


class Boom(Exception):
    pass


def _state(store: Store) -> tuple[list[tuple[str, str | None]], list[str], int, int]:
    with store.unit_of_work(TENANT) as uow:
        convos = sorted((c.conversationId, c.title) for c in uow.conversations.find({}))
        messages = sorted(m.messageId for m in uow.messages.find({}))
    log = store.audit_log(TENANT)
    return convos, messages, len(log.records()), len(log.discovery())


def test_commit_writes_every_change(backend: Backend) -> None:
    seed(backend.store, TENANT, [conversation("c0", title="before"), message("m0")])
    with backend.store.unit_of_work(TENANT) as uow:
        uow.conversations.insert(conversation("c1", title="new"))
        uow.conversations.update("c0", {"title": "after"})
        uow.messages.delete("m0")
        uow.record(AuditEvent(action="conversation.create", targetId="c1"))
        uow.journal(DiscoveryEvent(kind="conversation.created", conversationId="c1"))
        records = uow.commit()

    assert [r.seq for r in records] == [1]
    assert _state(backend.store) == ([("c0", "after"), ("c1", "new")], [], 1, 1)


def test_an_exception_inside_the_unit_rolls_everything_back(backend: Backend) -> None:
    seed(backend.store, TENANT, [conversation("c0", title="before"), message("m0")])
    with pytest.raises(Boom), backend.store.unit_of_work(TENANT) as uow:
        uow.conversations.insert(conversation("c1", title="new"))
        uow.conversations.update("c0", {"title": "after"})
        uow.messages.delete("m0")
        uow.record(AuditEvent(action="conversation.create", targetId="c1"))
        uow.journal(DiscoveryEvent(kind="conversation.created", conversationId="c1"))
        raise Boom()

    assert _state(backend.store) == ([("c0", "before")], ["m0"], 0, 0)


def test_leaving_without_commit_or_with_rollback_writes_nothing(backend: Backend) -> None:
    seed(backend.store, TENANT, [conversation("c0", title="before")])
    with backend.store.unit_of_work(TENANT) as uow:
        uow.conversations.insert(conversation("c1"))
        uow.record(AuditEvent(action="conversation.create"))
    with backend.store.unit_of_work(TENANT) as uow:
        uow.conversations.update("c0", {"title": "after"})
        uow.rollback()

    assert _state(backend.store) == ([("c0", "before")], [], 0, 0)


def test_a_unit_can_commit_again_after_a_commit(backend: Backend) -> None:
    with backend.store.unit_of_work(TENANT) as uow:
        uow.conversations.insert(conversation("c1"))
        uow.record(AuditEvent(action="one"))
        first = uow.commit()
    with backend.store.unit_of_work(TENANT) as uow:
        uow.conversations.insert(conversation("c2"))
        uow.record(AuditEvent(action="two"))
        second = uow.commit()

    assert [(r.seq, r.action) for r in first + second] == [(1, "one"), (2, "two")]
    assert _state(backend.store)[0] == [("c1", "New Chat"), ("c2", "New Chat")]


def test_an_empty_commit_writes_no_records(backend: Backend) -> None:
    with backend.store.unit_of_work(TENANT) as uow:
        assert uow.commit() == []
    assert _state(backend.store) == ([], [], 0, 0)


def test_writes_to_one_key_compose_within_a_unit(backend: Backend) -> None:
    seed(backend.store, TENANT, [conversation("c0", title="committed")])
    with backend.store.unit_of_work(TENANT) as uow:
        uow.conversations.insert(conversation("c1", title="draft"))
        updated = uow.conversations.update("c1", {"title": "named"})
        uow.conversations.insert(conversation("c2"))
        removed = uow.conversations.delete("c2")
        removed_again = uow.conversations.delete("c2")
        uow.conversations.delete("c0")
        uow.conversations.insert(conversation("c0", title="recreated"))
        gone = uow.conversations.update("c9", {"title": "never"})
        uow.messages.insert(message("m1"))
        uow.messages.update_many({"conversationId": "c1"}, {"text": "edited"})
        uow.commit()

    assert updated is not None
    assert updated.title == "named"
    assert (removed, removed_again, gone) == (True, False, None)
    with backend.store.unit_of_work(TENANT) as uow:
        convos = sorted((c.conversationId, c.title) for c in uow.conversations.find({}))
        texts = [m.text for m in uow.messages.find({})]
    assert convos == [("c0", "recreated"), ("c1", "named")]
    assert texts == ["edited"]


def test_repo_reaches_a_collection_by_its_document_class(backend: Backend) -> None:
    with backend.store.unit_of_work(TENANT) as uow:
        uow.repo(Conversation).insert(conversation("c1", title="via repo()"))
        uow.commit()
    with backend.store.unit_of_work(TENANT) as uow:
        found = uow.conversations.get("c1")
    assert found is not None
    assert found.title == "via repo()"
