"""The Cloud Tasks queue adapter with ``google-cloud-tasks`` over gRPC to the Cloud Tasks
emulator, which dispatches each task over HTTP, with the ``X-CloudTasks-*`` headers, to the
tasks function served on a loopback port.

The emulator mints no OIDC token, so the loopback front adds the local task secret (what
the OIDC token proves on Google Cloud is tested in ``tests/routes/test_tasks_oidc.py``).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import make_server

from gorunchat.adapters.gcp.tasks import CloudTasksQueue, build_client
from gorunchat.adapters.local.querysink import LocalQuerySink
from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.contracts.tasks import PROJECTION_PATH, ProjectionTask
from gorunchat.ports.querysink import AUDIT_TABLE
from tests.fixtures.spine import TASK_SECRET, function_app
from tests.gcp.conftest import LOCATION, PROJECT, QUEUE
from tests.routes.conftest import _settings


class Front:
    """The tasks function on a loopback port, recording each delivery and its answer."""

    def __init__(self) -> None:
        self.app = function_app("tasks")
        self.seen: list[dict[str, Any]] = []
        self.arrived = threading.Condition()
        self.server = make_server("127.0.0.1", 0, self, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ["HTTP_X_GORUNCHAT_TASK_SECRET"] = TASK_SECRET
        status: list[str] = []

        def record(code: str, headers: Any, *rest: Any) -> Any:
            status.append(code)
            return start_response(code, headers, *rest)

        body = b"".join(self.app(environ, record))
        with self.arrived:
            self.seen.append({
                "path": environ["PATH_INFO"], "status": int(status[0].split()[0]),
                "headers": {k[5:].replace("_", "-").title(): v for k, v in environ.items()
                            if k.startswith("HTTP_X_CLOUDTASKS")},
                "answer": json.loads(body)})
            self.arrived.notify_all()
        return [body]

    def wait_for(self, count: int, timeout_s: float = 30) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout_s
        with self.arrived:
            while len(self.seen) < count:
                left = deadline - time.monotonic()
                if left <= 0 or not self.arrived.wait(left):
                    raise TimeoutError(f"{len(self.seen)} of {count} deliveries arrived")
            return list(self.seen)


@pytest.fixture
def front(data_dir: Path) -> Iterator[tuple[Front, Container]]:
    container = Container(_settings(data_dir))
    set_container(container)
    made = Front()
    made.thread.start()
    try:
        yield made, container
    finally:
        made.server.shutdown()
        set_container(None)
        container.close()


def _queue(emulator: str, target: str) -> CloudTasksQueue:
    return CloudTasksQueue(build_client(emulator), {"projection": QUEUE}, target,
                           "tasks-invoker@gorunchat-test.iam.gserviceaccount.com")


def test_a_task_is_dispatched_to_the_tasks_function_with_cloud_tasks_headers(
        cloud_tasks_emulator: str, front: tuple[Front, Container]) -> None:
    server, container = front
    with container.store.unit_of_work("acme") as uow:
        uow.record(AuditEvent(action="conversation.update"))
        uow.commit()

    name = _queue(cloud_tasks_emulator, server.url).enqueue(
        "projection", PROJECTION_PATH, ProjectionTask(tenantId="acme"), task_id="first-run")

    delivery = server.wait_for(1)[0]
    assert name == f"{QUEUE}/tasks/first-run"
    assert (delivery["path"], delivery["status"]) == (PROJECTION_PATH, 200)
    assert delivery["headers"]["X-Cloudtasks-Taskname"] == "first-run"
    assert delivery["headers"]["X-Cloudtasks-Queuename"] == QUEUE
    assert delivery["answer"]["auditProjected"] == 1


def test_a_task_delivered_twice_is_projected_once(
        cloud_tasks_emulator: str, front: tuple[Front, Container]) -> None:
    server, container = front
    for n in range(4):
        with container.store.unit_of_work("acme") as uow:
            uow.record(AuditEvent(action="conversation.update", targetId=f"c{n}"))
            uow.commit()
    queue = _queue(cloud_tasks_emulator, server.url)

    # The emulator, unlike Cloud Tasks, accepts the same name twice: a duplicate delivery.
    queue.enqueue("projection", PROJECTION_PATH, ProjectionTask(tenantId="acme"),
                  task_id="twice")
    queue.enqueue("projection", PROJECTION_PATH, ProjectionTask(tenantId="acme"),
                  task_id="twice")

    deliveries = server.wait_for(2)
    assert [d["headers"]["X-Cloudtasks-Taskname"] for d in deliveries] == ["twice", "twice"]
    assert sorted(d["answer"]["auditProjected"] for d in deliveries) == [0, 4]
    sink = container.query_sink
    assert isinstance(sink, LocalQuerySink)
    assert sink.count(AUDIT_TABLE) == 4


def test_a_queue_that_is_not_configured_or_does_not_exist_is_unavailable(
        cloud_tasks_emulator: str) -> None:
    missing = f"projects/{PROJECT}/locations/{LOCATION}/queues/nope"
    queue = CloudTasksQueue(build_client(cloud_tasks_emulator), {"exports": missing},
                            "http://127.0.0.1:9", None)

    with pytest.raises(ServiceUnavailable) as unconfigured:
        queue.enqueue("retention", "/tasks/retention", ProjectionTask())
    with pytest.raises(ServiceUnavailable) as absent:
        queue.enqueue("exports", "/tasks/export", ProjectionTask())

    assert unconfigured.value.code == absent.value.code == "TASK_QUEUE_UNAVAILABLE"
