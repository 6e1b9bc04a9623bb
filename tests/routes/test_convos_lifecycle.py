"""Archive, pin, delete and gen_title through the mounted ``convos`` function."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.documents import Conversation
from gorunchat.contracts.library import ConversationTag, SharedLink, StoredFile, ToolCall
from gorunchat.domain.ids import new_uuid, object_id
from tests.fixtures.library import BRANCHED, T0, seed
from tests.routes.conftest import UserFactory, mounted, user_factory


def _conversation(container: Container, conversation_id: str, tenant: str = "default"
                  ) -> Conversation | None:
    with container.store.unit_of_work(tenant, readonly=True) as uow:
        return uow.conversations.get(conversation_id)


def _actions(container: Container) -> list[str]:
    return [r.action for r in container.store.audit_log("default").records()]


def test_archive_and_unarchive_keep_updated_at(container: Container, make_user: UserFactory
                                               ) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    client = mounted("convos")

    archived = client.post("/api/convos/archive", json={"arg": {
        "conversationId": seeded.conversation_id, "isArchived": True}}, headers=auth)
    restored = client.post("/api/convos/archive", json={"arg": {
        "conversationId": seeded.conversation_id, "isArchived": False}}, headers=auth)

    assert archived.status_code == 200
    assert archived.json["isArchived"] is True
    assert restored.json["isArchived"] is False
    stored = _conversation(container, seeded.conversation_id)
    assert stored is not None and stored.updatedAt == T0
    assert _actions(container) == ["conversation.archive", "conversation.archive"]
    kinds = [d.kind for d in container.store.audit_log("default").discovery(
        where={"conversationId": seeded.conversation_id})]
    assert kinds == ["conversation.archived", "conversation.unarchived"]


def test_archive_needs_a_boolean(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    response = mounted("convos").post("/api/convos/archive", json={"arg": {
        "conversationId": seeded.conversation_id, "isArchived": "yes"}}, headers=auth)
    assert response.status_code == 422


def test_archive_all_archives_every_visible_conversation(container: Container,
                                                         make_user: UserFactory) -> None:
    user, auth = make_user()
    other, _ = make_user()
    mine = [seed(container, user.id, title=f"c{i}").conversation_id for i in range(3)]
    theirs = seed(container, other.id).conversation_id

    response = mounted("convos").post("/api/convos/archive/all", json={}, headers=auth)

    assert response.status_code == 200
    assert response.json == {"modifiedCount": 3}
    assert all(_conversation(container, c).isArchived for c in mine)  # type: ignore[union-attr]
    assert _conversation(container, theirs).isArchived is False  # type: ignore[union-attr]
    listed = mounted("convos").get("/api/convos", headers=auth).json["conversations"]
    assert listed == []


def test_pin_and_unpin(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    client = mounted("convos")

    pinned = client.post("/api/convos/pin", json={"arg": {
        "conversationId": seeded.conversation_id, "pinned": True}}, headers=auth)
    listed = client.get("/api/convos?pinned=true", headers=auth)
    unpinned = client.post("/api/convos/pin", json={"arg": {
        "conversationId": seeded.conversation_id, "pinned": False}}, headers=auth)

    assert pinned.status_code == 200
    assert pinned.json["isPinned"] is True
    assert [c["conversationId"] for c in listed.json["conversations"]] == [
        seeded.conversation_id]
    assert unpinned.json["isPinned"] is False
    assert client.post("/api/convos/pin", json={"arg": {
        "conversationId": seeded.conversation_id}}, headers=auth).status_code == 422


def _attach(container: Container, user_id: str, conversation_id: str) -> tuple[str, str, str]:
    """A tool call, a share link and a file pointing at the conversation."""
    share_id, file_id, call_id = new_uuid(), new_uuid(), object_id()
    with container.store.unit_of_work("default") as uow:
        uow.repo(ToolCall).insert(ToolCall(id=call_id, conversationId=conversation_id,
                                           user=user_id, toolId="web_search"))
        uow.repo(SharedLink).insert(SharedLink(shareId=share_id, conversationId=conversation_id,
                                               user=user_id))
        uow.repo(StoredFile).insert(StoredFile(
            file_id=file_id, user=user_id, conversationId=conversation_id, bytes=3,
            filename="a.txt", filepath="/x", type="text/plain"))
        uow.repo(ConversationTag).insert(ConversationTag(id=object_id(), tag="travel",
                                                         user=user_id, count=1))
        uow.commit()
    return call_id, share_id, file_id


def test_delete_removes_messages_tool_calls_share_links_and_file_references(
        container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tree=BRANCHED, tags=["travel"])
    call_id, share_id, file_id = _attach(container, user.id, seeded.conversation_id)

    response = mounted("convos").delete("/api/convos", json={"arg": {
        "conversationId": seeded.conversation_id}}, headers=auth)

    assert response.status_code == 201
    assert response.json == {"acknowledged": True, "deletedCount": 1,
                             "messages": {"acknowledged": True, "deletedCount": 7},
                             "conversationIds": [seeded.conversation_id]}
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.conversations.get(seeded.conversation_id) is None
        assert uow.messages.count({"conversationId": seeded.conversation_id}) == 0
        assert uow.repo(ToolCall).get(call_id) is None
        assert uow.repo(SharedLink).get(share_id) is None
        kept_file = uow.repo(StoredFile).get(file_id)
        tag = uow.repo(ConversationTag).find_one({"tag": "travel"})
    assert kept_file is not None and kept_file.conversationId is None
    assert tag is not None and tag.count == 0
    assert _actions(container) == ["conversation.delete"]


def test_the_discovery_journal_keeps_the_deleted_words(container: Container,
                                                       make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tree=BRANCHED, title="Trip")

    mounted("convos").delete("/api/convos", json={"arg": {
        "conversationId": seeded.conversation_id}}, headers=auth)

    journal = container.store.audit_log("default").discovery(
        where={"conversationId": seeded.conversation_id})
    deleted_texts = sorted(d.content["text"] for d in journal if d.kind == "message.deleted")
    assert deleted_texts == sorted(text for _, _, text in BRANCHED)
    assert [d.content["title"] for d in journal if d.kind == "conversation.deleted"] == ["Trip"]


def test_delete_without_parameters_deletes_nothing(container: Container,
                                                   make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    client = mounted("convos")

    empty = client.delete("/api/convos", json={"arg": {}}, headers=auth)
    button = client.delete("/api/convos", json={"arg": {"source": "button"}}, headers=auth)
    assistants = client.delete("/api/convos", json={"arg": {"endpoint": "assistants",
                                                           "thread_id": "t1"}}, headers=auth)

    assert empty.status_code == 400
    assert empty.json["error"]["code"] == "NO_PARAMETERS"
    assert button.status_code == 201 and button.json["deletedCount"] == 0
    assert assistants.status_code == 400
    assert _conversation(container, seeded.conversation_id) is not None


def test_delete_all_removes_only_the_callers_conversations(container: Container,
                                                           make_user: UserFactory) -> None:
    user, auth = make_user()
    other, _ = make_user()
    for i in range(3):
        seed(container, user.id, title=f"mine {i}")
    theirs = seed(container, other.id)

    response = mounted("convos").delete("/api/convos/all", headers=auth)

    assert response.status_code == 201
    assert response.json["deletedCount"] == 3
    assert response.json["messages"]["deletedCount"] == 6
    assert _conversation(container, theirs.conversation_id) is not None
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.messages.count({"user": other.id}) == 2


def test_gen_title_answers_the_stored_title(container: Container, make_user: UserFactory
                                            ) -> None:
    user, auth = make_user()
    titled = seed(container, user.id, title="Packing list for Hokkaidō")
    untitled = seed(container, user.id, title="New Chat")
    client = mounted("convos")

    found = client.get(f"/api/convos/gen_title/{titled.conversation_id}", headers=auth)
    missing = client.get(f"/api/convos/gen_title/{untitled.conversation_id}", headers=auth)

    assert found.status_code == 200
    assert found.json == {"title": "Packing list for Hokkaidō"}
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "TITLE_NOT_FOUND"


ID_ROUTES: list[tuple[str, str, Any]] = [
    ("post", "/api/convos/archive", lambda c: {"arg": {"conversationId": c, "isArchived": True}}),
    ("post", "/api/convos/pin", lambda c: {"arg": {"conversationId": c, "pinned": True}}),
    ("post", "/api/convos/update", lambda c: {"arg": {"conversationId": c, "title": "x"}}),
    ("delete", "/api/convos", lambda c: {"arg": {"conversationId": c}}),
    ("get", "/api/convos/gen_title/{c}", None),
    ("get", "/api/convos/{c}/export", None),
    ("post", "/api/convos/duplicate", lambda c: {"conversationId": c}),
]


@pytest.mark.parametrize(("method", "path", "body"), ID_ROUTES)
@pytest.mark.parametrize("who", ["other user", "other tenant"])
def test_authorization_matrix_answers_404(container: Container, make_user: UserFactory,
                                          method: str, path: str, body: Any, who: str) -> None:
    owner, _ = make_user()
    seeded = seed(container, owner.id, title="Owner's")
    _, auth = make_user() if who == "other user" else user_factory(container)(tenant="acme")
    url = path.format(c=seeded.conversation_id)
    kwargs: dict[str, Any] = {"headers": auth}
    if body is not None:
        kwargs["json"] = body(seeded.conversation_id)

    response = getattr(mounted("convos"), method)(url, **kwargs)

    assert response.status_code == 404
    assert response.json["error"]["code"] == "CONVERSATION_NOT_FOUND"
    stored = _conversation(container, seeded.conversation_id)
    assert stored is not None and stored.title == "Owner's" and stored.isArchived is False


def test_delete_fails_closed_when_the_audit_log_is_down(sqlite_container: Container) -> None:
    container = sqlite_container
    user, auth = user_factory(container)()
    seeded = seed(container, user.id, tree=BRANCHED)
    db = sqlite3.connect(container.settings.sqlite_file)
    db.execute("CREATE TRIGGER audit_down BEFORE INSERT ON auditlogs "
               "BEGIN SELECT RAISE(ABORT, 'audit storage unavailable'); END")
    db.commit()
    db.close()

    response = mounted("convos").delete("/api/convos", json={"arg": {
        "conversationId": seeded.conversation_id}}, headers=auth)

    assert response.status_code == 503
    assert response.json["error"]["code"] == "AUDIT_UNAVAILABLE"
    assert _conversation(container, seeded.conversation_id) is not None
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.messages.count({"conversationId": seeded.conversation_id}) == 7


def test_delete_a_filtered_set(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    other, _ = make_user()
    old_archived = seed(container, user.id, title="old archived", isArchived=True)
    seed(container, user.id, title="archived, tagged", isArchived=True, tags=["keep"],
         at=T0.replace(year=2026))
    kept = seed(container, user.id, title="active")
    theirs = seed(container, other.id, title="their archived", isArchived=True)
    client = mounted("convos")

    response = client.delete("/api/convos", json={"arg": {"filter": {
        "isArchived": True, "updatedBefore": "2025-06-01T00:00:00Z"}}}, headers=auth)
    empty = client.delete("/api/convos", json={"arg": {"filter": {}}}, headers=auth)
    unknown = client.delete("/api/convos", json={"arg": {"filter": {"title": "x"}}},
                            headers=auth)

    assert response.status_code == 201
    assert response.json["conversationIds"] == [old_archived.conversation_id]
    assert (empty.status_code, empty.json["error"]["code"]) == (400, "EMPTY_FILTER")
    assert unknown.status_code == 422
    remaining = {c.title for c in (_conversation(container, s.conversation_id)
                                   for s in (kept, theirs)) if c is not None}
    assert remaining == {"active", "their archived"}
