"""Cursor pagination shared by every list route.

A cursor is an opaque, URL-safe string that encodes the sort key and id of the last item of
the previous page, so pages stay stable while items are inserted.
"""

from __future__ import annotations

import base64
import json
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from gorunchat.contracts.errors import BadRequest

T = TypeVar("T")


class PageQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


class Page(BaseModel, Generic[T]):
    """A page of items and the cursor for the next one (``None`` at the end)."""

    items: list[T]
    nextCursor: str | None = None


def encode_cursor(sort_value: Any, item_id: str) -> str:
    raw = json.dumps([sort_value, item_id], separators=(",", ":"), default=str)
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[Any, str]:
    """Return ``(sort_value, id)``; a malformed cursor is a 400, never a 500."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The cursor is not valid.", code="INVALID_CURSOR") from exc
    if not (isinstance(value, list) and len(value) == 2 and isinstance(value[1], str)):
        raise BadRequest("The cursor is not valid.", code="INVALID_CURSOR")
    return value[0], value[1]
