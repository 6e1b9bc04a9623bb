"""DTOs of the conversation routes (LibreChat request and response shapes)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator

from gorunchat.contracts.documents import Conversation, Message


class ConversationTitleUpdate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    conversationId: str = Field(min_length=1, max_length=128)
    title: str = Field(max_length=512)

    @field_validator("title")
    @classmethod
    def _title_not_blank(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("the title must not be blank")
        return value


class UpdateConversationRequest(BaseModel):
    """``POST /api/convos/update``: LibreChat wraps the fields in ``arg``."""

    model_config = ConfigDict(extra="ignore")

    arg: ConversationTitleUpdate


def _flag(value: object) -> object:
    """LibreChat's ``isEnabled``: the strings ``true``/``false`` from a query string."""
    if isinstance(value, str):
        return value.strip().lower() == "true"
    return value


class ListConversationsQuery(BaseModel):
    """``GET /api/convos`` query: cursor page, sort, archived/pinned/tags/search filters."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    cursor: str | None = Field(default=None, max_length=1024)
    limit: int = Field(default=25, ge=1, le=100)
    isArchived: bool = False
    pinned: bool = False
    tags: list[str] = Field(default_factory=list, max_length=50)
    search: str | None = Field(default=None, max_length=500)
    sortBy: Literal["updatedAt", "createdAt", "title"] = "updatedAt"
    sortDirection: Literal["asc", "desc"] = "desc"

    @field_validator("isArchived", "pinned", mode="before")
    @classmethod
    def _enabled(cls, value: object) -> object:
        return _flag(value)

    @field_validator("tags", mode="before")
    @classmethod
    def _listed(cls, value: object) -> object:
        return [value] if isinstance(value, str) else value


class ConversationPage(BaseModel):
    """``{conversations, nextCursor}``."""

    conversations: list[Conversation]
    nextCursor: str | None = None


class ConversationFilter(BaseModel):
    """A GoRunChat extension of ``DELETE /api/convos``: delete every conversation of the
    caller matching all the given criteria (at least one is required)."""

    model_config = ConfigDict(extra="forbid")

    isArchived: StrictBool | None = None
    tags: list[str] = Field(default_factory=list, max_length=50)
    endpoint: str | None = Field(default=None, max_length=64)
    updatedBefore: datetime | None = None

    @property
    def empty(self) -> bool:
        return (self.isArchived is None and not self.tags and self.endpoint is None
                and self.updatedBefore is None)


class DeleteConversationArg(BaseModel):
    model_config = ConfigDict(extra="ignore")

    conversationId: str | None = Field(default=None, max_length=128)
    filter: ConversationFilter | None = None
    source: str | None = Field(default=None, max_length=64)
    thread_id: str | None = Field(default=None, max_length=256)
    endpoint: str | None = Field(default=None, max_length=64)


class DeleteConversationRequest(BaseModel):
    """``DELETE /api/convos``: ``{arg: {conversationId?, source?, thread_id?, endpoint?}}``."""

    model_config = ConfigDict(extra="ignore")

    arg: DeleteConversationArg = Field(default_factory=DeleteConversationArg)


class DeletedCount(BaseModel):
    acknowledged: bool = True
    deletedCount: int


class DeleteConversationsResult(BaseModel):
    """What a delete removed: LibreChat's ``{acknowledged, deletedCount, messages}``."""

    acknowledged: bool = True
    deletedCount: int
    messages: DeletedCount
    conversationIds: list[str]


class ArchiveArg(BaseModel):
    model_config = ConfigDict(extra="ignore")

    conversationId: str = Field(min_length=1, max_length=128)
    isArchived: StrictBool


class ArchiveRequest(BaseModel):
    """``POST /api/convos/archive``: ``{arg: {conversationId, isArchived}}``."""

    model_config = ConfigDict(extra="ignore")

    arg: ArchiveArg


class ArchiveAllRequest(BaseModel):
    """``POST /api/convos/archive/all``: archives every visible conversation (optional
    ``isArchived: false`` unarchives them all instead)."""

    model_config = ConfigDict(extra="ignore")

    isArchived: StrictBool = True


class ArchiveAllResult(BaseModel):
    modifiedCount: int


class PinArg(BaseModel):
    model_config = ConfigDict(extra="ignore")

    conversationId: str = Field(min_length=1, max_length=128)
    pinned: StrictBool


class PinRequest(BaseModel):
    """``POST /api/convos/pin``: ``{arg: {conversationId, pinned}}``."""

    model_config = ConfigDict(extra="ignore")

    arg: PinArg


class DuplicateRequest(BaseModel):
    """``POST /api/convos/duplicate``: ``{conversationId, title?}``."""

    model_config = ConfigDict(extra="ignore")

    conversationId: str = Field(min_length=1, max_length=128)
    title: str | None = Field(default=None, max_length=1024)


class ForkRequest(BaseModel):
    """``POST /api/convos/fork`` (LibreChat's ``TForkConvoRequest``)."""

    model_config = ConfigDict(extra="ignore")

    conversationId: str = Field(min_length=1, max_length=128)
    messageId: str = Field(min_length=1, max_length=128)
    option: Literal["directPath", "includeBranches", "targetLevel", ""] | None = None
    splitAtTarget: StrictBool = False
    latestMessageId: str | None = Field(default=None, max_length=128)


class ConversationWithMessages(BaseModel):
    """``{conversation, messages}``: a fork or duplicate's new conversation."""

    conversation: Conversation
    messages: list[Message]


class GeneratedTitle(BaseModel):
    """``GET /api/convos/gen_title/:conversationId``."""

    title: str


class ImportItemFailure(BaseModel):
    index: int
    title: str | None = None
    code: str
    message: str


class ImportResult(BaseModel):
    """``POST /api/convos/import``: LibreChat's ``{message}`` plus what was imported and
    a clear error for each conversation that was not."""

    message: str
    imported: int
    failed: int
    conversationIds: list[str]
    errors: list[ImportItemFailure]


class ConversationExport(BaseModel):
    """LibreChat's JSON export of one conversation (``messagesTree`` when recursive)."""

    model_config = ConfigDict(extra="allow")

    conversationId: str
    title: str | None
    endpoint: str | None
    exportAt: str
    branches: bool = True
    recursive: bool
    options: dict[str, Any]
    messages: list[dict[str, Any]] | None = None
    messagesTree: list[dict[str, Any]] | None = None


class ExportQuery(BaseModel):
    """``GET /api/convos/:conversationId/export``: nested tree (default) or flat list."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    recursive: bool = True

    @field_validator("recursive", mode="before")
    @classmethod
    def _enabled(cls, value: object) -> object:
        return _flag(value)
