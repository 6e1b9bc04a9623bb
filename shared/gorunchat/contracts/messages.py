"""DTOs of the message routes (LibreChat request and response shapes)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializeAsAny, StrictBool

from gorunchat.contracts.documents import Message

MAX_TEXT = 1_000_000


class MessagesQuery(BaseModel):
    """``GET /api/messages``: a conversation's messages by cursor, one message, or a search."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    cursor: str | None = Field(default=None, max_length=1024)
    sortBy: str = Field(default="createdAt", max_length=32)
    sortDirection: Literal["asc", "desc"] = "desc"
    pageSize: int = Field(default=25, ge=1, le=100)
    conversationId: str | None = Field(default=None, max_length=128)
    messageId: str | None = Field(default=None, max_length=128)
    search: str | None = Field(default=None, max_length=500)


class MessageSearchHit(Message):
    """A message found by search, with its conversation's title (as LibreChat answers)."""

    title: str | None = None


class MessagesPage(BaseModel):
    """``{messages, nextCursor}``."""

    messages: list[SerializeAsAny[Message]]
    nextCursor: str | None = None


class CreateMessageRequest(BaseModel):
    """``POST /api/messages/:conversationId``: a message as the client holds it.

    Owner, tenant and conversation come from the request, never from the body.
    """

    model_config = ConfigDict(extra="ignore")

    messageId: str | None = Field(default=None, min_length=1, max_length=128)
    conversationId: str | None = Field(default=None, max_length=128)
    parentMessageId: str | None = Field(default=None, max_length=128)
    text: str = Field(default="", max_length=MAX_TEXT)
    content: list[dict[str, Any]] | None = Field(default=None, max_length=1000)
    sender: str | None = Field(default=None, max_length=256)
    isCreatedByUser: StrictBool = False
    model: str | None = Field(default=None, max_length=256)
    endpoint: str | None = Field(default=None, max_length=128)
    iconURL: str | None = Field(default=None, max_length=2048)
    files: list[dict[str, Any]] | None = Field(default=None, max_length=100)
    error: StrictBool = False
    unfinished: StrictBool = False
    tokenCount: int | None = Field(default=None, ge=0)


class UpdateMessageRequest(BaseModel):
    """``PUT /api/messages/:conversationId/:messageId``: new text, or one content part's."""

    model_config = ConfigDict(extra="ignore")

    text: str = Field(max_length=MAX_TEXT)
    index: int | None = Field(default=None, ge=0, le=10_000)
    model: str | None = Field(default=None, max_length=256)


class Feedback(BaseModel):
    model_config = ConfigDict(extra="ignore")

    rating: Literal["thumbsUp", "thumbsDown"]
    tag: str | None = Field(default=None, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    text: str | None = Field(default=None, max_length=1024)


class FeedbackRequest(BaseModel):
    """``PUT .../feedback``: ``{feedback: {rating, tag, text}}``; ``null`` clears it."""

    model_config = ConfigDict(extra="ignore")

    feedback: Feedback | None = None


class FeedbackResult(BaseModel):
    messageId: str
    conversationId: str
    feedback: Feedback | None


class BranchRequest(BaseModel):
    """``POST /api/messages/branch``: one agent's parts of a parallel response, as a new
    sibling message."""

    model_config = ConfigDict(extra="ignore")

    messageId: str = Field(min_length=1, max_length=128)
    agentId: str = Field(min_length=1, max_length=256)


class ArtifactEditRequest(BaseModel):
    """``POST /api/messages/artifact/:messageId``: replace ``original`` with ``updated`` in
    the ``index``-th artifact of the message."""

    model_config = ConfigDict(extra="ignore")

    index: int = Field(ge=0, le=10_000)
    original: str = Field(max_length=MAX_TEXT)
    updated: str = Field(max_length=MAX_TEXT)


class ArtifactEditResult(BaseModel):
    conversationId: str
    content: list[dict[str, Any]] | None
    text: str
