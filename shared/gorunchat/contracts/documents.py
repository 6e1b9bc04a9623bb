"""Stored documents, with LibreChat's collection and field names.

Every document carries ``tenantId``. Unknown fields are kept (``extra="allow"``) so that a
LibreChat database can be served and nothing a newer writer stored is lost on rewrite.
Timestamps are timezone-aware UTC datetimes.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field


def utcnow() -> datetime:
    return datetime.now(UTC)


class Document(BaseModel):
    """Base of stored documents. ``collection`` and ``key`` tell adapters where it lives."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, validate_assignment=False)

    collection: ClassVar[str]
    key: ClassVar[str] = "id"

    tenantId: str = "default"
    createdAt: datetime = Field(default_factory=utcnow)
    updatedAt: datetime = Field(default_factory=utcnow)

    @property
    def key_value(self) -> str:
        return str(getattr(self, self.key))

    def to_doc(self) -> dict[str, Any]:
        """The document as stored (by alias, datetimes kept as datetimes)."""
        return self.model_dump(by_alias=True, exclude_none=False)


class User(Document):
    collection: ClassVar[str] = "users"

    id: str = Field(alias="_id")
    name: str | None = None
    username: str | None = None
    email: str
    emailVerified: bool = False
    password: str | None = None
    avatar: str | None = None
    provider: str = "local"
    role: str = "USER"
    plugins: list[str] = Field(default_factory=list)
    twoFactorEnabled: bool = False
    termsAccepted: bool = False
    banned: bool = False


class Session(Document):
    """A refresh session. The refresh token itself is never stored, only its hash."""

    collection: ClassVar[str] = "sessions"

    id: str = Field(alias="_id")
    user: str
    refreshTokenHash: str
    expiration: datetime
    deviceId: str | None = None
    familyId: str | None = None
    revokedAt: datetime | None = None


class Conversation(Document):
    collection: ClassVar[str] = "conversations"
    key: ClassVar[str] = "conversationId"

    conversationId: str
    user: str
    title: str | None = "New Chat"
    endpoint: str | None = None
    endpointType: str | None = None
    model: str | None = None
    agent_id: str | None = None
    isArchived: bool = False
    isPinned: bool = False
    tags: list[str] = Field(default_factory=list)
    files: list[str] = Field(default_factory=list)
    expiredAt: datetime | None = None


class Message(Document):
    collection: ClassVar[str] = "messages"
    key: ClassVar[str] = "messageId"

    messageId: str
    conversationId: str
    user: str
    parentMessageId: str | None = None
    sender: str | None = None
    text: str = ""
    content: list[dict[str, Any]] | None = None
    isCreatedByUser: bool = False
    model: str | None = None
    endpoint: str | None = None
    error: bool = False
    unfinished: bool = False
    tokenCount: int | None = None
    feedback: dict[str, Any] | None = None
    files: list[dict[str, Any]] | None = None
