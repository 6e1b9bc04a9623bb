"""On Google Cloud an audited mutation asks for its tenant's projection: one named task per
tenant and time slot, whatever the number of mutations; none for a refused request."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from gorunchat.adapters.local.dispatcher import LocalDispatcher
from gorunchat.bootstrap import Container, set_container
from tests.routes.conftest import _settings, mounted, user_factory


@pytest.fixture
def gcp_like(data_dir: Path) -> Iterator[tuple[Container, LocalDispatcher]]:
    container = Container(_settings(data_dir, GORUNCHAT_GCP_PROJECT="gorunchat-test",
                                    GORUNCHAT_PROJECTION_INTERVAL_S="86400"))
    queue = LocalDispatcher(data_dir / "tasks.sqlite3", "http://unused.local", "s")
    container.__dict__["task_queue"] = queue
    set_container(container)
    yield container, queue
    set_container(None)
    container.close()


def _names(queue: LocalDispatcher) -> list[str]:
    rows = queue._db().execute("SELECT name, body FROM tasks ORDER BY rowid").fetchall()
    return [f"{r[0]} {r[1]}" for r in rows]


def test_mutations_of_a_tenant_ask_for_one_projection_per_slot(
        gcp_like: tuple[Container, LocalDispatcher]) -> None:
    container, queue = gcp_like
    tenant = f"t-{uuid.uuid4().hex[:8]}"
    admin, auth = user_factory(container)(role="ADMIN", tenant=tenant)

    for n in range(3):
        created = mounted("admin").post("/api/admin/holds", headers=auth, json={
            "name": f"Matter {n}", "scope": "users", "custodians": [admin.id]})
        assert created.status_code == 201
    refused = mounted("admin").post("/api/admin/holds", headers=auth, json={"name": "x"})
    mounted("admin").get("/api/admin/holds", headers=auth)

    names = _names(queue)
    assert refused.status_code == 422
    assert len(names) == 1
    assert names[0].startswith(f"projection-{tenant}-")
    assert names[0].endswith(f'{{"tenantId":"{tenant}","batchSize":null}}')


def test_nothing_is_asked_for_locally(sqlite_container: Container, tmp_path: Path) -> None:
    queue = LocalDispatcher(tmp_path / "tasks.sqlite3", "http://unused.local", "s")
    sqlite_container.__dict__["task_queue"] = queue
    admin, auth = user_factory(sqlite_container)(role="ADMIN", tenant="local-only")

    mounted("admin").post("/api/admin/holds", headers=auth, json={
        "name": "Matter", "scope": "users", "custodians": [admin.id]})

    assert queue.pending() == 0
