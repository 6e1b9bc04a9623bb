"""DTOs of the shared-link routes (``/api/share``), in LibreChat's shapes.

What a viewer of a link receives (``SharedConversation``) is built field by field from these
models, never by dumping a stored document: message and conversation ids are replaced, and
no owner id, email, storage key or file path can reach it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

#: Longest ``search`` accepted by the link list (LibreChat bounds it too).
MAX_SEARCH = 500


def _flag(value: object) -> object:
    """LibreChat's ``isEnabled`` for a query string: ``true`` (any case) is true."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value


class SharedLinksQuery(BaseModel):
    """``GET /api/share``: one cursor page of the caller's links.

    ``cursor`` is the opaque ``nextCursor`` of the previous page (LibreChat passes the last
    sort value itself); without ``isPublic`` every link is listed.
    """

    model_config = ConfigDict(extra="ignore", frozen=True)

    cursor: str | None = Field(default=None, max_length=1024)
    pageSize: int = Field(default=10, ge=1, le=100)
    isPublic: bool | None = None
    sortBy: Literal["createdAt", "title"] = "createdAt"
    sortDirection: Literal["asc", "desc"] = "desc"
    search: str | None = Field(default=None, max_length=MAX_SEARCH)

    @field_validator("isPublic", mode="before")
    @classmethod
    def _enabled(cls, value: object) -> object:
        return _flag(value)


class SharedLinkItem(BaseModel):
    """One entry of the link list."""

    shareId: str
    title: str
    isPublic: bool
    createdAt: datetime
    conversationId: str


class SharedLinksPage(BaseModel):
    """``{links, nextCursor, hasNextPage}``."""

    links: list[SharedLinkItem]
    nextCursor: str | None = None
    hasNextPage: bool = False


class SharedLinkStatus(BaseModel):
    """``GET /api/share/link/:conversationId``: the caller's link for it, if any."""

    success: bool
    shareId: str | None = None
    conversationId: str
    targetMessageId: str | None = None


class ShareRequest(BaseModel):
    """``POST /api/share/:conversationId`` and ``PATCH /api/share/:shareId`` bodies.

    ``targetMessageId`` limits the snapshot to the messages up to that message's level;
    ``snapshotFiles: false`` keeps the attached files out of the link.
    """

    model_config = ConfigDict(extra="ignore")

    targetMessageId: str | None = Field(default=None, min_length=1, max_length=128)
    snapshotFiles: StrictBool | None = None


class SharedLinkCreated(BaseModel):
    """``{shareId, conversationId}``: a new link, or a refreshed one under its new id."""

    shareId: str
    conversationId: str
    targetMessageId: str | None = None


class SharedLinkDeleted(BaseModel):
    success: bool = True
    shareId: str
    message: str = "Share deleted successfully"


class SharedFile(BaseModel):
    """A file attached to a shared message: ``filepath`` is the share's own file route."""

    file_id: str
    filename: str
    type: str
    bytes: int
    filepath: str
    width: int | None = None
    height: int | None = None


class SharedMessage(BaseModel):
    """A message as a link's viewer sees it (ids replaced, no owner)."""

    messageId: str
    parentMessageId: str
    conversationId: str
    sender: str | None = None
    text: str = ""
    content: list[dict[str, Any]] | None = None
    isCreatedByUser: bool = False
    model: str | None = None
    endpoint: str | None = None
    error: bool = False
    unfinished: bool = False
    createdAt: datetime
    updatedAt: datetime
    files: list[SharedFile] | None = None


class SharedConversation(BaseModel):
    """``GET /api/share/:shareId``: the shared conversation, anonymized."""

    shareId: str
    title: str
    isPublic: bool
    createdAt: datetime
    updatedAt: datetime
    conversationId: str
    messages: list[SharedMessage]


class SharedStartupConfig(BaseModel):
    """``GET /api/share/:shareId/config``: what the shared view shows around the messages."""

    appTitle: str
    interface: dict[str, Any] | None = None


class ForkSharedRequest(BaseModel):
    """``POST /api/share/:shareId/fork``: without ``targetMessageIndex`` every shared
    message is copied; with it, the branch ending at that message (its index in the shared
    view's ``messages``, since ids change on every read)."""

    model_config = ConfigDict(extra="ignore")

    targetMessageIndex: int | None = Field(default=None, ge=0, le=100_000)


class SharedLinksInterface(BaseModel):
    """``interface.sharedLinks`` of ``gorunchat.yaml`` when it is an object (LibreChat's
    shape). ``snapshotFiles: false`` keeps every link's files private."""

    model_config = ConfigDict(extra="allow")

    create: bool | None = None
    share: bool | None = None
    public: bool | None = None
    snapshotFiles: bool | None = None
