"""Fan-out inside one process: one channel per active stream, many local subscribers each.

A channel is fed either by the local job that owns the stream (frames arrive right after
they are durable in the journal) or, for a stream owned elsewhere, by one Redis reader task
(``XREAD BLOCK``) that the first local subscriber starts and the last one stops. A reader is
never opened per client. Each frame is encoded to SSE bytes once and offered to every
subscriber's bounded buffer; a subscriber whose buffer overflows is flagged ``lagging`` (its
buffer dropped) and resynchronises from the journal, so memory stays bounded.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.ports.streambus import JournalEntry, StreamBus, StreamRef
from gorunchat.streaming.frames import sse

log = logging.getLogger("gorunchat.streaming.hub")

Item = tuple[int, bytes, bool]  # (seq, SSE bytes, terminal)


class Subscriber:
    """One SSE connection's bounded inbox."""

    __slots__ = ("limit", "items", "lagging", "closed", "heartbeat", "overflows", "_waiter")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.items: list[Item] = []
        self.lagging = False
        self.closed = False
        self.heartbeat = False
        self.overflows = 0
        self._waiter: asyncio.Future[None] | None = None

    def offer(self, item: Item) -> None:
        if self.closed or self.lagging:
            return  # a lagging subscriber resynchronises from the journal, not from here
        if len(self.items) >= self.limit:
            self.items = []
            self.lagging = True
            self.overflows += 1
        else:
            self.items.append(item)
        self._wake()

    def take(self) -> list[Item]:
        items, self.items = self.items, []
        return items

    def ping(self) -> None:
        self.heartbeat = True
        self._wake()

    def close(self) -> None:
        self.closed = True
        self._wake()

    def _wake(self) -> None:
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def wait(self) -> None:
        """Until there is something to do (items, lag, heartbeat or close)."""
        if self.items or self.lagging or self.closed or self.heartbeat:
            return
        self._waiter = asyncio.get_running_loop().create_future()
        try:
            await self._waiter
        finally:
            self._waiter = None


class Channel:
    __slots__ = ("ref", "subscribers", "last_seq", "reader", "ended")

    def __init__(self, ref: StreamRef) -> None:
        self.ref = ref
        self.subscribers: set[Subscriber] = set()
        self.last_seq = 0
        self.reader: asyncio.Task[None] | None = None
        self.ended = False

    def deliver(self, entries: Sequence[JournalEntry]) -> None:
        for e in entries:
            if e.seq <= self.last_seq:
                continue
            self.last_seq = e.seq
            terminal = e.terminal
            item = (e.seq, sse(e.seq, e.data), terminal)
            for sub in self.subscribers:
                sub.offer(item)
            if terminal:
                self.ended = True


class Hub:
    def __init__(self, bus: StreamBus, *, buffer: int, block_ms: int = 5000) -> None:
        self.bus = bus
        self.buffer = buffer
        self.block_ms = block_ms
        self.channels: dict[StreamRef, Channel] = {}
        self.owned: set[StreamRef] = set()

    @property
    def subscriber_count(self) -> int:
        return sum(len(c.subscribers) for c in self.channels.values())

    def own(self, ref: StreamRef) -> None:
        self.owned.add(ref)

    def disown(self, ref: StreamRef) -> None:
        """The local owner stopped; if it did not end the stream, follow it through Redis."""
        self.owned.discard(ref)
        channel = self.channels.get(ref)
        if channel is not None and not channel.ended and channel.subscribers:
            self._start_reader(channel)

    def subscribe(self, ref: StreamRef, *, live: bool) -> tuple[Channel, Subscriber]:
        channel = self.channels.get(ref)
        if channel is None:
            channel = self.channels[ref] = Channel(ref)
        sub = Subscriber(self.buffer)
        channel.subscribers.add(sub)
        if live and ref not in self.owned and not channel.ended:
            self._start_reader(channel)
        return channel, sub

    def unsubscribe(self, channel: Channel, sub: Subscriber) -> None:
        sub.closed = True
        channel.subscribers.discard(sub)
        if not channel.subscribers:
            if channel.reader is not None:
                channel.reader.cancel()
                channel.reader = None
            if self.channels.get(channel.ref) is channel:
                del self.channels[channel.ref]

    def publish(self, ref: StreamRef, entries: Sequence[JournalEntry]) -> None:
        channel = self.channels.get(ref)
        if channel is not None:
            channel.deliver(entries)

    def heartbeat(self) -> None:
        for channel in self.channels.values():
            for sub in channel.subscribers:
                sub.ping()

    def close_all(self) -> None:
        for channel in list(self.channels.values()):
            for sub in list(channel.subscribers):
                sub.close()

    def _start_reader(self, channel: Channel) -> None:
        if channel.reader is None or channel.reader.done():
            channel.reader = asyncio.create_task(self._read(channel))

    async def _read(self, channel: Channel) -> None:
        """Follow one stream's journal for this process's subscribers until it ends."""
        ref = channel.ref
        after = channel.last_seq
        failures = 0
        while channel.subscribers and not channel.ended:
            try:
                if after == 0:
                    after = await self.bus.last_seq(ref)
                    channel.last_seq = max(channel.last_seq, after)
                entries = await self.bus.tail(ref, after, self.block_ms)
                if not entries and await self.bus.job(ref) is None:
                    break  # expired without a terminal frame: nothing more will come
                failures = 0
            except ServiceUnavailable:
                failures += 1
                await asyncio.sleep(min(2.0, 0.1 * 2 ** failures))
                continue
            if entries:
                channel.deliver(entries)
                after = entries[-1].seq
        if not channel.ended:
            for sub in list(channel.subscribers):
                sub.close()
