"""Identifier generation: time-ordered so that ids sort roughly by creation."""

from __future__ import annotations

import os
import time
import uuid


def object_id() -> str:
    """A 24-hex id in MongoDB ObjectId layout (seconds, then random), as LibreChat's ``_id``."""
    return f"{int(time.time()):08x}{os.urandom(8).hex()}"


def sortable_id() -> str:
    """A UUID whose first 48 bits are the Unix time in ms (UUIDv7 layout)."""
    ms = time.time_ns() // 1_000_000
    raw = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70
    raw[8] = (raw[8] & 0x3F) | 0x80
    return str(uuid.UUID(bytes=bytes(raw)))


def new_uuid() -> str:
    return str(uuid.uuid4())
