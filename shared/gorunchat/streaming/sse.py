"""The SSE response of ``GET /api/agents/chat/stream/:streamId``: replay, then the live tail.

Order of operations makes delivery exactly-once: the subscriber joins its channel first, then
reads the journal after its cursor (``Last-Event-ID`` or ``?after=``), then takes live frames,
skipping every seq it already sent. A gap (a live frame that is not ``cursor + 1``) sends it
back to the journal. A cursor older than the journal keeps gets one ``sync`` frame (the
aggregated state, with the seq it stands for as its id) and continues after it; so does a
subscriber whose buffer overflowed. The terminal frame is the last thing written, then the
response ends.
"""

from __future__ import annotations

import asyncio
import logging

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from gorunchat.contracts.chat import JobRecord, ResumeState, SyncFrame
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.ports.streambus import JournalEntry, StreamRef
from gorunchat.streaming.aggregate import Aggregator
from gorunchat.streaming.frames import HEARTBEAT, SSE_HEADERS, sse
from gorunchat.streaming.hub import Hub, Subscriber

log = logging.getLogger("gorunchat.streaming.sse")

REPLAY_BATCH = 1000
MAX_OVERFLOWS = 8  # lag episodes; a client this slow is disconnected (it may reconnect)


class SseResponse(Response):
    def __init__(self, hub: Hub, job: JobRecord, after: int, headers: dict[str, str]) -> None:
        # Response.__init__ would add ``content-length: 0``; an event stream has no length.
        self.status_code = 200
        self.background = None
        self.raw_headers = [(k.lower().encode("latin-1"), v.encode("latin-1"))
                            for k, v in headers.items()]
        self.hub = hub
        self.job = job
        self.ref = StreamRef.of(job)
        self.cursor = after

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        channel, sub = self.hub.subscribe(self.ref, live=self.job.state == "running")
        watcher = asyncio.ensure_future(_watch_disconnect(receive, sub))
        try:
            headers = [*self.raw_headers, *SSE_HEADERS]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await self._serve(send, sub)
            await send({"type": "http.response.body", "body": b"", "more_body": False})
        except ServiceUnavailable:
            log.warning("stream bus unavailable; closing stream",
                        extra={"fields": {"streamId": self.ref.stream_id}})
        finally:
            watcher.cancel()
            self.hub.unsubscribe(channel, sub)

    async def _write(self, send: Send, body: bytes) -> None:
        await send({"type": "http.response.body", "body": body, "more_body": True})

    async def _serve(self, send: Send, sub: Subscriber) -> None:
        done = await self._replay(send) or await self._ended_before(send)
        while not done and not sub.closed:
            if sub.lagging:
                sub.lagging = False
                if sub.overflows > MAX_OVERFLOWS:
                    return
                done = await self._sync(send)
                continue
            items = sub.take()
            if not items:
                if sub.heartbeat:
                    sub.heartbeat = False
                    await self._write(send, HEARTBEAT)
                else:
                    await sub.wait()
                continue
            done = await self._live(send, items)

    async def _live(self, send: Send, items: list[tuple[int, bytes, bool]]) -> bool:
        chunks: list[bytes] = []
        gap = False
        done = False
        for seq, chunk, terminal in items:
            if seq <= self.cursor:
                continue
            if seq != self.cursor + 1:
                gap = True
                break
            chunks.append(chunk)
            self.cursor = seq
            if terminal:
                done = True
                break
        if chunks:
            await self._write(send, b"".join(chunks))
        if gap:
            return await self._replay(send)
        return done

    async def _ended_before(self, send: Send) -> bool:
        """True when the stream ended and the client already has its terminal frame.

        The state and the terminal frame change in one atomic write, so once the job reads
        as ended one more replay holds everything there is; the stream then closes even if
        the cursor was at (or past) the terminal frame.
        """
        job = await self.hub.bus.job(self.ref)
        if job is not None and job.state == "running":
            return False
        await self._replay(send)
        return True

    async def _replay(self, send: Send) -> bool:
        """Send journal frames after the cursor; True once the terminal frame went out."""
        bus = self.hub.bus
        while True:
            entries = await bus.read(self.ref, self.cursor, REPLAY_BATCH)
            if not entries:
                return False
            if entries[0].seq != self.cursor + 1:
                return await self._sync(send)
            if await self._send_entries(send, entries):
                return True
            if len(entries) < REPLAY_BATCH:
                return False

    async def _send_entries(self, send: Send, entries: list[JournalEntry]) -> bool:
        chunks: list[bytes] = []
        done = False
        for e in entries:
            if e.seq <= self.cursor:
                continue
            chunks.append(sse(e.seq, e.data))
            self.cursor = e.seq
            if e.terminal:
                done = True
                break
        if chunks:
            await self._write(send, b"".join(chunks))
        return done

    async def _sync(self, send: Send) -> bool:
        """One ``sync`` frame for everything up to the latest non-terminal frame, then the rest."""
        snapshot, entries = await self.hub.bus.read_snapshot(self.ref, REPLAY_BATCH * 16)
        state = ResumeState.model_validate_json(snapshot.data) if snapshot else None
        agg = Aggregator.restore(self.job, state)
        upto = snapshot.seq if snapshot else 0
        for e in entries:
            if e.terminal:
                break
            agg.apply(e)
            upto = e.seq
        if upto > self.cursor:
            frame = SyncFrame(seq=upto, resumeState=agg.resume_state(self.job))
            await self._write(send, sse(upto, frame.model_dump_json(exclude_none=True).encode()))
            self.cursor = upto
        return await self._send_entries(send, entries)


async def _watch_disconnect(receive: Receive, sub: Subscriber) -> None:
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            sub.close()
            return


def parse_cursor(last_event_id: str | None, after: str | None) -> int | None:
    """The client's cursor from ``Last-Event-ID`` (preferred) or ``?after=``; None if invalid."""
    raw = last_event_id if last_event_id not in (None, "") else after
    if raw in (None, ""):
        return 0
    try:
        value = int(str(raw).strip())
    except ValueError:
        return None
    return value if value >= 0 else None

