"""Hash chains over audit records: canonical JSON, record hashes and chain verification."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds")
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def canonical_json(value: Mapping[str, Any]) -> bytes:
    """Sorted keys, no whitespace, UTF-8: the same bytes for the same record everywhere."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    ).encode("utf-8")


def record_hash(fields: Mapping[str, Any]) -> str:
    """SHA-256 of every field but ``hash`` itself."""
    body = {k: v for k, v in fields.items() if k != "hash"}
    return hashlib.sha256(canonical_json(body)).hexdigest()


def first_break(
    records: Iterable[Mapping[str, Any]], *, prev: str = GENESIS, expected_seq: int = 1
) -> tuple[int, Mapping[str, Any], str] | None:
    """Walk records in ``seq`` order; return ``(index, record, reason)`` of the first bad link.

    ``prev`` and ``expected_seq`` start the walk mid-chain (after retention removed a prefix).
    """
    for index, record in enumerate(records):
        seq = record.get("seq")
        if seq != expected_seq:
            return index, record, f"sequence gap: expected {expected_seq}, found {seq}"
        if record.get("prevHash") != prev:
            return index, record, "prevHash does not match the previous record's hash"
        if record_hash(record) != record.get("hash"):
            return index, record, "hash does not match the record's content"
        prev = str(record["hash"])
        expected_seq += 1
    return None
