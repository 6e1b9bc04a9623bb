"""Fail closed, one mutating route of every other function group that serves one: with
audit inserts failing at the database, the route answers 503 ``AUDIT_UNAVAILABLE`` and the
change is not there afterwards. (convos: ``test_convos_update.py``; files:
``test_files.py``; auth: ``tests/identity``; admin and tasks:
``test_admin_audit_fail_closed.py``.)"""

from __future__ import annotations

from typing import Any

from gorunchat.bootstrap import Container
from gorunchat.contracts.keys import UserKey
from gorunchat.contracts.library import ConversationTag
from tests.fixtures.spine import conversation, fail_audit_writes
from tests.routes.conftest import mounted, user_factory


def _refused(response: Any) -> None:
    assert response.status_code == 503
    assert response.json["error"]["code"] == "AUDIT_UNAVAILABLE"


def test_user_accepting_the_terms(sqlite_container: Container) -> None:
    user, auth = user_factory(sqlite_container)()
    fail_audit_writes(sqlite_container)

    _refused(mounted("user").post("/api/user/terms/accept", headers=auth))

    with sqlite_container.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.users.get(user.id)
    assert stored is not None and stored.termsAccepted is False


def test_messages_editing_a_message(sqlite_container: Container) -> None:
    user, auth = user_factory(sqlite_container)()
    convo = conversation(sqlite_container, user.id, messages=1)
    with sqlite_container.store.unit_of_work("default", readonly=True) as uow:
        message = uow.messages.find({"conversationId": convo})[0]
    fail_audit_writes(sqlite_container)

    _refused(mounted("messages").put(f"/api/messages/{convo}/{message.messageId}",
                                     headers=auth, json={"text": "rewritten history"}))

    with sqlite_container.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.messages.get(message.messageId)
    assert stored is not None and stored.text == "message 0"


def test_tags_creating_a_tag(sqlite_container: Container) -> None:
    _, auth = user_factory(sqlite_container)()
    fail_audit_writes(sqlite_container)

    _refused(mounted("tags").post("/api/tags", headers=auth, json={"tag": "work"}))

    with sqlite_container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(ConversationTag).count({}) == 0


def test_keys_storing_a_provider_key(sqlite_container: Container) -> None:
    _, auth = user_factory(sqlite_container)()
    fail_audit_writes(sqlite_container)

    _refused(mounted("keys").put("/api/keys", headers=auth,
                                 json={"name": "openAI", "value": "sk-not-kept"}))

    with sqlite_container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(UserKey).count({}) == 0


def test_roles_changing_a_roles_permissions(sqlite_container: Container) -> None:
    _, auth = user_factory(sqlite_container)(role="ADMIN")
    before = mounted("roles").get("/api/roles/USER", headers=auth)
    fail_audit_writes(sqlite_container)

    _refused(mounted("roles").put("/api/roles/USER/prompts", headers=auth,
                                  json={"USE": not before.json["permissions"]["PROMPTS"]["USE"]}))

    after = mounted("roles").get("/api/roles/USER", headers=auth)
    assert after.json["permissions"] == before.json["permissions"]
