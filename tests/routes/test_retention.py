"""Retention: the policy routes and the retention task, which never touches held data."""

from __future__ import annotations

from datetime import timedelta

from gorunchat.bootstrap import Container
from gorunchat.contracts.admin_audit import RetentionSettings
from gorunchat.contracts.audit import Actor, AuditEvent, DiscoveryEvent
from gorunchat.contracts.documents import utcnow
from gorunchat.services import holds, retention
from tests.fixtures.spine import TASK_HEADERS, conversation
from tests.routes.conftest import UserFactory, mounted

DEFAULTS = RetentionSettings()


def _set_policy(auth: dict[str, str], chat_days: int | None) -> None:
    response = mounted("admin").put("/api/admin/retention", headers=auth, json={
        "auditDays": 1095, "discoveryDays": 1095, "chatDays": chat_days})
    assert response.status_code == 200


def _run():  # type: ignore[no-untyped-def]
    response = mounted("tasks").post("/tasks/retention", json={"trigger": "schedule"},
                                     headers=TASK_HEADERS)
    assert response.status_code == 200
    return response.json


def _exists(container: Container, conversation_id: str) -> tuple[bool, int]:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return (uow.conversations.get(conversation_id) is not None,
                uow.messages.count({"conversationId": conversation_id}))


def test_the_policy_comes_from_config_until_a_super_admin_sets_one(
        container: Container, make_user: UserFactory) -> None:
    boss, auth = make_user(role="SUPER_ADMIN")

    before = mounted("admin").get("/api/admin/retention", headers=auth)
    updated = mounted("admin").put("/api/admin/retention", headers=auth, json={
        "auditDays": 2555, "discoveryDays": 1825, "chatDays": 90})
    after = mounted("admin").get("/api/admin/retention", headers=auth)
    too_short = mounted("admin").put("/api/admin/retention", headers=auth, json={
        "auditDays": 30, "discoveryDays": 1825})

    assert (before.json["auditDays"], before.json["chatDays"], before.json["source"]) == (
        1095, None, "config")
    assert updated.status_code == 200
    assert (after.json["auditDays"], after.json["discoveryDays"], after.json["chatDays"],
            after.json["source"], after.json["updatedBy"]) == (2555, 1825, 90, "tenant", boss.id)
    assert too_short.status_code == 422
    record = container.store.audit_log("default").records()[-1]
    assert (record.action, record.metadata["previous"], record.metadata["policy"]["chatDays"]) \
        == ("admin.retention_update", None, 90)


def test_chat_retention_removes_idle_conversations_with_tombstones(
        container: Container, make_user: UserFactory) -> None:
    user, _ = make_user()
    _, auth = make_user(role="SUPER_ADMIN")
    _set_policy(auth, chat_days=30)
    old = conversation(container, user.id, at=utcnow() - timedelta(days=45))
    recent = conversation(container, user.id, at=utcnow() - timedelta(days=3))

    result = _run()

    assert (result["conversationsRemoved"], result["messagesRemoved"]) == (1, 2)
    assert _exists(container, old) == (False, 0)
    assert _exists(container, recent) == (True, 2)
    log = container.store.audit_log("default")
    tombstone = log.records(where={"action": "retention.conversation_purged"})
    assert [(t.targetId, t.metadata["messages"], t.actor.role) for t in tombstone] == [
        (old, 2, "system")]
    assert [d.kind for d in log.discovery(where={"conversationId": old})] == [
        "conversation.purged"]


def test_a_hold_blocks_retention_and_releasing_it_lets_retention_proceed(
        container: Container, make_user: UserFactory) -> None:
    custodian, _ = make_user()
    _, auth = make_user(role="SUPER_ADMIN")
    _set_policy(auth, chat_days=30)
    old = conversation(container, custodian.id, at=utcnow() - timedelta(days=400))
    hold = mounted("admin").post("/api/admin/holds", headers=auth, json={
        "name": "Matter", "scope": "users", "custodians": [custodian.id]}).json["id"]

    while_held = _run()
    kept = _exists(container, old)
    mounted("admin").post(f"/api/admin/holds/{hold}/release", headers=auth,
                          json={"reason": "Settled"})
    after_release = _run()

    assert while_held["conversationsRemoved"] == 0
    assert kept == (True, 2)
    assert after_release["conversationsRemoved"] == 1
    assert _exists(container, old) == (False, 0)


def test_what_a_user_deleted_under_hold_goes_once_the_hold_is_released(
        container: Container, make_user: UserFactory) -> None:
    custodian, _ = make_user()
    _, auth = make_user(role="SUPER_ADMIN")
    convo = conversation(container, custodian.id)
    hold = mounted("admin").post("/api/admin/holds", headers=auth, json={
        "name": "Matter", "scope": "conversations", "conversationIds": [convo]}).json["id"]
    with container.store.unit_of_work("default") as uow:  # the user's delete, under hold
        holds.hide_conversation(uow, convo, by=custodian.id)
        uow.commit()

    while_held = _run()
    kept = _exists(container, convo)
    mounted("admin").post(f"/api/admin/holds/{hold}/release", headers=auth,
                          json={"reason": "Settled"})
    after_release = _run()

    assert (while_held["conversationsRemoved"], kept) == (0, (True, 2))
    assert after_release["conversationsRemoved"] == 1
    assert _exists(container, convo) == (False, 0)
    tombstone = container.store.audit_log("default").records(
        where={"action": "retention.conversation_purged"})
    assert tombstone[0].metadata["reason"] == "deleted_under_released_hold"


def _activity(container: Container, actors: list[str]) -> None:
    for actor in actors:
        with container.store.unit_of_work("default") as uow:
            uow.record(AuditEvent(action="conversation.update", actor=Actor(userId=actor)))
            uow.journal(DiscoveryEvent(kind="message.created", userId=actor))
            uow.commit()


def test_expired_audit_is_cut_at_the_chain_start_and_still_verifies(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user(role="ADMIN")
    _activity(container, ["u1", "u2", "u3"])
    mounted("tasks").post("/tasks/audit-projection", json={}, headers=TASK_HEADERS)
    _activity(container, ["u4"])  # not projected yet: never removed
    later = utcnow() + timedelta(days=4000)

    result = retention.run(container.store, DEFAULTS, now=later)

    log = container.store.audit_log("default")
    anchor = log.anchor()
    assert (result.auditRemoved, result.discoveryRemoved) == (3, 3)
    assert anchor is not None and anchor.seq == 3
    assert [r.actor.userId for r in log.records(after_seq=anchor.seq)][:1] == ["u4"]
    assert log.records(where={"action": "retention.audit_pruned"})[0].metadata[
        "throughSeq"] == 3
    verified = mounted("admin").get("/api/admin/audit-log/verify", headers=auth)
    assert (verified.json["ok"], verified.json["startSeq"]) == (True, 3)


def test_audit_and_discovery_of_custodians_outlive_retention(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user(role="ADMIN")
    custodian, _ = make_user()
    _activity(container, ["u1", custodian.id, "u3"])
    mounted("admin").post("/api/admin/holds", headers=auth, json={
        "name": "Matter", "scope": "users", "custodians": [custodian.id]})
    mounted("tasks").post("/tasks/audit-projection", json={}, headers=TASK_HEADERS)
    later = utcnow() + timedelta(days=4000)

    result = retention.run(container.store, DEFAULTS, now=later)

    log = container.store.audit_log("default")
    assert result.auditRemoved == 1  # the chain is cut before the custodian's record
    assert [r.actor.userId for r in log.records(limit=1)] == [custodian.id]
    remaining = [d.userId for d in log.discovery(where={"kind": "message.created"})]
    assert remaining == [custodian.id]
