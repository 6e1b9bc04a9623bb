"""``POST /api/convos/update`` (rename): the first mutation, proving the audit outbox."""

from __future__ import annotations

import sqlite3

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.documents import Conversation
from gorunchat.domain.hashchain import first_break
from gorunchat.domain.ids import new_uuid
from tests.routes.conftest import UserFactory, mounted, user_factory


def _conversation(container: Container, user_id: str, tenant: str = "default",
                  title: str = "Old title") -> str:
    conversation_id = new_uuid()
    with container.store.unit_of_work(tenant) as uow:
        uow.conversations.insert(Conversation(conversationId=conversation_id, user=user_id,
                                              title=title, tenantId=tenant))
        uow.commit()
    return conversation_id


def _title(container: Container, conversation_id: str, tenant: str = "default") -> str | None:
    with container.store.unit_of_work(tenant, readonly=True) as uow:
        found = uow.conversations.get(conversation_id)
    assert found is not None
    return found.title


def _rename(conversation_id: str, title: object, headers: dict[str, str]):  # type: ignore[no-untyped-def]
    return mounted("convos").post(
        "/api/convos/update", json={"arg": {"conversationId": conversation_id, "title": title}},
        headers=headers)


def test_rename_returns_the_updated_conversation_and_audits_it(
        container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    conversation_id = _conversation(container, user.id)

    response = _rename(conversation_id, "  Trip to Lisbon  ", auth)

    assert response.status_code == 200
    assert response.json["conversationId"] == conversation_id
    assert response.json["title"] == "Trip to Lisbon"
    assert _title(container, conversation_id) == "Trip to Lisbon"
    log = container.store.audit_log("default")
    records = log.records()
    assert [r.action for r in records] == ["conversation.update"]
    assert records[0].targetId == conversation_id
    assert records[0].actor.userId == user.id
    assert records[0].actor.requestId == response.headers["X-Request-Id"]
    assert first_break([r.model_dump() for r in records]) is None
    journal = log.discovery(where={"conversationId": conversation_id})
    assert [(d.kind, d.content["title"], d.content["previousTitle"]) for d in journal] == [
        ("conversation.renamed", "Trip to Lisbon", "Old title")]


def test_renaming_someone_elses_conversation_is_not_found(
        container: Container, make_user: UserFactory) -> None:
    owner, _ = make_user()
    _, intruder = make_user()
    conversation_id = _conversation(container, owner.id)

    response = _rename(conversation_id, "Mine now", intruder)

    assert response.status_code == 404
    assert response.json["error"]["code"] == "CONVERSATION_NOT_FOUND"
    assert _title(container, conversation_id) == "Old title"


def test_another_tenant_cannot_see_the_conversation(
        container: Container, make_user: UserFactory) -> None:
    owner, _ = make_user()
    conversation_id = _conversation(container, owner.id)
    # Same user id in another tenant: the tenant scope alone must hide the conversation.
    other = user_factory(container)
    _, foreign = other(tenant="acme")

    response = _rename(conversation_id, "Hijacked", foreign)

    assert response.status_code == 404
    assert _title(container, conversation_id) == "Old title"


@pytest.mark.parametrize(("body", "content_type", "status", "code"), [
    (b'{"arg": {"conversationId": "x", "title": "   "}}', "application/json", 422,
     "VALIDATION_FAILED"),
    (b'{"arg": {"title": "x"}}', "application/json", 422, "VALIDATION_FAILED"),
    (b'{"arg": ', "application/json", 400, "MALFORMED_JSON"),
    (b"title=x", "application/x-www-form-urlencoded", 415, "UNSUPPORTED_MEDIA_TYPE"),
    (b'{"arg": {"conversationId": "x", "title": "' + b"a" * 2_000_000 + b'"}}',
     "application/json", 413, "PAYLOAD_TOO_LARGE"),
])
def test_bad_input_gets_a_clear_client_error(
        container: Container, make_user: UserFactory, body: bytes, content_type: str,
        status: int, code: str) -> None:
    _, auth = make_user()
    response = mounted("convos").post("/api/convos/update", data=body,
                                      headers={**auth, "Content-Type": content_type})
    assert response.status_code == status
    assert response.json["error"]["code"] == code


def test_validation_errors_name_the_field(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    response = mounted("convos").post("/api/convos/update", json={"arg": {"title": "x"}},
                                      headers=auth)
    assert response.json["error"]["details"][0]["field"] == "arg.conversationId"


def test_failing_audit_write_changes_nothing_and_answers_503(
        sqlite_container: Container) -> None:
    container = sqlite_container
    user, auth = user_factory(container)()
    conversation_id = _conversation(container, user.id)
    before = len(container.store.audit_log("default").records())
    # A real failure in the audit table, injected at the database itself.
    db = sqlite3.connect(container.settings.sqlite_file)
    db.execute("CREATE TRIGGER audit_down BEFORE INSERT ON auditlogs "
               "BEGIN SELECT RAISE(ABORT, 'audit storage unavailable'); END")
    db.commit()
    db.close()

    response = _rename(conversation_id, "Should not stick", auth)

    assert response.status_code == 503
    assert response.json["error"]["code"] == "AUDIT_UNAVAILABLE"
    assert _title(container, conversation_id) == "Old title"
    assert len(container.store.audit_log("default").records()) == before
    assert container.store.audit_log("default").discovery(
        where={"conversationId": conversation_id}) == []


def test_role_and_ban_are_read_on_every_request(
        container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    conversation_id = _conversation(container, user.id)
    with container.store.unit_of_work("default") as uow:
        uow.users.update(user.id, {"banned": True})
        uow.commit()

    response = _rename(conversation_id, "After ban", auth)

    assert response.status_code == 403
    assert response.json["error"]["code"] == "USER_BANNED"
