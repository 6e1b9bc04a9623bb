"""Account and file deletion under legal hold: the user's own deletion hides what a hold
covers and answers as usual; without a hold it erases what LibreChat erases; an admin's
deletion is refused while anything of the user is held."""

from __future__ import annotations

from pathlib import Path

from gorunchat.bootstrap import Container
from gorunchat.contracts.balance import Balance
from gorunchat.contracts.documents import User
from gorunchat.contracts.keys import UserKey
from gorunchat.contracts.library import ConversationTag, StoredFile, ToolCall
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
from tests.routes.conftest import UserFactory, mounted
from tests.routes.test_files import upload


def _user(container: Container, user_id: str) -> User | None:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return uow.users.get(user_id)


def _file(container: Container, file_id: str) -> StoredFile | None:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return uow.repo(StoredFile).get(file_id)


def _blob(container: Container, stored: StoredFile) -> Path:
    assert stored.storageKey is not None
    return Path(container.settings.data_dir) / "files" / stored.storageKey


def _belongings(container: Container, user_id: str) -> None:
    with container.store.unit_of_work("default") as uow:
        uow.repo(ConversationTag).insert(ConversationTag(id=object_id(), tag="finance",
                                                         user=user_id, count=1))
        uow.repo(UserKey).insert(UserKey(id=object_id(), userId=user_id, name="openAI",
                                         value="sealed"))
        uow.repo(Balance).insert(Balance(id=object_id(), user=user_id, tokenCredits=5))
        uow.commit()


def _owned_counts(container: Container, user_id: str) -> tuple[int, int, int, int]:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return (uow.conversations.count({"user": user_id}),
                uow.messages.count({"user": user_id}),
                uow.repo(StoredFile).count({"user": user_id}),
                uow.repo(ConversationTag).count({"user": user_id})
                + uow.repo(UserKey).count({"userId": user_id})
                + uow.repo(Balance).count({"user": user_id}))


def test_a_custodian_deleting_their_account_is_signed_out_but_everything_is_kept(
        container: Container, make_user: UserFactory) -> None:
    _, boss = make_user(role="SUPER_ADMIN")
    user, auth = make_user()
    convo = seed(container, user.id, title="Quarterly numbers")
    file_id = upload(mounted("files"), auth, b"ledger", "ledger.txt").json["file_id"]
    _belongings(container, user.id)
    hold_id = place_hold(boss, scope="users", custodians=[user.id])

    response = mounted("user").delete("/api/user/delete", headers=auth)

    assert (response.status_code, response.json) == (200, {"message": "User deleted"})
    assert mounted("user").get("/api/user", headers=auth).status_code == 401
    assert mounted("convos").get("/api/convos", headers=auth).status_code == 401
    account = _user(container, user.id)
    assert account is not None and holds.is_hidden(account)
    kept = stored_conversation(container, convo.conversation_id)
    assert kept is not None and holds.is_hidden(kept)
    assert all(holds.is_hidden(m) for m in stored_messages(container, convo.conversation_id))
    stored = _file(container, file_id)
    assert stored is not None and holds.is_hidden(stored) and _blob(container, stored).is_file()
    assert _owned_counts(container, user.id) == (1, 2, 1, 3)
    metadata = audit_metadata(container, "user.delete")
    assert (metadata["disposition"], metadata["holds"], metadata["conversations"]) == (
        "hidden", [hold_id], 1)
    # The email is free again, as after a real deletion; the held account stays apart.
    again = mounted("auth").post("/api/auth/register", json={
        "name": "Back Again", "email": user.email, "password": "correct horse battery",
        "confirm_password": "correct horse battery"})
    assert again.status_code == 200, again.json
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.users.count({"email": user.email}) == 2

    release_hold(boss, hold_id)
    run_retention()

    assert _user(container, user.id) is None
    assert stored_conversation(container, convo.conversation_id) is None
    assert _owned_counts(container, user.id) == (0, 0, 0, 0)
    assert not _blob(container, stored).exists()
    assert audit_metadata(container, "retention.user_purged")["reason"] == (
        "deleted_under_released_hold")


def test_without_a_hold_account_deletion_erases_the_users_data(
        container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    other, _ = make_user()
    convo = seed(container, user.id)
    theirs = seed(container, other.id)
    upload(mounted("files"), auth, b"ledger", "ledger.txt")
    _belongings(container, user.id)

    response = mounted("user").delete("/api/user/delete", headers=auth)

    assert (response.status_code, response.json) == (200, {"message": "User deleted"})
    assert _user(container, user.id) is None
    assert _owned_counts(container, user.id) == (0, 0, 0, 0)
    assert stored_conversation(container, theirs.conversation_id) is not None
    deleted = audit_metadata(container, "user.delete")["deleted"]
    assert (deleted["files"], deleted["keys"], deleted["balances"],
            deleted["conversationtags"]) == (1, 1, 1, 1)
    journal = container.store.audit_log("default").discovery(
        where={"conversationId": convo.conversation_id})
    assert sorted(d.kind for d in journal) == [
        "conversation.deleted", "message.deleted", "message.deleted"]


def test_a_held_conversation_outlives_its_owners_account_deletion(
        container: Container, make_user: UserFactory) -> None:
    _, boss = make_user(role="SUPER_ADMIN")
    user, auth = make_user()
    held = seed(container, user.id, title="Held")
    free = seed(container, user.id, title="Free")
    call_id, _, file_id = attach(container, user.id, held.conversation_id)
    hold_id = place_hold(boss, scope="conversations", conversationIds=[held.conversation_id])

    response = mounted("user").delete("/api/user/delete", headers=auth)

    assert response.status_code == 200
    assert _user(container, user.id) is None
    assert stored_conversation(container, free.conversation_id) is None
    kept = stored_conversation(container, held.conversation_id)
    assert kept is not None and holds.is_hidden(kept)
    assert len(stored_messages(container, held.conversation_id)) == 2
    stored = _file(container, file_id)
    assert stored is not None and holds.is_hidden(stored)
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(ToolCall).get(call_id) is not None

    release_hold(boss, hold_id)
    run_retention()

    assert stored_conversation(container, held.conversation_id) is None
    assert _file(container, file_id) is None


def test_an_admin_cannot_delete_a_user_whose_conversation_is_held(
        container: Container, make_user: UserFactory) -> None:
    _, boss = make_user(role="SUPER_ADMIN")
    user, _ = make_user()
    held = seed(container, user.id)
    hold_id = place_hold(boss, scope="conversations", conversationIds=[held.conversation_id])

    refused = mounted("admin").delete(f"/api/admin/users/{user.id}", headers=boss)

    assert (refused.status_code, refused.json["error"]["code"]) == (409, "LEGAL_HOLD_ACTIVE")
    assert refused.json["error"]["details"][0]["holdId"] == hold_id
    assert _user(container, user.id) is not None
    assert stored_conversation(container, held.conversation_id) is not None


def test_a_file_deleted_under_hold_keeps_its_blob_until_the_hold_is_released(
        container: Container, make_user: UserFactory) -> None:
    _, boss = make_user(role="SUPER_ADMIN")
    user, auth = make_user()
    client = mounted("files")
    file_id = upload(client, auth, b"evidence", "e.txt").json["file_id"]
    stored = _file(container, file_id)
    assert stored is not None
    hold_id = place_hold(boss, scope="users", custodians=[user.id])

    deleted = client.delete("/api/files", json={"files": [{"file_id": file_id,
                                                           "filepath": stored.filepath}]},
                            headers=auth)

    assert (deleted.status_code, deleted.json) == (200, {"message": "Files deleted successfully"})
    assert client.get("/api/files", headers=auth).json == []
    assert client.get(f"/api/files/download/{user.id}/{file_id}",
                      headers=auth).status_code == 404
    assert client.post("/api/files/usage", json={}, headers=auth).json["fileCount"] == 0
    hidden = _file(container, file_id)
    assert hidden is not None and holds.is_hidden(hidden) and _blob(container, stored).is_file()
    assert audit_metadata(container, "file.delete")["holds"] == [hold_id]

    release_hold(boss, hold_id)
    run_retention()

    assert _file(container, file_id) is None
    assert not _blob(container, stored).exists()
