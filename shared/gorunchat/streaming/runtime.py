"""The streaming process: its jobs, its hub and the background loops that keep them honest.

- lease renewal: every third of the lease TTL the owner extends the leases of its jobs in one
  pipeline; a job it no longer owns is stopped without another write, a pending cancel
  (abort, replacement) reaches it here even if the pub/sub message was lost;
- reaper: any instance looks for expired leases, claims one atomically (exactly one claimant
  wins) and recovers it (``recovery.recover``);
- control signals: abort and replacement delivered over pub/sub to the owning instance;
- heartbeats: one tick for all subscribers, not a timer per connection;
- drain (SIGTERM): refuse new starts, end every local job with a terminal frame (it saves its
  partial response first), then close the remaining streams so clients reconnect elsewhere.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import secrets
import socket
import sys
from collections.abc import Awaitable, Callable

from gorunchat.adapters.providers import Providers, build_providers
from gorunchat.contracts.chat import EndReason
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.contracts.settings import Settings
from gorunchat.ports.blobstore import BlobStore
from gorunchat.ports.store import Store
from gorunchat.ports.streambus import BUS_UNAVAILABLE, StreamBus, StreamRef
from gorunchat.streaming.checkpoints import Checkpoints
from gorunchat.streaming.hub import Hub
from gorunchat.streaming.job import GenerationJob, JobDeps
from gorunchat.streaming.recovery import recover

log = logging.getLogger("gorunchat.streaming.runtime")


def instance_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"


def build_bus(settings: Settings) -> StreamBus | None:
    if not settings.redis_url:
        return None
    from gorunchat.adapters.redis.streambus import RedisStreamBus

    return RedisStreamBus(settings.redis_url, lease_ttl_ms=settings.stream_lease_ttl_ms,
                          journal_maxlen=settings.stream_journal_maxlen,
                          terminal_ttl_s=settings.stream_terminal_ttl_s)


class StreamingRuntime:
    def __init__(self, settings: Settings, store: Callable[[], Store],
                 bus: StreamBus | None = None, providers: Providers | None = None,
                 blobs: Callable[[], BlobStore] | None = None) -> None:
        self.settings = settings
        self._store_factory = store
        self._blobs_factory = blobs
        self._bus = bus if bus is not None else build_bus(settings)
        self.providers = providers or build_providers(settings)
        self.owner = instance_id()
        self.hub = Hub(self._bus, buffer=settings.stream_subscriber_buffer) if self._bus \
            else None
        self.jobs: dict[StreamRef, GenerationJob] = {}
        self.checkpoints = Checkpoints(store, settings.stream_checkpoint_ms / 1000)
        self._job_tasks: set[asyncio.Task[None]] = set()
        self._loops: list[asyncio.Task[None]] = []
        self.draining = False
        self.started = False
        self._start_lock = asyncio.Lock()

    @property
    def bus(self) -> StreamBus:
        if self._bus is None:
            raise ServiceUnavailable("The chat stream service has no message bus configured "
                                     "(REDIS_URL).", code=BUS_UNAVAILABLE)
        return self._bus

    @property
    def store(self) -> Store:
        return self._store_factory()

    @property
    def blobs(self) -> BlobStore | None:
        """Where uploaded files live (for images sent to vision models), if configured."""
        return self._blobs_factory() if self._blobs_factory else None

    @property
    def lease_s(self) -> float:
        return self.settings.stream_lease_ttl_ms / 1000

    def job_deps(self) -> JobDeps:
        s = self.settings
        hub = self.hub
        assert hub is not None
        return JobDeps(bus=self.bus, store=self.store, owner=self.owner, publish=hub.publish,
                       checkpoints=self.checkpoints, coalesce_s=s.stream_coalesce_ms / 1000,
                       snapshot_every=max(8, min(256, s.stream_journal_maxlen // 4)),
                       settings=s)

    # -- lifecycle ------------------------------------------------------------------------

    async def ensure_started(self) -> None:
        """Start the background loops once (lifespan, or the first request if none ran)."""
        if self.started:
            return
        async with self._start_lock:
            if self.started or self._bus is None:
                return
            self.started = True
            self._loops = [
                asyncio.create_task(self._forever("renew", self._renew, self.lease_s / 3)),
                asyncio.create_task(self._forever("reap", self._reap, self.lease_s / 2)),
                asyncio.create_task(self._forever(
                    "checkpoint", self._checkpoint, self.settings.stream_checkpoint_ms / 8000)),
                asyncio.create_task(self._forever(
                    "heartbeat", self._heartbeat, self.settings.stream_heartbeat_ms / 1000)),
                asyncio.create_task(self._signals()),
            ]

    def launch(self, job: GenerationJob) -> None:
        assert self.hub is not None
        self.jobs[job.ref] = job
        self.hub.own(job.ref)
        task = asyncio.create_task(job.run())
        self._job_tasks.add(task)
        task.add_done_callback(lambda t: self._job_done(job, t))

    def _job_done(self, job: GenerationJob, task: asyncio.Task[None]) -> None:
        self._job_tasks.discard(task)
        if self.jobs.get(job.ref) is job:
            del self.jobs[job.ref]
        if self.hub is not None:
            self.hub.disown(job.ref)
        if not task.cancelled() and task.exception() is not None:
            log.error("generation stopped on an error", exc_info=task.exception(),
                      extra={"fields": {"streamId": job.ref.stream_id}})

    async def drain(self) -> None:
        """Stop accepting starts and end every local job with a terminal frame."""
        if self.draining:
            return
        self.draining = True
        deadline = max(0.1, self.settings.stream_drain_ms / 1000)
        for job in list(self.jobs.values()):
            job.cancel(EndReason.SHUTDOWN)
        if self._job_tasks:
            await asyncio.wait(set(self._job_tasks), timeout=deadline)
        if self.hub is not None:
            self.hub.close_all()

    async def stop(self) -> None:
        await self.drain()
        for task in [*self._loops, *self._job_tasks]:
            task.cancel()
        await asyncio.gather(*self._loops, *self._job_tasks, return_exceptions=True)
        self._loops = []
        if self._bus is not None:
            await self._bus.close()
        tools = sys.modules.get("gorunchat.services.tools")  # loaded only if MCP was used
        if tools is not None:
            await asyncio.to_thread(tools.close_manager, self)

    # -- loops ----------------------------------------------------------------------------

    async def _forever(self, name: str, step: Callable[[], Awaitable[None]],
                       interval: float) -> None:
        while True:
            await asyncio.sleep(interval * random.uniform(0.8, 1.0))
            try:
                await step()
            except ServiceUnavailable:
                log.warning("%s: stream bus unavailable", name)
            except Exception:  # noqa: BLE001 - a background loop must outlive one bad round
                log.exception("%s failed", name)

    async def _renew(self) -> None:
        refs = list(self.jobs)
        for renewal in await self.bus.renew(self.owner, refs):
            job = self.jobs.get(renewal.ref)
            if job is None:
                continue
            if not renewal.owned:
                job.lose()
            elif renewal.cancel is not None:
                job.cancel(renewal.cancel)

    async def _reap(self) -> None:
        for ref in await self.bus.expired(50):
            if ref in self.jobs or self.draining:
                continue
            claimed = await self.bus.claim(ref, self.owner)
            if claimed is not None:
                log.warning("recovering a generation whose owner stopped renewing",
                            extra={"fields": {"streamId": ref.stream_id,
                                              "previousOwner": claimed.owner}})
                await recover(self.bus, self.store, self.owner, claimed)

    async def _checkpoint(self) -> None:
        await self.checkpoints.save(list(self.jobs.values()))

    async def _heartbeat(self) -> None:
        if self.hub is not None:
            self.hub.heartbeat()

    async def _signals(self) -> None:
        failures = 0
        while True:
            try:
                async for signal in self.bus.signals(self.owner):
                    failures = 0
                    job = self.jobs.get(signal.ref)
                    if job is not None:
                        job.cancel(signal.reason)
            except ServiceUnavailable:
                failures += 1
            except Exception:  # noqa: BLE001 - keep listening after an unexpected reply
                log.exception("control signals failed")
                failures += 1
            await asyncio.sleep(min(5.0, 0.2 * 2 ** failures))
