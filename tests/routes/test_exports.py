"""eDiscovery exports: request, build by the export task, status, manifest and download."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

from gorunchat.bootstrap import Container
from gorunchat.contracts.audit import Actor, AuditEvent, DiscoveryEvent
from tests.fixtures.spine import conversation, dispatcher
from tests.routes.conftest import UserFactory, mounted

IN_RANGE = datetime(2025, 3, 1, tzinfo=UTC)
OUT_OF_RANGE = datetime(2024, 6, 1, tzinfo=UTC)


def _request(auth: dict[str, str], custodians: list[str], include: list[str]):  # type: ignore[no-untyped-def]
    return mounted("admin").post("/api/admin/exports", headers=auth, json={
        "custodians": custodians, "since": "2025-01-01T00:00:00Z",
        "until": "2026-01-01T00:00:00Z", "include": include})


def _download(auth: dict[str, str], export_id: str, name: str) -> bytes:
    response = mounted("admin").get(f"/api/admin/exports/{export_id}/download?file={name}",
                                    headers=auth)
    assert response.status_code == 200
    return bytes(response.data)


def test_an_export_is_built_by_its_task_and_its_manifest_hashes_match(
        container: Container, make_user: UserFactory, tmp_path: Path) -> None:
    admin, auth = make_user(role="ADMIN")
    custodian, _ = make_user()
    other, _ = make_user()
    conversation(container, custodian.id, messages=3, at=IN_RANGE)
    conversation(container, custodian.id, messages=1, at=OUT_OF_RANGE)
    conversation(container, other.id, messages=2, at=IN_RANGE)
    with container.store.unit_of_work("default") as uow:
        uow.record(AuditEvent(action="conversation.update", actor=Actor(userId=custodian.id)))
        uow.journal(DiscoveryEvent(kind="message.created", userId=custodian.id))
        uow.commit()
    queue = dispatcher(container, tmp_path / "tasks.sqlite3")

    created = _request(auth, [custodian.id], ["messages", "discovery", "audit", "files"])
    queued = queue.pending("exports")
    delivered = queue.deliver_one("exports")
    status = mounted("admin").get(f"/api/admin/exports/{created.json['id']}", headers=auth)

    assert created.status_code == 202
    assert (created.json["status"], queued, delivered) == ("queued", 1, True)
    assert status.json["status"] == "completed"
    manifest_bytes = _download(auth, created.json["id"], "manifest.json")
    manifest = json.loads(manifest_bytes)
    assert status.json["manifestSha256"] == hashlib.sha256(manifest_bytes).hexdigest()
    assert [f["name"] for f in manifest["files"]] == [
        "messages.jsonl", "discovery.jsonl", "audit.jsonl", "files.jsonl"]
    for entry in manifest["files"]:
        data = _download(auth, created.json["id"], entry["name"])
        assert hashlib.sha256(data).hexdigest() == entry["sha256"]
        assert (len(data), data.count(b"\n")) == (entry["bytes"], entry["records"])
    counts = {f["name"]: f["records"] for f in manifest["files"]}
    assert counts == {"messages.jsonl": 3, "discovery.jsonl": 0, "audit.jsonl": 0,
                      "files.jsonl": 0}  # the journal and log of today fall outside 2025
    messages = [json.loads(line) for line in
                _download(auth, created.json["id"], "messages.jsonl").splitlines()]
    assert {m["user"] for m in messages} == {custodian.id}
    assert manifest["custodians"] == [custodian.id] and manifest["createdBy"] == admin.id


def test_every_export_step_is_audited(container: Container, make_user: UserFactory,
                                      tmp_path: Path) -> None:
    _, auth = make_user(role="ADMIN")
    custodian, _ = make_user()
    queue = dispatcher(container, tmp_path / "tasks.sqlite3")
    export_id = _request(auth, [custodian.id], ["messages"]).json["id"]
    queue.deliver_one("exports")

    _download(auth, export_id, "messages.jsonl")

    trail = [(r.action, r.targetId) for r in container.store.audit_log("default").records()]
    assert trail == [("admin.export_create", export_id), ("export.completed", export_id),
                     ("admin.export_download", export_id)]


def test_a_task_delivered_twice_builds_the_same_bundle(
        container: Container, make_user: UserFactory, tmp_path: Path) -> None:
    _, auth = make_user(role="ADMIN")
    custodian, _ = make_user()
    conversation(container, custodian.id, messages=2, at=IN_RANGE)
    queue = dispatcher(container, tmp_path / "tasks.sqlite3")
    export_id = _request(auth, [custodian.id], ["messages"]).json["id"]
    queue.deliver_one("exports")
    first = mounted("admin").get(f"/api/admin/exports/{export_id}", headers=auth).json

    again = mounted("tasks").post("/tasks/export", headers={
        "X-GoRunChat-Task-Secret": "task-secret-for-tests"},
        json={"tenantId": "default", "exportId": export_id})

    second = mounted("admin").get(f"/api/admin/exports/{export_id}", headers=auth).json
    assert again.status_code == 200
    assert second["manifestSha256"] == first["manifestSha256"]
    assert second["completedAt"] == first["completedAt"]


def test_an_unfinished_or_unknown_export_cannot_be_downloaded(
        container: Container, make_user: UserFactory, tmp_path: Path) -> None:
    _, auth = make_user(role="ADMIN")
    custodian, _ = make_user()
    dispatcher(container, tmp_path / "tasks.sqlite3")
    export_id = _request(auth, [custodian.id], ["messages"]).json["id"]

    pending = mounted("admin").get(f"/api/admin/exports/{export_id}/download", headers=auth)
    unknown = mounted("admin").get("/api/admin/exports/nope", headers=auth)
    bad_name = mounted("admin").get(f"/api/admin/exports/{export_id}/download?file=../x",
                                    headers=auth)

    assert (pending.status_code, pending.json["error"]["code"]) == (409, "EXPORT_NOT_READY")
    assert (unknown.status_code, unknown.json["error"]["code"]) == (404, "EXPORT_NOT_FOUND")
    assert bad_name.status_code == 422


def test_exports_are_listed_newest_first(container: Container, make_user: UserFactory,
                                         tmp_path: Path) -> None:
    _, auth = make_user(role="ADMIN")
    custodian, _ = make_user()
    dispatcher(container, tmp_path / "tasks.sqlite3")
    first = _request(auth, [custodian.id], ["audit"]).json["id"]
    second = _request(auth, [custodian.id], ["discovery"]).json["id"]
    invalid = mounted("admin").post("/api/admin/exports", headers=auth, json={
        "custodians": [], "since": "2025-01-01T00:00:00Z", "until": "2024-01-01T00:00:00Z",
        "include": ["audit"]})

    listed = mounted("admin").get("/api/admin/exports", headers=auth)

    assert [e["id"] for e in listed.json["items"]] == [second, first]
    assert invalid.status_code == 422


def test_audit_and_discovery_of_custodians_are_exported(
        container: Container, make_user: UserFactory, tmp_path: Path) -> None:
    _, auth = make_user(role="ADMIN")
    custodian, _ = make_user()
    for actor in (custodian.id, "someone-else"):
        with container.store.unit_of_work("default") as uow:
            uow.record(AuditEvent(action="conversation.update", actor=Actor(userId=actor)))
            uow.journal(DiscoveryEvent(kind="message.created", userId=actor))
            uow.commit()
    queue = dispatcher(container, tmp_path / "tasks.sqlite3")
    created = mounted("admin").post("/api/admin/exports", headers=auth, json={
        "custodians": [custodian.id], "since": "2020-01-01T00:00:00Z",
        "until": "2100-01-01T00:00:00Z", "include": ["audit", "discovery"]})
    queue.deliver_one("exports")

    audit = [json.loads(line) for line in
             _download(auth, created.json["id"], "audit.jsonl").splitlines()]
    discovery = [json.loads(line) for line in
                 _download(auth, created.json["id"], "discovery.jsonl").splitlines()]

    assert [(r["action"], r["actor"]["userId"]) for r in audit] == [
        ("conversation.update", custodian.id)]
    assert [(d["kind"], d["userId"]) for d in discovery] == [("message.created", custodian.id)]


def test_a_task_for_an_export_that_is_gone_is_acknowledged(container: Container) -> None:
    response = mounted("tasks").post("/tasks/export", headers={
        "X-GoRunChat-Task-Secret": "task-secret-for-tests"},
        json={"tenantId": "default", "exportId": "never-existed"})

    assert response.status_code == 200
    assert (response.json["status"], response.json["files"]) == ("missing", 0)
