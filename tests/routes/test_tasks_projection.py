"""The projection task: idempotent, ordered, batched; copies to the query sink and archive."""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

import pytest

from gorunchat.adapters.local.archive import LocalArchive
from gorunchat.adapters.local.querysink import LocalQuerySink
from gorunchat.bootstrap import Container
from gorunchat.contracts.audit import AuditEvent, DiscoveryEvent
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.contracts.tasks import PROJECTION_PATH, ProjectionTask
from gorunchat.ports.querysink import AUDIT_TABLE, DISCOVERY_TABLE
from gorunchat.services import projector
from tests.fixtures.spine import TASK_HEADERS, dispatcher
from tests.routes.conftest import mounted


def _activity(container: Container, count: int, tenant: str = "default") -> None:
    for n in range(count):
        with container.store.unit_of_work(tenant) as uow:
            uow.record(AuditEvent(action="conversation.update", targetId=f"c{n}"))
            uow.journal(DiscoveryEvent(kind="conversation.renamed", conversationId=f"c{n}"))
            uow.commit()


def _sink(container: Container) -> LocalQuerySink:
    sink = container.query_sink
    assert isinstance(sink, LocalQuerySink)
    return sink


def _archive(container: Container) -> LocalArchive:
    archive = container.archive
    assert isinstance(archive, LocalArchive)
    return archive


def _deliver(body: dict[str, Any], name: str = "projection-1"):  # type: ignore[no-untyped-def]
    return mounted("tasks").post(PROJECTION_PATH, json=body, headers={
        **TASK_HEADERS, "X-CloudTasks-TaskName": name, "X-CloudTasks-QueueName": "projection"})


def test_a_task_delivered_twice_is_projected_once(container: Container) -> None:
    _activity(container, 3)

    first = _deliver({"tenantId": "default"})
    second = _deliver({"tenantId": "default"})  # the same task, delivered again

    assert (first.json["auditProjected"], first.json["discoveryProjected"]) == (3, 3)
    assert (second.json["auditProjected"], second.json["discoveryProjected"]) == (0, 0)
    sink = _sink(container)
    assert (sink.count(AUDIT_TABLE), sink.count(DISCOVERY_TABLE)) == (3, 3)
    keys = _archive(container).keys("")
    assert len(keys) == 2 and keys[0].startswith("audit/default/")
    archived = _archive(container).get(keys[0]).decode().splitlines()
    assert [json.loads(line)["seq"] for line in archived] == [1, 2, 3]


def test_concurrent_duplicate_deliveries_still_copy_each_record_once(
        container: Container) -> None:
    _activity(container, 20)
    answers: list[Any] = []

    threads = [threading.Thread(target=lambda: answers.append(_deliver({})))
               for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert sum(a.json["auditProjected"] for a in answers) == 20
    assert _sink(container).count(AUDIT_TABLE) == 20
    assert container.store.audit_log("default").backlog().auditPending == 0


class CrashingArchive:
    """An archive that dies once, after the sink write and before anything is marked."""

    def __init__(self, inner: LocalArchive) -> None:
        self.inner, self.crashed = inner, False

    def put_once(self, key: str, data: bytes, content_type: str) -> bool:
        if not self.crashed:
            self.crashed = True
            raise ServiceUnavailable("archive went away")
        return self.inner.put_once(key, data, content_type)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def test_a_crash_after_the_sink_write_is_repaired_by_the_rerun(container: Container) -> None:
    _activity(container, 4)
    crashing = CrashingArchive(_archive(container))
    run = projector.Projector(store=container.store, sink=_sink(container),
                              archive=crashing)  # type: ignore[arg-type]

    with pytest.raises(ServiceUnavailable):
        projector.project(run)
    after_crash = (_sink(container).count(AUDIT_TABLE),
                   container.store.audit_log("default").backlog().auditPending)
    rerun = projector.project(run)

    assert after_crash == (4, 4)  # in the sink, not yet marked
    assert rerun.auditProjected == 4
    assert _sink(container).count(AUDIT_TABLE) == 4
    assert container.store.audit_log("default").backlog().auditPending == 0


def test_a_crash_after_archiving_does_not_archive_twice(container: Container) -> None:
    _activity(container, 3)
    log = container.store.audit_log("default")
    pending = log.unprojected(10)
    archive = _archive(container)
    key = projector.archive_batch(archive, pending[:2], projector._audit_key)  # then crashed
    run = projector.Projector(store=container.store, sink=_sink(container), archive=archive)

    projector.project(run)

    audit_keys = archive.keys("audit/")
    lines = [json.loads(line)["seq"] for k in audit_keys
             for line in archive.get(k).decode().splitlines()]
    assert key == audit_keys[:1]
    assert sorted(lines) == [1, 2, 3]


def test_a_full_batch_queues_a_follow_up_until_the_backlog_is_gone(
        container: Container, tmp_path: Path) -> None:
    _activity(container, 5)
    queue = dispatcher(container, tmp_path / "tasks.sqlite3")
    queue.enqueue("projection", PROJECTION_PATH, ProjectionTask(batchSize=2))

    runs = 0
    while queue.deliver_one("projection"):
        runs += 1

    assert runs == 3
    assert container.store.audit_log("default").backlog().auditPending == 0
    seqs = [json.loads(line)["seq"] for k in _archive(container).keys("audit/")
            for line in _archive(container).get(k).decode().splitlines()]
    assert seqs == [1, 2, 3, 4, 5]


def test_each_tenant_is_projected_separately(container: Container) -> None:
    _activity(container, 2, tenant="acme")
    _activity(container, 1, tenant="globex")

    result = _deliver({})

    assert (result.json["tenants"], result.json["auditProjected"]) == (2, 3)
    assert (_sink(container).count(AUDIT_TABLE, "acme"),
            _sink(container).count(AUDIT_TABLE, "globex")) == (2, 1)
