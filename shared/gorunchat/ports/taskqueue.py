"""The task queue port: hand work to the ``tasks`` function, at least once.

Both adapters have Cloud Tasks semantics: a task is an HTTP POST of a JSON body to a path
of the tasks function; a non-2xx answer is retried with exponential backoff up to a maximum
number of attempts; a named task is created once (a second ``enqueue`` with the same
``task_id`` is a no-op), which is how callers deduplicate. Consumers are idempotent.
"""

from __future__ import annotations

from typing import Protocol

from pydantic import BaseModel

from gorunchat.contracts.tasks import QueueName


class TaskQueue(Protocol):
    """Enqueue JSON tasks for the tasks function."""

    def enqueue(self, queue: QueueName, path: str, payload: BaseModel, *,
                task_id: str | None = None, delay_s: float = 0.0) -> str:
        """Create a task that POSTs ``payload`` to ``path``; returns the task's name.

        ``task_id`` names the task: a task with that name already created is not created
        again (``enqueue`` then returns its name quietly). ``ServiceUnavailable`` when the
        queue cannot be reached.
        """
