"""The ``StreamBus`` on Redis: Streams journals, job hashes, Lua-fenced writes, pub/sub control.

Layout (see ``keys``): per generation a job hash, a Stream journal whose entry ids are
``0-<seq>`` (so a ``Last-Event-ID`` maps straight to ``XRANGE``), bounded with
``MAXLEN ~``, and a snapshot hash (the aggregated content as of some seq, for cursors older
than the journal keeps); per user an active set and conversation and request pointers; one
global sorted set indexing leases by expiry for the reapers. Terminal jobs expire after
``terminal_ttl_s``; running ones after ``safety_ttl_s`` unless their owner renews them.

Blocking reads (``XREAD BLOCK``) use their own connection pool so they never starve the
commands that owners and request handlers issue.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import BusyLoadingError, NoScriptError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from gorunchat.adapters.redis import scripts
from gorunchat.adapters.redis.keys import (
    LEASES,
    UserKeys,
    control_channel,
    lease_member,
    parse_lease_member,
    stream_keys,
)
from gorunchat.adapters.redis.pipe import PipelinedConnection
from gorunchat.contracts.chat import EndReason, JobRecord, JobStatus
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.ports.streambus import (
    BUS_UNAVAILABLE,
    AppendResult,
    CancelSignal,
    JournalEntry,
    Renewal,
    Reservation,
    Snapshot,
    StreamRef,
)

_DOWN = (RedisConnectionError, RedisTimeoutError, BusyLoadingError, OSError)
_JOB_FIELDS = ("streamId", "tenantId", "userId", "conversationId", "owner", "clientRequestId",
               "userMessageId", "responseMessageId", "parentMessageId", "endpoint", "model",
               "sender")


def unavailable(exc: BaseException) -> ServiceUnavailable:
    return ServiceUnavailable("The chat stream service cannot reach its message bus; "
                              "try again shortly.", code=BUS_UNAVAILABLE)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _entries(raw: Any) -> list[JournalEntry]:
    out: list[JournalEntry] = []
    for entry_id, fields in raw:
        seq = int(entry_id.split(b"-", 1)[1])
        if isinstance(fields, dict):
            out.append(JournalEntry(seq, fields[b"k"].decode(), fields[b"d"]))
        else:  # Lua replies carry the field list flat: [k, kind, d, data]
            out.append(JournalEntry(seq, fields[1].decode(), fields[3]))
    return out


def _job(raw: Any) -> JobRecord | None:
    if not raw:
        return None
    data = {k.decode(): v.decode() for k, v in raw.items()}
    if not data.get("cancel"):
        data.pop("cancel", None)
    return JobRecord.model_validate(data)


class RedisStreamBus:
    """``StreamBus`` over one Redis (standalone or Memorystore; cluster-safe key tags)."""

    def __init__(self, url: str, *, lease_ttl_ms: int, journal_maxlen: int,
                 terminal_ttl_s: int, safety_ttl_s: int = 6 * 3600) -> None:
        # A blocking pool: past its size, callers wait for a connection (backpressure)
        # instead of failing, so a burst of appends never turns into 503s.
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=128, timeout=5, socket_timeout=5, socket_connect_timeout=2)
        self._client = aioredis.Redis(connection_pool=pool)
        self._blocking = aioredis.Redis.from_url(url, socket_timeout=30,
                                                 socket_connect_timeout=2)
        self._url = url
        self.lease_ttl_ms = lease_ttl_ms
        self.journal_maxlen = journal_maxlen
        self.terminal_ttl_s = terminal_ttl_s
        self.safety_ttl_s = safety_ttl_s
        c = self._client
        self._reserve = c.register_script(scripts.RESERVE)
        self._append_script = c.register_script(scripts.APPEND)
        self._pipe = PipelinedConnection(url)
        self._renew = c.register_script(scripts.RENEW)
        self._claim = c.register_script(scripts.CLAIM)
        self._cancel = c.register_script(scripts.CANCEL)
        self._snapshot = c.register_script(scripts.SNAPSHOT)

    async def reserve(self, job: JobRecord, *, limit: int) -> Reservation:
        keys = UserKeys(job.tenantId, job.userId)
        fields: list[str] = []
        for name in _JOB_FIELDS:
            value = getattr(job, name)
            if value is not None:
                fields += [name, str(value)]
        has_request = job.clientRequestId is not None
        request_key = keys.request(job.clientRequestId or "-")
        try:
            reply = await self._reserve(
                keys=[keys.job(job.streamId), keys.active,
                      keys.conversation(job.conversationId), request_key],
                args=[job.streamId, limit, self.lease_ttl_ms, self.safety_ttl_s,
                      self.terminal_ttl_s + self.safety_ttl_s, keys.job_prefix,
                      "1" if has_request else "0", *fields])
        except _DOWN as exc:
            raise unavailable(exc) from exc
        status = _text(reply[0])
        if status == "limited":
            return Reservation("limited")
        ref = StreamRef(job.tenantId, job.userId, _text(reply[1]))
        if status == "resumed":
            return Reservation("resumed", await self.job(ref))
        await self._index(ref, int(reply[2]))
        replaced = _text(reply[3])
        replaced_ref = StreamRef(job.tenantId, job.userId, replaced) if replaced else None
        if replaced_ref is not None:
            await self._notify(replaced_ref, EndReason.REPLACED)
        return Reservation("started", await self.job(ref), replaced_ref)

    async def release(self, ref: StreamRef) -> None:
        keys = UserKeys.of(ref)
        try:
            async with self._client.pipeline(transaction=True) as pipe:
                pipe.delete(keys.job(ref.stream_id), keys.log(ref.stream_id))
                pipe.srem(keys.active, ref.stream_id)
                pipe.zrem(LEASES, lease_member(ref))
                await pipe.execute()
        except _DOWN as exc:
            raise unavailable(exc) from exc

    async def append(self, ref: StreamRef, owner: str, entries: Sequence[JournalEntry], *,
                     terminal: JobStatus | None = None,
                     snapshot: Snapshot | None = None) -> AppendResult:
        args: list[Any] = [owner, self.journal_maxlen, terminal.value if terminal else "",
                           self.terminal_ttl_s, snapshot.seq if snapshot else "",
                           snapshot.data if snapshot else b"", ref.stream_id]
        for entry in entries:
            args += [entry.seq, entry.kind, entry.data]
        try:
            reply = await self._run_append(stream_keys(ref), args)
            if terminal is not None and reply[0] == 1:
                await self._client.zrem(LEASES, lease_member(ref))
        except _DOWN as exc:
            raise unavailable(exc) from exc
        cancel = _text(reply[1])
        return AppendResult(reply[0] == 1, EndReason(cancel) if cancel else None)

    async def _run_append(self, keys: tuple[str, ...], args: list[Any]) -> Any:
        script = self._append_script
        try:
            return await self._pipe.execute("EVALSHA", script.sha, len(keys), *keys, *args)
        except NoScriptError:  # first use on this server (or after a restart/flush)
            await self._pipe.execute("SCRIPT", "LOAD", script.script)
            return await self._pipe.execute("EVALSHA", script.sha, len(keys), *keys, *args)

    async def job(self, ref: StreamRef) -> JobRecord | None:
        try:
            raw = await self._client.hgetall(UserKeys.of(ref).job(ref.stream_id))
        except _DOWN as exc:
            raise unavailable(exc) from exc
        return _job(raw)

    async def current_stream(self, tenant_id: str, user_id: str, conversation_id: str
                             ) -> str | None:
        try:
            raw = await self._client.get(UserKeys(tenant_id, user_id).conversation(
                conversation_id))
        except _DOWN as exc:
            raise unavailable(exc) from exc
        return _text(raw) if raw else None

    async def active(self, tenant_id: str, user_id: str) -> list[JobRecord]:
        keys = UserKeys(tenant_id, user_id)
        try:
            members = sorted(_text(m) for m in await self._client.smembers(keys.active))
            async with self._client.pipeline(transaction=False) as pipe:
                for member in members:
                    pipe.hgetall(keys.job(member))
                rows = await pipe.execute()
        except _DOWN as exc:
            raise unavailable(exc) from exc
        jobs = [_job(row) for row in rows]
        return [j for j in jobs if j is not None and j.state is JobStatus.RUNNING]

    async def read(self, ref: StreamRef, after: int, count: int) -> list[JournalEntry]:
        try:
            raw = await self._client.xrange(UserKeys.of(ref).log(ref.stream_id),
                                            min=f"(0-{after}", max="+", count=count)
        except _DOWN as exc:
            raise unavailable(exc) from exc
        return _entries(raw)

    async def read_snapshot(self, ref: StreamRef, count: int
                            ) -> tuple[Snapshot | None, list[JournalEntry]]:
        keys = UserKeys.of(ref)
        try:
            seq, data, raw = await self._snapshot(
                keys=[keys.snap(ref.stream_id), keys.log(ref.stream_id)], args=[count])
        except _DOWN as exc:
            raise unavailable(exc) from exc
        snap = Snapshot(int(seq), data) if seq else None
        return snap, _entries(raw)

    async def tail(self, ref: StreamRef, after: int, block_ms: int) -> list[JournalEntry]:
        key = UserKeys.of(ref).log(ref.stream_id)
        try:
            reply: Any = await self._blocking.xread({key: f"0-{after}"}, count=1000,
                                                    block=block_ms)
        except _DOWN as exc:
            raise unavailable(exc) from exc
        if not reply:
            return []
        if isinstance(reply, dict):  # RESP3
            return _entries(next(iter(reply.values()))[0])
        return _entries(reply[0][1])

    async def last_seq(self, ref: StreamRef) -> int:
        try:
            raw = await self._client.xrevrange(UserKeys.of(ref).log(ref.stream_id), count=1)
        except _DOWN as exc:
            raise unavailable(exc) from exc
        return _entries(raw)[0].seq if raw else 0

    async def request_cancel(self, ref: StreamRef, reason: EndReason) -> JobRecord | None:
        job = await self.job(ref)
        if job is None:
            return None
        if job.state is JobStatus.RUNNING:
            await self._notify(ref, reason)
        return job

    async def _notify(self, ref: StreamRef, reason: EndReason) -> None:
        try:
            found, owner = await self._cancel(keys=[UserKeys.of(ref).job(ref.stream_id)],
                                              args=[reason.value])
            if found and owner:
                message = f"{reason.value}\n{lease_member(ref)}"
                await self._client.publish(control_channel(_text(owner)), message)
        except _DOWN as exc:
            raise unavailable(exc) from exc

    async def renew(self, owner: str, refs: Sequence[StreamRef]) -> list[Renewal]:
        if not refs:
            return []
        try:
            async with self._client.pipeline(transaction=False) as pipe:
                for ref in refs:
                    keys = UserKeys.of(ref)
                    sid = ref.stream_id
                    await self._renew(keys=[keys.job(sid), keys.log(sid), keys.snap(sid)],
                                      args=[owner, self.lease_ttl_ms, self.safety_ttl_s],
                                      client=pipe)
                replies = await pipe.execute()
            leases = {lease_member(ref): int(r[2])
                      for ref, r in zip(refs, replies, strict=True) if r[0] == 1}
            if leases:
                await self._client.zadd(LEASES, leases)
        except _DOWN as exc:
            raise unavailable(exc) from exc
        return [Renewal(ref, r[0] == 1, EndReason(_text(r[1])) if r[1] else None)
                for ref, r in zip(refs, replies, strict=True)]

    async def expired(self, limit: int) -> list[StreamRef]:
        try:
            now_s, now_us = await self._client.time()
            members = await self._client.zrangebyscore(
                LEASES, "-inf", int(now_s) * 1000 + int(now_us) // 1000, start=0, num=limit)
        except _DOWN as exc:
            raise unavailable(exc) from exc
        refs = [parse_lease_member(_text(m)) for m in members]
        return [r for r in refs if r is not None]

    async def claim(self, ref: StreamRef, owner: str) -> JobRecord | None:
        try:
            won, expires = await self._claim(keys=[UserKeys.of(ref).job(ref.stream_id)],
                                             args=[owner, self.lease_ttl_ms])
            if won == 0:
                await self._client.zrem(LEASES, lease_member(ref))
                return None
            await self._index(ref, int(expires))
        except _DOWN as exc:
            raise unavailable(exc) from exc
        return await self.job(ref) if won == 1 else None

    async def _index(self, ref: StreamRef, expires: int) -> None:
        try:
            await self._client.zadd(LEASES, {lease_member(ref): expires})
        except _DOWN as exc:
            raise unavailable(exc) from exc

    async def signals(self, owner: str) -> AsyncIterator[CancelSignal]:
        pubsub = self._client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(control_channel(owner))
            while True:
                message = await pubsub.get_message(timeout=30.0)
                if message is None or message.get("type") != "message":
                    continue
                signal = _parse_signal(_text(message["data"]))
                if signal is not None:
                    yield signal
        except _DOWN as exc:
            raise unavailable(exc) from exc
        finally:
            await asyncio.shield(pubsub.aclose())  # type: ignore[no-untyped-call]

    async def ping(self) -> None:
        try:
            await self._client.ping()
        except _DOWN as exc:
            raise unavailable(exc) from exc

    async def close(self) -> None:
        await self._pipe.close()
        await self._client.aclose()
        await self._blocking.aclose()


def _parse_signal(text: str) -> CancelSignal | None:
    reason, _, member = text.partition("\n")
    ref = parse_lease_member(member)
    try:
        return CancelSignal(ref, EndReason(reason)) if ref else None
    except ValueError:
        return None

