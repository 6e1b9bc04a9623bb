"""Checkpoints: the partial responses of every running generation, saved together.

Every interval the process writes, per tenant, one transaction holding the current text of
each generation that grew since its last checkpoint, instead of one transaction per
generation; hundreds of concurrent streams then cost a few writes a second and no lock
convoy. A generation about to write its final response first waits for a checkpoint batch
that holds it, so a stale partial can never land after the final write.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Protocol

from anyio import to_thread

from gorunchat.contracts.documents import Message
from gorunchat.ports.store import Store
from gorunchat.ports.streambus import StreamRef
from gorunchat.services import chat

log = logging.getLogger("gorunchat.streaming.checkpoints")


class Checkpointable(Protocol):
    ref: StreamRef
    finishing: bool
    checkpointed_size: int
    checkpointed_at: float

    @property
    def size(self) -> int: ...

    def response(self, *, unfinished: bool, error: bool = False) -> Message: ...


class Checkpoints:
    """Saves each growing generation about every ``interval_s``.

    The runtime calls ``save`` several times per interval and each call takes only the jobs
    whose last checkpoint is an interval old, so the writes (and the work of building the
    messages) spread evenly instead of arriving all at once.
    """

    def __init__(self, store: Callable[[], Store], interval_s: float) -> None:
        self._store = store
        self.interval_s = interval_s
        self._writing: dict[StreamRef, asyncio.Event] = {}

    async def settled(self, ref: StreamRef) -> None:
        """Wait for a checkpoint write that holds ``ref`` (if one is under way)."""
        event = self._writing.get(ref)
        if event is not None:
            await event.wait()

    async def save(self, jobs: Iterable[Checkpointable]) -> int:
        """Write the partial responses of the jobs that are due and grew; how many."""
        now = asyncio.get_running_loop().time()
        batch = [j for j in jobs if not j.finishing and j.size != j.checkpointed_size
                 and now - j.checkpointed_at >= self.interval_s]
        if not batch:
            return 0
        for job in batch:
            job.checkpointed_at = now
        done = asyncio.Event()
        by_tenant: dict[str, list[tuple[Checkpointable, int, Message]]] = defaultdict(list)
        for job in batch:
            self._writing[job.ref] = done
            by_tenant[job.ref.tenant_id].append((job, job.size, job.response(unfinished=True)))
        try:
            for tenant_id, rows in by_tenant.items():
                await to_thread.run_sync(chat.checkpoint, self._store(), tenant_id,
                                         [message for _, _, message in rows])
                for job, size, _ in rows:
                    job.checkpointed_size = size
        finally:
            for job in batch:
                if self._writing.get(job.ref) is done:
                    del self._writing[job.ref]
            done.set()
        return len(batch)
