"""The stream bus port: generation jobs, their ordered frame journals, leases and control.

One journal per generation holds its frames in order (``seq`` from 1); a job record holds its
owner, state, identities and lease. Every write an owner makes is fenced: it succeeds only
while the writer still owns a running job, so a stale owner (one whose lease another
instance took over) can never append after the new owner's terminal frame.

Streams are addressed by ``StreamRef`` (tenant, user, stream id); a stream of another user
or tenant is simply absent. Adapters translate driver failures into
``ServiceUnavailable(code="STREAM_BUS_UNAVAILABLE")``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

from gorunchat.contracts.chat import EndReason, JobRecord, JobStatus

BUS_UNAVAILABLE = "STREAM_BUS_UNAVAILABLE"


@dataclass(frozen=True, slots=True)
class StreamRef:
    tenant_id: str
    user_id: str
    stream_id: str

    @classmethod
    def of(cls, job: JobRecord) -> StreamRef:
        return cls(job.tenantId, job.userId, job.streamId)


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One frame: its sequence number, kind (``FrameKind`` value) and encoded JSON payload."""

    seq: int
    kind: str
    data: bytes

    @property
    def terminal(self) -> bool:
        return self.kind in ("final", "error")


@dataclass(frozen=True, slots=True)
class Snapshot:
    """The aggregated state of a stream as of frame ``seq`` (an encoded ``ResumeState``)."""

    seq: int
    data: bytes


@dataclass(frozen=True, slots=True)
class Reservation:
    """The outcome of ``reserve``: a new job, the existing one for a repeated request, or
    ``limited`` when the user already runs as many generations as allowed."""

    status: Literal["started", "resumed", "limited"]
    job: JobRecord | None = None
    replaced: StreamRef | None = None


@dataclass(frozen=True, slots=True)
class AppendResult:
    """``accepted`` is False when the writer no longer owns a running job (fenced)."""

    accepted: bool
    cancel: EndReason | None = None


@dataclass(frozen=True, slots=True)
class Renewal:
    ref: StreamRef
    owned: bool
    cancel: EndReason | None = None


@dataclass(frozen=True, slots=True)
class CancelSignal:
    """Delivered to the owning instance: stop ``ref`` for ``reason``."""

    ref: StreamRef
    reason: EndReason


class StreamBus(Protocol):
    async def reserve(self, job: JobRecord, *, limit: int) -> Reservation:
        """Create ``job`` atomically: honour its ``clientRequestId`` (``resumed``), the per-user
        limit (``limited``) and replace a running generation on the same conversation."""

    async def release(self, ref: StreamRef) -> None:
        """Undo a reservation whose start could not be persisted."""

    async def append(self, ref: StreamRef, owner: str, entries: Sequence[JournalEntry], *,
                     terminal: JobStatus | None = None,
                     snapshot: Snapshot | None = None) -> AppendResult:
        """Append frames (fenced on ``owner``); ``terminal`` ends the job and starts its TTL."""

    async def job(self, ref: StreamRef) -> JobRecord | None: ...

    async def current_stream(self, tenant_id: str, user_id: str, conversation_id: str
                             ) -> str | None:
        """The latest generation started on a conversation, if it is still retained."""

    async def active(self, tenant_id: str, user_id: str) -> list[JobRecord]:
        """The user's running generations."""

    async def read(self, ref: StreamRef, after: int, count: int) -> list[JournalEntry]:
        """Up to ``count`` retained frames with ``seq > after``, in order."""

    async def read_snapshot(self, ref: StreamRef, count: int
                            ) -> tuple[Snapshot | None, list[JournalEntry]]:
        """The latest snapshot and the frames after it, read atomically."""

    async def tail(self, ref: StreamRef, after: int, block_ms: int) -> list[JournalEntry]:
        """Frames after ``after``, waiting up to ``block_ms`` for the first one to arrive."""

    async def last_seq(self, ref: StreamRef) -> int: ...

    async def request_cancel(self, ref: StreamRef, reason: EndReason) -> JobRecord | None:
        """Flag a running job to stop and tell its owner; the job as it was, or ``None``."""

    async def renew(self, owner: str, refs: Sequence[StreamRef]) -> list[Renewal]:
        """Extend the leases of the owner's jobs; report jobs it lost and pending cancels."""

    async def expired(self, limit: int) -> list[StreamRef]:
        """Running jobs whose lease has run out (candidates for ``claim``)."""

    async def claim(self, ref: StreamRef, owner: str) -> JobRecord | None:
        """Take over a job whose lease expired; exactly one claimant wins."""

    def signals(self, owner: str) -> AsyncIterator[CancelSignal]:
        """Cancel signals addressed to ``owner``, until the iterator is closed."""

    async def ping(self) -> None: ...

    async def close(self) -> None: ...
