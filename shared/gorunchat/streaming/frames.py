"""Frame encoding: DTO → journal entry (once, by the owner) → SSE bytes (once per process)."""

from __future__ import annotations

from pydantic import BaseModel

from gorunchat.contracts.chat import FrameKind
from gorunchat.ports.streambus import JournalEntry

HEARTBEAT = b": keep-alive\n\n"
SSE_HEADERS = [
    (b"content-type", b"text/event-stream; charset=utf-8"),
    (b"cache-control", b"no-cache"),
    (b"x-accel-buffering", b"no"),
    (b"x-content-type-options", b"nosniff"),
]


def entry(kind: FrameKind, frame: BaseModel, seq: int) -> JournalEntry:
    """The journal entry of ``frame`` (whose ``seq`` field must equal ``seq``)."""
    return JournalEntry(seq, kind.value, frame.model_dump_json(exclude_none=True).encode())


def sse(seq: int, data: bytes) -> bytes:
    """One SSE event. JSON from pydantic is compact, so ``data`` never holds a newline."""
    return b"id: %d\nevent: message\ndata: %s\n\n" % (seq, data)
