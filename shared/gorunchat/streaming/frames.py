"""Frame encoding: DTO → journal entry (once, by the owner) → SSE bytes (once per process)."""

from __future__ import annotations

import json

from pydantic import BaseModel

from gorunchat.contracts.chat import FRAME_VERSION, FrameKind
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


# The delta frames are most of a stream, so they skip building an ``EventFrame``: this
# encodes exactly what ``EventFrame(...).model_dump_json(exclude_none=True)`` gives for a
# one-part delta (tests/streaming/test_parts.py holds the two to the same bytes).
_DELTA = {
    "text": b'{"seq":%d,"v":' + str(FRAME_VERSION).encode()
            + b',"event":"on_message_delta","data":{"id":%s,"delta":{"content":'
              b'[{"type":"text","text":%s}]}}}',
    "reasoning": b'{"seq":%d,"v":' + str(FRAME_VERSION).encode()
                 + b',"event":"on_reasoning_delta","data":{"id":%s,"delta":{"content":'
                   b'[{"type":"think","think":%s}]}}}',
}


def delta_entry(kind: str, seq: int, step_id: str, text: str) -> JournalEntry:
    """The journal entry of a text (``on_message_delta``) or reasoning delta frame."""
    # UTF-8 as pydantic writes it; a lone surrogate (invalid text) becomes "?".
    data = _DELTA[kind] % (seq, json.dumps(step_id).encode(),
                           json.dumps(text, ensure_ascii=False).encode("utf-8", "replace"))
    return JournalEntry(seq, kind, data)
