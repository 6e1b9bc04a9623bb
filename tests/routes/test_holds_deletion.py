"""A user's deletion under legal hold: the usual answer, gone from every read the user has,
kept in the store for admins and eDiscovery, and removed by retention once released."""

from __future__ import annotations

import json
from pathlib import Path

from gorunchat.bootstrap import Container
from gorunchat.contracts.library import ConversationTag, SharedLink, StoredFile, ToolCall
from gorunchat.domain.ids import object_id
from gorunchat.services import holds
from tests.fixtures.holds import (
    attach,
    audit_metadata,
    place_hold,
    release_hold,
    run_retention,
    stored_conversation,
    stored_messages,
)
from tests.fixtures.library import seed
from tests.fixtures.spine import dispatcher
from tests.routes.conftest import UserFactory, mounted

SECRET_TREE = [("u1", None, "Forecast for the Zanzibar office"),
               ("a1", "u1", "Zanzibar revenue is up")]


def _delete(auth: dict[str, str], conversation_id: str):  # type: ignore[no-untyped-def]
    return mounted("convos").delete("/api/convos", json={"arg": {
        "conversationId": conversation_id}}, headers=auth)


def _tag(container: Container, user_id: str, name: str, count: int) -> None:
    with container.store.unit_of_work("default") as uow:
        uow.repo(ConversationTag).insert(ConversationTag(id=object_id(), tag=name,
                                                         user=user_id, count=count))
        uow.commit()


def test_a_custodian_deleting_a_conversation_gets_the_usual_answer_and_sees_it_gone(
        container: Container, make_user: UserFactory) -> None:
    _, boss = make_user(role="ADMIN")
    user, auth = make_user()
    secret = seed(container, user.id, title="Quarterly numbers", tree=SECRET_TREE,
                  tags=["finance"])
    seed(container, user.id, title="Lunch")
    _tag(container, user.id, "finance", 1)
    call_id, share_id, file_id = attach(container, user.id, secret.conversation_id)
    hold_id = place_hold(boss, scope="users", custodians=[user.id])
    cid = secret.conversation_id

    deleted = _delete(auth, cid)

    assert deleted.status_code == 201
    assert deleted.json == {"acknowledged": True, "deletedCount": 1,
                            "messages": {"acknowledged": True, "deletedCount": 2},
                            "conversationIds": [cid]}
    convos, messages = mounted("convos"), mounted("messages")
    listed = convos.get("/api/convos", headers=auth).json["conversations"]
    assert [c["title"] for c in listed] == ["Lunch"]
    assert convos.get(f"/api/convos/{cid}", headers=auth).status_code == 404
    assert messages.get(f"/api/messages/{cid}", headers=auth).status_code == 404
    assert messages.get(f"/api/messages/{cid}/{secret.ids['a1']}",
                        headers=auth).status_code == 404
    assert convos.get("/api/convos?search=Zanzibar", headers=auth).json["conversations"] == []
    assert messages.get("/api/messages?search=Zanzibar", headers=auth).json["messages"] == []
    assert convos.get(f"/api/convos/{cid}/export", headers=auth).status_code == 404
    assert convos.post("/api/convos/duplicate", json={"conversationId": cid},
                       headers=auth).status_code == 404
    tags = mounted("tags").get("/api/tags", headers=auth).json
    assert [(t["tag"], t["count"]) for t in tags] == [("finance", 0)]
    assert _delete(auth, cid).status_code == 404  # as if it were gone

    kept = stored_conversation(container, cid)
    assert kept is not None and holds.is_hidden(kept)
    assert sorted(m.text for m in stored_messages(container, cid)) == sorted(
        t for _, _, t in SECRET_TREE)
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(ToolCall).get(call_id) is not None
        assert uow.repo(SharedLink).get(share_id) is None  # a share link publishes it
        kept_file = uow.repo(StoredFile).get(file_id)
    assert kept_file is not None and kept_file.conversationId == cid
    assert audit_metadata(container, "conversation.delete") == {
        "messages": 2, "disposition": "hidden", "holds": [hold_id],
        "hiddenConversations": [cid]}
    journal = container.store.audit_log("default").discovery(where={"conversationId": cid})
    assert sorted(d.content["text"] for d in journal if d.kind == "message.deleted") == sorted(
        t for _, _, t in SECRET_TREE)
    assert [d.content["disposition"] for d in journal if d.kind == "conversation.deleted"] \
        == ["hidden"]


def test_an_export_still_holds_what_a_custodian_deleted(
        container: Container, make_user: UserFactory, tmp_path: Path) -> None:
    _, boss = make_user(role="ADMIN")
    user, auth = make_user()
    secret = seed(container, user.id, tree=SECRET_TREE)
    place_hold(boss, scope="users", custodians=[user.id])
    _delete(auth, secret.conversation_id)
    queue = dispatcher(container, tmp_path / "tasks.sqlite3")

    created = mounted("admin").post("/api/admin/exports", headers=boss, json={
        "custodians": [user.id], "since": "2025-01-01T00:00:00Z",
        "until": "2026-01-01T00:00:00Z", "include": ["messages"]})
    queue.deliver_one("exports")
    bundle = mounted("admin").get(
        f"/api/admin/exports/{created.json['id']}/download?file=messages.jsonl", headers=boss)

    lines = [json.loads(line) for line in bundle.data.decode().splitlines()]
    assert sorted(m["text"] for m in lines) == sorted(t for _, _, t in SECRET_TREE)
    assert all(m["hiddenAt"] is not None for m in lines)


def test_retention_removes_a_hidden_conversation_only_once_the_hold_is_released(
        container: Container, make_user: UserFactory) -> None:
    _, boss = make_user(role="SUPER_ADMIN")
    user, auth = make_user()
    secret = seed(container, user.id, tree=SECRET_TREE)
    call_id, _, file_id = attach(container, user.id, secret.conversation_id)
    hold_id = place_hold(boss, scope="conversations", conversationIds=[secret.conversation_id])
    _delete(auth, secret.conversation_id)

    while_held = run_retention()
    kept = stored_conversation(container, secret.conversation_id)
    release_hold(boss, hold_id)
    released = run_retention()

    assert while_held["conversationsRemoved"] == 0 and kept is not None
    assert (released["conversationsRemoved"], released["messagesRemoved"]) == (1, 2)
    assert stored_conversation(container, secret.conversation_id) is None
    assert stored_messages(container, secret.conversation_id) == []
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(ToolCall).get(call_id) is None  # the one cascade
        left = uow.repo(StoredFile).get(file_id)
    assert left is not None and left.conversationId is None


def test_a_message_deleted_under_hold_is_hidden_and_goes_after_release(
        container: Container, make_user: UserFactory) -> None:
    _, boss = make_user(role="SUPER_ADMIN")
    user, auth = make_user()
    secret = seed(container, user.id, tree=SECRET_TREE)
    cid, a1 = secret.conversation_id, secret.ids["a1"]
    hold_id = place_hold(boss, scope="conversations", conversationIds=[cid])
    client = mounted("messages")

    deleted = client.delete(f"/api/messages/{cid}/{a1}", headers=auth)

    assert deleted.status_code == 204
    assert [m["messageId"] for m in client.get(f"/api/messages/{cid}", headers=auth).json] \
        == [secret.ids["u1"]]
    assert client.get(f"/api/messages/{cid}/{a1}", headers=auth).status_code == 404
    assert client.get(f"/api/messages?conversationId={cid}&messageId={a1}",
                      headers=auth).json["messages"] == []
    paged = client.get(f"/api/messages?conversationId={cid}", headers=auth).json
    assert [m["messageId"] for m in paged["messages"]] == [secret.ids["u1"]]
    assert [m["text"] for m in client.get("/api/messages?search=revenue",
                                          headers=auth).json["messages"]] == []
    assert client.delete(f"/api/messages/{cid}/{a1}", headers=auth).status_code == 404
    resaved = client.post(f"/api/messages/{cid}", json={"messageId": a1, "text": "over it"},
                          headers=auth)
    assert resaved.status_code == 409  # saving over held evidence would destroy it
    hidden = [m for m in stored_messages(container, cid) if holds.is_hidden(m)]
    assert [m.text for m in hidden] == ["Zanzibar revenue is up"]
    assert audit_metadata(container, "message.delete")["holds"] == [hold_id]

    release_hold(boss, hold_id)
    released = run_retention()

    assert released["messagesRemoved"] == 1
    assert [m.messageId for m in stored_messages(container, cid)] == [secret.ids["u1"]]


def test_without_a_hold_deleting_deletes(container: Container, make_user: UserFactory
                                        ) -> None:
    _, boss = make_user(role="ADMIN")
    user, auth = make_user()
    bystander, _ = make_user()
    place_hold(boss, scope="users", custodians=[bystander.id])
    convo = seed(container, user.id, tree=SECRET_TREE)
    message = seed(container, user.id)

    gone = _delete(auth, convo.conversation_id)
    one = mounted("messages").delete(f"/api/messages/{message.conversation_id}/"
                                     f"{message.ids['a1']}", headers=auth)

    assert (gone.status_code, one.status_code) == (201, 204)
    assert stored_conversation(container, convo.conversation_id) is None
    assert stored_messages(container, convo.conversation_id) == []
    assert [m.messageId for m in stored_messages(container, message.conversation_id)] == [
        message.ids["u1"]]
    assert "disposition" not in audit_metadata(container, "conversation.delete")


def test_delete_all_hides_the_held_conversation_and_deletes_the_rest(
        container: Container, make_user: UserFactory) -> None:
    _, boss = make_user(role="ADMIN")
    user, auth = make_user()
    held = seed(container, user.id, title="Held", tree=SECRET_TREE)
    free = seed(container, user.id, title="Free")
    held_call, _, _ = attach(container, user.id, held.conversation_id)
    free_call, _, _ = attach(container, user.id, free.conversation_id)
    hold_id = place_hold(boss, scope="conversations", conversationIds=[held.conversation_id])

    response = mounted("convos").delete("/api/convos/all", headers=auth)

    assert response.status_code == 201
    assert (response.json["deletedCount"], response.json["messages"]["deletedCount"]) == (2, 4)
    assert mounted("convos").get("/api/convos", headers=auth).json["conversations"] == []
    kept = stored_conversation(container, held.conversation_id)
    assert kept is not None and holds.is_hidden(kept)
    assert stored_conversation(container, free.conversation_id) is None
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(ToolCall).get(held_call) is not None
        assert uow.repo(ToolCall).get(free_call) is None
        assert uow.repo(SharedLink).count({"user": user.id}) == 0
    metadata = audit_metadata(container, "conversation.delete_all")
    assert (metadata["disposition"], metadata["holds"], metadata["hiddenConversations"]) == (
        "partly_hidden", [hold_id], [held.conversation_id])
