"""With the audit store failing, the audit spine's mutating routes answer 503
``AUDIT_UNAVAILABLE`` and change nothing (the failure is a real trigger in SQLite)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from gorunchat.bootstrap import Container
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.exports import ExportJob
from gorunchat.contracts.holds import LegalHold
from tests.fixtures.spine import TASK_HEADERS, conversation, dispatcher, fail_audit_writes
from tests.routes.conftest import mounted, user_factory


def _holds(container: Container) -> list[tuple[str, str]]:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return [(h.name, h.status) for h in uow.repo(LegalHold).find({})]


def test_creating_a_hold(sqlite_container: Container) -> None:
    admin, auth = user_factory(sqlite_container)(role="ADMIN")
    fail_audit_writes(sqlite_container)

    response = mounted("admin").post("/api/admin/holds", headers=auth, json={
        "name": "Matter", "scope": "users", "custodians": [admin.id]})

    assert (response.status_code, response.json["error"]["code"]) == (503, "AUDIT_UNAVAILABLE")
    assert _holds(sqlite_container) == []


def test_releasing_a_hold(sqlite_container: Container) -> None:
    admin, auth = user_factory(sqlite_container)(role="SUPER_ADMIN")
    created = mounted("admin").post("/api/admin/holds", headers=auth, json={
        "name": "Matter", "scope": "tenant"})
    fail_audit_writes(sqlite_container)

    response = mounted("admin").post(f"/api/admin/holds/{created.json['id']}/release",
                                     headers=auth, json={"reason": "Case closed"})

    assert (response.status_code, response.json["error"]["code"]) == (503, "AUDIT_UNAVAILABLE")
    assert _holds(sqlite_container) == [("Matter", "active")]


def test_requesting_an_export(sqlite_container: Container, tmp_path: Path) -> None:
    admin, auth = user_factory(sqlite_container)(role="ADMIN")
    queue = dispatcher(sqlite_container, tmp_path / "tasks.sqlite3")
    fail_audit_writes(sqlite_container)

    response = mounted("admin").post("/api/admin/exports", headers=auth, json={
        "custodians": [admin.id], "since": "2024-01-01T00:00:00Z",
        "until": "2025-01-01T00:00:00Z", "include": ["messages"]})

    assert (response.status_code, response.json["error"]["code"]) == (503, "AUDIT_UNAVAILABLE")
    with sqlite_container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(ExportJob).count({}) == 0
    assert queue.pending() == 0


def test_changing_retention(sqlite_container: Container) -> None:
    _, auth = user_factory(sqlite_container)(role="SUPER_ADMIN")
    fail_audit_writes(sqlite_container)

    response = mounted("admin").put("/api/admin/retention", headers=auth, json={
        "auditDays": 2000, "discoveryDays": 2000, "chatDays": 30})
    current = mounted("admin").get("/api/admin/retention", headers=auth)

    assert (response.status_code, response.json["error"]["code"]) == (503, "AUDIT_UNAVAILABLE")
    assert (current.json["source"], current.json["chatDays"]) == ("config", None)


def test_exporting_the_log_as_csv(sqlite_container: Container) -> None:
    _, auth = user_factory(sqlite_container)(role="ADMIN")
    fail_audit_writes(sqlite_container)

    response = mounted("admin").get("/api/admin/audit-log/export.csv", headers=auth)

    assert (response.status_code, response.json["error"]["code"]) == (503, "AUDIT_UNAVAILABLE")


def test_a_retention_run_removes_nothing_it_cannot_record(sqlite_container: Container) -> None:
    user, _ = user_factory(sqlite_container)()
    _, auth = user_factory(sqlite_container)(role="SUPER_ADMIN")
    mounted("admin").put("/api/admin/retention", headers=auth, json={
        "auditDays": 1095, "discoveryDays": 1095, "chatDays": 1})
    old = conversation(sqlite_container, user.id, at=utcnow() - timedelta(days=5))
    fail_audit_writes(sqlite_container)

    response = mounted("tasks").post("/tasks/retention", json={}, headers=TASK_HEADERS)

    assert (response.status_code, response.json["error"]["code"]) == (503, "AUDIT_UNAVAILABLE")
    with sqlite_container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.conversations.get(old) is not None
        assert uow.messages.count({"conversationId": old}) == 2
