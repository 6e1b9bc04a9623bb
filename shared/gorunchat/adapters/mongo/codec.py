"""Values at the MongoDB boundary: what is written, what is read back, what a cursor holds.

BSON dates keep milliseconds and no time zone, and LibreChat databases hold ``ObjectId``
values. Documents are written with datetimes truncated to the millisecond (so a round trip
compares equal) and read back with ``ObjectId`` turned into its hex string and every datetime
made timezone-aware UTC, so nothing Mongo-specific crosses into the domain.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bson import ObjectId
from bson.errors import InvalidId

from gorunchat.contracts.errors import BadRequest
from gorunchat.domain.hashchain import canonical_json

_OBJECT_ID = re.compile(r"^[0-9a-f]{24}$")


def truncate_ms(value: datetime) -> datetime:
    """``value`` in UTC at millisecond precision (naive values are taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.replace(microsecond=value.microsecond // 1000 * 1000)


def to_stored(value: Any) -> Any:
    """A document or filter value as written: datetimes at ms precision, tuples as lists."""
    if isinstance(value, datetime):
        return truncate_ms(value)
    if isinstance(value, Mapping):
        return {str(k): to_stored(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_stored(v) for v in value]
    return value


def from_stored(value: Any) -> Any:
    """A value read back: ``ObjectId`` → hex string, datetimes → aware UTC."""
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value).astimezone(UTC)
    if isinstance(value, Mapping):
        return {str(k): from_stored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_stored(v) for v in value]
    return value


def id_variants(value: Any) -> list[Any]:
    """The forms a stored reference may take: a 24-hex string also matches its ``ObjectId``."""
    stored = to_stored(value)
    if isinstance(value, str) and _OBJECT_ID.match(value):
        return [stored, ObjectId(value)]
    return [stored]


def json_native(value: Mapping[str, Any]) -> dict[str, Any]:
    """``value`` as the JSON the audit hash covers, so the stored record hashes the same."""
    native: dict[str, Any] = json.loads(canonical_json(value))
    return native


def encode_cursor_value(value: Any) -> Any:
    """A raw sort value in a JSON-safe, type-preserving form for a page cursor."""
    if isinstance(value, datetime):
        return {"$date": truncate_ms(value).isoformat(timespec="milliseconds")}
    if isinstance(value, ObjectId):
        return {"$oid": str(value)}
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise BadRequest("Cannot page on a field of this type.", code="INVALID_SORT")


def decode_cursor_value(value: Any) -> Any:
    """The inverse of ``encode_cursor_value``; anything else is an invalid cursor (400)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    try:
        if isinstance(value, dict) and set(value) == {"$date"}:
            return truncate_ms(datetime.fromisoformat(str(value["$date"])))
        if isinstance(value, dict) and set(value) == {"$oid"}:
            return ObjectId(str(value["$oid"]))
    except (ValueError, TypeError, InvalidId) as exc:
        raise BadRequest("The cursor is not valid.", code="INVALID_CURSOR") from exc
    raise BadRequest("The cursor is not valid.", code="INVALID_CURSOR")
