"""The local dispatcher has Cloud Tasks semantics: HTTP delivery with the Cloud Tasks
headers, at least once, exponential backoff, a maximum of attempts, then a dead letter."""

from __future__ import annotations

import threading
from pathlib import Path

import httpx
from flask import Flask, request

from gorunchat.adapters.local.dispatcher import LocalDispatcher
from gorunchat.contracts.tasks import ProjectionTask


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def _target(statuses: list[int], seen: list[dict[str, str]]) -> Flask:
    """A task target that answers ``statuses`` in turn and records what it was sent."""
    app = Flask("target")

    @app.post("/tasks/audit-projection")
    def handle() -> tuple[str, int]:
        seen.append({**{k: v for k, v in request.headers.items()
                        if k.lower().startswith(("x-cloudtasks", "x-gorunchat"))},
                     "body": request.get_data(as_text=True)})
        return "{}", statuses.pop(0) if statuses else 200

    return app


def _dispatcher(path: Path, app: Flask, clock: Clock, attempts: int = 4) -> LocalDispatcher:
    return LocalDispatcher(path, "http://tasks.local", "s3cret", max_attempts=attempts,
                           min_backoff_s=2.0, max_backoff_s=10.0,
                           transport=httpx.WSGITransport(app=app), clock=clock)


def test_a_task_is_posted_with_the_cloud_tasks_headers(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []
    queue = _dispatcher(tmp_path / "t.db", _target([], seen), Clock())

    name = queue.enqueue("projection", "/tasks/audit-projection",
                         ProjectionTask(tenantId="acme"), task_id="job-1")
    delivered = queue.deliver_one("projection")

    assert (name, delivered, queue.pending()) == ("job-1", True, 0)
    assert seen == [{"X-Cloudtasks-Taskname": "job-1", "X-Cloudtasks-Queuename": "projection",
                     "X-Cloudtasks-Taskretrycount": "0", "X-Cloudtasks-Taskexecutioncount": "0",
                     "X-Gorunchat-Task-Secret": "s3cret",
                     "body": '{"tenantId":"acme","batchSize":null}'}]


def test_failures_are_retried_with_doubling_backoff_until_success(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []
    clock = Clock()
    queue = _dispatcher(tmp_path / "t.db", _target([503, 500, 429], seen), clock)
    queue.enqueue("projection", "/tasks/audit-projection", ProjectionTask())
    waits: list[float] = []

    for _ in range(4):
        start = clock.now
        while not queue.deliver_one("projection"):
            clock.now += 0.5
        waits.append(clock.now - start)

    assert waits == [0.0, 2.0, 4.0, 8.0]
    assert [s["X-Cloudtasks-Taskretrycount"] for s in seen] == ["0", "1", "2", "3"]
    assert (queue.pending(), queue.dead_letters()) == (0, [])


def test_a_task_that_keeps_failing_becomes_a_dead_letter(tmp_path: Path) -> None:
    clock = Clock()
    queue = _dispatcher(tmp_path / "t.db", _target([500] * 10, []), clock, attempts=3)
    queue.enqueue("projection", "/tasks/audit-projection", ProjectionTask(), task_id="doomed")

    for _ in range(3):
        clock.now += 100
        assert queue.deliver_one("projection") is True
    clock.now += 100

    assert queue.deliver_one("projection") is False
    dead = queue.dead_letters()
    assert [(d.taskId, d.attempts, d.lastStatus, d.path) for d in dead] == [
        ("doomed", 3, 500, "/tasks/audit-projection")]
    assert queue.pending() == 0


def test_an_unreachable_target_is_retried_like_an_error(tmp_path: Path) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    clock = Clock()
    queue = LocalDispatcher(tmp_path / "t.db", "http://tasks.local", "s", max_attempts=2,
                            min_backoff_s=1, transport=httpx.MockTransport(refuse), clock=clock)
    queue.enqueue("retention", "/tasks/retention", ProjectionTask())

    queue.deliver_one("retention")
    clock.now += 5
    queue.deliver_one("retention")

    assert queue.dead_letters()[0].lastError == "ConnectError: connection refused"


def test_a_named_task_is_created_once(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []
    queue = _dispatcher(tmp_path / "t.db", _target([], seen), Clock())

    queue.enqueue("exports", "/tasks/audit-projection", ProjectionTask(), task_id="once")
    queue.enqueue("exports", "/tasks/audit-projection", ProjectionTask(), task_id="once")
    queue.deliver_one("exports")
    queue.enqueue("exports", "/tasks/audit-projection", ProjectionTask(), task_id="once")

    assert (len(seen), queue.pending()) == (1, 0)


def test_tasks_survive_a_restart(tmp_path: Path) -> None:
    seen: list[dict[str, str]] = []
    first = _dispatcher(tmp_path / "t.db", _target([], seen), Clock())
    first.enqueue("projection", "/tasks/audit-projection", ProjectionTask(), task_id="kept")
    first.stop()

    second = _dispatcher(tmp_path / "t.db", _target([], seen), Clock())

    assert second.deliver_one("projection") is True
    assert seen[0]["X-Cloudtasks-Taskname"] == "kept"


def test_started_workers_deliver_without_being_asked(tmp_path: Path) -> None:
    delivered = threading.Event()
    app = Flask("target")

    @app.post("/tasks/audit-projection")
    def handle() -> str:
        delivered.set()
        return "{}"

    queue = LocalDispatcher(tmp_path / "t.db", "http://tasks.local", "s",
                            transport=httpx.WSGITransport(app=app)).start()
    try:
        queue.enqueue("projection", "/tasks/audit-projection", ProjectionTask())
        assert delivered.wait(timeout=10)
    finally:
        queue.stop()
