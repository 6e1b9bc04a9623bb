"""Memories: short facts a user keeps about themselves for the model (LibreChat's
``memoryentries`` collection and ``/api/memories``). The ``memory`` section of
``gorunchat.yaml`` is ``appconfig.MemoryConfig``.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from gorunchat.contracts.documents import Document, utcnow

#: LibreChat's client rule for a memory key: lowercase letters and underscores.
KEY_PATTERN = r"^[a-z_]+$"
#: LibreChat's limit on a key's length on the REST routes (values: ``memory.charLimit``).
MAX_KEY_LENGTH = 1000
#: A body larger than this is refused before parsing (LibreChat: ``express.json`` 100kb).
MAX_BODY_BYTES = 100 * 1024


class MemoryEntry(Document):
    """One memory, unique per user and key (``memory_key`` is stored as LibreChat's ``key``;
    ``key`` itself names a document's key field)."""

    collection: ClassVar[str] = "memoryentries"

    id: str = Field(alias="_id")
    userId: str
    memory_key: str = Field(alias="key")
    value: str
    tokenCount: int = 0
    updated_at: datetime = Field(default_factory=utcnow)


class MemoryView(BaseModel):
    key: str
    value: str
    tokenCount: int
    updated_at: datetime

    @classmethod
    def of(cls, entry: MemoryEntry) -> MemoryView:
        return cls(key=entry.memory_key, value=entry.value, tokenCount=entry.tokenCount,
                   updated_at=entry.updated_at)


class MemoryList(BaseModel):
    """``GET /api/memories``: newest first, with the usage against the token limit."""

    memories: list[MemoryView]
    totalTokens: int
    tokenLimit: int | None = None
    charLimit: int
    usagePercentage: int | None = None


class CreateMemoryRequest(BaseModel):
    """``POST /api/memories``: ``{key, value}``; the rules on both are checked by the service
    so that they answer 400 with LibreChat's messages."""

    model_config = ConfigDict(extra="ignore")

    key: StrictStr
    value: StrictStr


class UpdateMemoryRequest(BaseModel):
    """``PATCH /api/memories/:key``: a new ``value``, and a new ``key`` to rename it."""

    model_config = ConfigDict(extra="ignore")

    key: StrictStr | None = None
    value: StrictStr


class MemoryPreferencesRequest(BaseModel):
    """``PATCH /api/memories/preferences``: whether the model may use the user's memories."""

    model_config = ConfigDict(extra="ignore")

    memories: StrictBool


class MemoryPreferences(BaseModel):
    memories: bool


class MemoryPreferencesResponse(BaseModel):
    updated: bool = True
    preferences: MemoryPreferences


class MemoryCreated(BaseModel):
    created: bool = True
    memory: MemoryView


class MemoryUpdated(BaseModel):
    updated: bool = True
    memory: MemoryView


class MemoryDeleted(BaseModel):
    deleted: bool = True
