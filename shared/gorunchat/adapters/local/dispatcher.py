"""The local task dispatcher: Cloud Tasks semantics on one machine.

Tasks live in an SQLite file, so they survive a restart (at-least-once). A worker thread per
queue POSTs each due task to the tasks function over HTTP, with the headers Cloud Tasks sends
(``X-CloudTasks-TaskName``, ``-QueueName``, ``-TaskRetryCount``, ``-TaskExecutionCount``)
and the local task secret. A 2xx answer completes the task; anything else (or no answer) is
retried with exponential backoff, up to ``max_attempts``, after which the task is moved to
the dead-letter table with its last status and error. A task name is created once: a second
``enqueue`` with the same ``task_id`` is a no-op while the first is kept (one hour after it
completes, like Cloud Tasks). Timers enqueue recurring tasks (projection, retention).
"""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import httpx
from pydantic import BaseModel

from gorunchat.contracts.tasks import DeadLetter, QueueName

QUEUES: tuple[QueueName, ...] = ("projection", "retention", "exports")
DONE_KEPT_S = 3600.0
_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS tasks (name TEXT PRIMARY KEY, queue TEXT NOT NULL,
    path TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL, done_at REAL, last_status INTEGER, last_error TEXT)""",
    "CREATE INDEX IF NOT EXISTS ix_tasks_due ON tasks(queue, done_at, next_at)",
    """CREATE TABLE IF NOT EXISTS dead_letters (name TEXT PRIMARY KEY, queue TEXT NOT NULL,
    path TEXT NOT NULL, body TEXT NOT NULL, attempts INTEGER NOT NULL,
    last_status INTEGER, last_error TEXT, dead_at REAL NOT NULL)""",
)


class LocalDispatcher:
    """``TaskQueue`` plus the workers that deliver its tasks to ``base_url``."""

    def __init__(self, path: Path, base_url: str, secret: str, *, max_attempts: int = 8,
                 min_backoff_s: float = 1.0, max_backoff_s: float = 300.0,
                 transport: httpx.BaseTransport | None = None,
                 clock: Callable[[], float] = time.time, timeout_s: float = 600.0) -> None:
        self.path, self.max_attempts = path, max_attempts
        self.min_backoff_s, self.max_backoff_s, self._clock = min_backoff_s, max_backoff_s, clock
        self._http = httpx.Client(base_url=base_url, transport=transport, timeout=timeout_s,
                                  headers={"X-GoRunChat-Task-Secret": secret})
        self._local = threading.local()
        self._wake = threading.Condition()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        path.parent.mkdir(parents=True, exist_ok=True)
        for statement in _SCHEMA:
            self._db().execute(statement)

    def _db(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=10.0)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    # -- TaskQueue -----------------------------------------------------------------------

    def enqueue(self, queue: QueueName, path: str, payload: BaseModel, *,
                task_id: str | None = None, delay_s: float = 0.0) -> str:
        """Store the task (a known name is a no-op) and wake the queue's worker."""
        name = task_id or f"task-{uuid.uuid4().hex}"
        now = self._clock()
        db = self._db()
        db.execute("DELETE FROM tasks WHERE done_at IS NOT NULL AND done_at < ?",
                   (now - DONE_KEPT_S,))
        db.execute("INSERT OR IGNORE INTO tasks(name, queue, path, body, next_at) "
                   "VALUES (?, ?, ?, ?, ?)",
                   (name, queue, path, payload.model_dump_json(), now + delay_s))
        with self._wake:
            self._wake.notify_all()
        return name

    # -- delivery ------------------------------------------------------------------------

    def backoff(self, attempts: int) -> float:
        """Seconds before attempt ``attempts + 1``: doubling from the minimum, capped."""
        return float(min(self.max_backoff_s, self.min_backoff_s * 2 ** (attempts - 1)))

    def _due(self, queue: str, now: float) -> tuple[str, str, str, int] | None:
        row = self._db().execute(
            "SELECT name, path, body, attempts FROM tasks WHERE queue = ? AND done_at IS NULL "
            "AND next_at <= ? ORDER BY next_at, rowid LIMIT 1", (queue, now)).fetchone()
        return (str(row[0]), str(row[1]), str(row[2]), int(row[3])) if row else None

    def _post(self, name: str, queue: str, path: str, body: str, attempts: int
              ) -> tuple[int | None, str | None]:
        headers = {"Content-Type": "application/json", "X-CloudTasks-TaskName": name,
                   "X-CloudTasks-QueueName": queue,
                   "X-CloudTasks-TaskRetryCount": str(attempts),
                   "X-CloudTasks-TaskExecutionCount": str(attempts)}
        try:
            response = self._http.post(path, content=body.encode(), headers=headers)
        except httpx.HTTPError as exc:
            return None, f"{type(exc).__name__}: {exc}"
        error = None if response.is_success else response.text[:500]
        return response.status_code, error

    def deliver_one(self, queue: str) -> bool:
        """Deliver the queue's next due task, if any; ``True`` when one was attempted."""
        due = self._due(queue, self._clock())
        if due is None:
            return False
        name, path, body, attempts = due
        status, error = self._post(name, queue, path, body, attempts)
        attempts += 1
        db = self._db()
        if error is None:
            db.execute("UPDATE tasks SET done_at = ?, attempts = ?, last_status = ? "
                       "WHERE name = ?", (self._clock(), attempts, status, name))
        elif attempts >= self.max_attempts:
            db.execute("INSERT OR REPLACE INTO dead_letters(name, queue, path, body, attempts, "
                       "last_status, last_error, dead_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (name, queue, path, body, attempts, status, error, self._clock()))
            db.execute("UPDATE tasks SET done_at = ?, attempts = ?, last_status = ?, "
                       "last_error = ? WHERE name = ?",
                       (self._clock(), attempts, status, error, name))
        else:
            db.execute("UPDATE tasks SET attempts = ?, next_at = ?, last_status = ?, "
                       "last_error = ? WHERE name = ?",
                       (attempts, self._clock() + self.backoff(attempts), status, error, name))
        return True

    def pending(self, queue: str | None = None) -> int:
        sql, args = "SELECT COUNT(*) FROM tasks WHERE done_at IS NULL", []
        if queue is not None:
            sql, args = sql + " AND queue = ?", [queue]
        return int(self._db().execute(sql, args).fetchone()[0])

    def dead_letters(self) -> list[DeadLetter]:
        rows = self._db().execute(
            "SELECT name, queue, path, body, attempts, last_status, last_error, dead_at "
            "FROM dead_letters ORDER BY dead_at").fetchall()
        return [DeadLetter(taskId=r[0], queue=r[1], path=r[2], body=r[3], attempts=r[4],
                           lastStatus=r[5], lastError=r[6],
                           deadAt=datetime.fromtimestamp(r[7], UTC)) for r in rows]

    # -- workers and timers --------------------------------------------------------------

    def _next_due_in(self, queue: str) -> float:
        row = self._db().execute("SELECT MIN(next_at) FROM tasks WHERE queue = ? AND "
                                 "done_at IS NULL", (queue,)).fetchone()
        return max(0.0, float(row[0]) - self._clock()) if row and row[0] is not None else 60.0

    def _work(self, queue: str) -> None:
        while not self._stop.is_set():
            if self.deliver_one(queue):
                continue
            with self._wake:
                self._wake.wait(timeout=min(self._next_due_in(queue), 5.0))

    def _tick(self, queue: QueueName, path: str, payload: BaseModel, every_s: float) -> None:
        while not self._stop.is_set():
            slot = int(self._clock() // every_s)
            self.enqueue(queue, path, payload, task_id=f"timer-{queue}-{slot}")
            self._stop.wait(every_s - self._clock() % every_s)

    def start(self) -> LocalDispatcher:
        for queue in QUEUES:
            self._spawn(self._work, queue)
        return self

    def every(self, queue: QueueName, path: str, payload: BaseModel, every_s: float) -> None:
        """Enqueue ``payload`` to ``path`` once per ``every_s`` seconds while running."""
        self._spawn(self._tick, queue, path, payload, every_s)

    def _spawn(self, target: Callable[..., None], *args: object) -> None:
        thread = threading.Thread(target=target, args=args, daemon=True,
                                  name=f"dispatcher-{args[0]}")
        thread.start()
        self._threads.append(thread)

    def stop(self, timeout_s: float = 10.0) -> None:
        self._stop.set()
        with self._wake:
            self._wake.notify_all()
        for thread in self._threads:
            thread.join(timeout_s)
        self._http.close()
