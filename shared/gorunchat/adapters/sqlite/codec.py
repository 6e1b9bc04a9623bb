"""JSON encoding for stored documents: datetimes as fixed-width UTC strings that sort."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def encode_value(value: Any) -> Any:
    """A filter or document value as stored: datetimes become sortable strings."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).strftime(_FORMAT)
    if isinstance(value, bool):
        return 1 if value else 0
    return value


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return encode_value(value)
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot store a {type(value).__name__}")


def dumps(doc: Any) -> str:
    return json.dumps(doc, default=_default, ensure_ascii=False, separators=(",", ":"))


def loads(raw: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(raw)
    return value
