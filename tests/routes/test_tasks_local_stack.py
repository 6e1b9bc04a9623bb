"""``gorunchat dev`` runs the local dispatcher: its timer projects what the stack records,
and an export requested through the gateway is built by a task and can be downloaded."""

from __future__ import annotations

import hashlib
import sqlite3
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from gorunchat.adapters.sqlite.store import SqliteStore
from gorunchat.contracts.documents import User
from gorunchat.domain.tokens import issue_access_token
from tests.routes.test_local_stack import SECRET, Stack, start_stack


def _until(check: Callable[[], Any], timeout_s: float, what: str) -> Any:
    """Poll ``check`` until it returns something truthy, or fail after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GORUNCHAT_PROJECTION_INTERVAL_S", "0.2")
        running = start_stack(tmp_path_factory.mktemp("spine-stack"))
    yield running
    if running.process.poll() is None:
        running.process.terminate()
        running.process.wait(timeout=30)


@pytest.fixture(scope="module")
def admin(stack: Stack) -> dict[str, str]:
    store = SqliteStore(stack.data_dir / "gorunchat.sqlite3")
    with store.unit_of_work("default") as uow:
        uow.users.insert(User(_id="65f0a1b2c3d4e5f6a7b8c9aa", email="boss@example.com",
                              role="ADMIN"))
        uow.commit()
    store.close()
    token = issue_access_token(SECRET, user_id="65f0a1b2c3d4e5f6a7b8c9aa", tenant_id="default",
                               role="ADMIN", session_id=None)
    return {"Authorization": f"Bearer {token}"}


def test_the_timer_projects_what_the_stack_records(stack: Stack, admin: dict[str, str]
                                                   ) -> None:
    with httpx.Client(base_url=stack.url, headers=admin, timeout=10) as client:
        created = client.post("/api/admin/holds", json={
            "name": "Matter", "scope": "users", "custodians": ["65f0a1b2c3d4e5f6a7b8c9aa"]})

        lag = _until(lambda: (r := client.get("/api/admin/audit/lag").json())
                     ["auditPending"] == 0 and r["auditTotal"] >= 1 and r, 30, "projection")

    assert created.status_code == 201
    assert lag["lagSeconds"] == 0.0
    archived = sorted((stack.data_dir / "archive" / "audit" / "default").rglob("*.jsonl"))
    assert archived[0].read_text().count('"action":"admin.hold_create"') == 1


def test_an_export_is_built_by_the_dispatcher_and_downloaded(stack: Stack,
                                                             admin: dict[str, str]) -> None:
    with httpx.Client(base_url=stack.url, headers=admin, timeout=10) as client:
        created = client.post("/api/admin/exports", json={
            "custodians": ["65f0a1b2c3d4e5f6a7b8c9aa"], "since": "2020-01-01T00:00:00Z",
            "until": "2100-01-01T00:00:00Z", "include": ["audit"]})
        export_id = created.json()["id"]

        done = _until(lambda: (r := client.get(f"/api/admin/exports/{export_id}").json())
                      ["status"] == "completed" and r, 30, "the export task")
        audit = client.get(f"/api/admin/exports/{export_id}/download?file=audit.jsonl")

    assert created.status_code == 202
    assert done["files"][0]["sha256"] == hashlib.sha256(audit.content).hexdigest()
    assert audit.content.count(b'"admin.export_create"') == 1


def test_the_dispatcher_keeps_its_tasks_in_the_data_folder(stack: Stack) -> None:
    db = sqlite3.connect(stack.data_dir / "tasks.sqlite3")
    try:
        rows = db.execute("SELECT queue, COUNT(*) FROM tasks WHERE done_at IS NOT NULL "
                          "AND last_status = 200 GROUP BY queue ORDER BY queue").fetchall()
    finally:
        db.close()
    done = dict(rows)
    assert done["exports"] == 1
    assert done["projection"] >= 1
    assert done["retention"] == 1  # the timer's first run, at start
