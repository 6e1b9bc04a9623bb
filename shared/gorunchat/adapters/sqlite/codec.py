"""JSON encoding for stored documents: datetimes as fixed-width UTC strings that sort.

Datetimes keep millisecond precision, as BSON dates do, so that both stores return the same
values and a filter compares the same way on either.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from gorunchat.domain.hashchain import canonical_json

_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def encode_value(value: Any) -> Any:
    """A filter or document value as stored: datetimes become sortable strings."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        value = value.astimezone(UTC)
        return value.replace(microsecond=value.microsecond // 1000 * 1000).strftime(_FORMAT)
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


def json_native(value: Any) -> Any:
    """``value`` as the canonical JSON of the audit hash reads it back (datetimes as ISO text).

    Audit metadata is normalised to this before hashing, so the record read back from the
    store hashes exactly as it did when written.
    """
    return json.loads(canonical_json(value))


def loads(raw: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(raw)
    return value
