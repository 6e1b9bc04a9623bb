"""DTOs of the tag (bookmark) routes, LibreChat's ``/api/tags`` shapes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, StrictBool, field_validator


def _tag_name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("the tag must not be blank")
    return value


class CreateTagRequest(BaseModel):
    """``POST /api/tags``: ``{tag, description?, conversationId?, addToConversation?}``."""

    model_config = ConfigDict(extra="ignore")

    tag: str = Field(max_length=128)
    description: str | None = Field(default=None, max_length=1024)
    conversationId: str | None = Field(default=None, max_length=128)
    addToConversation: StrictBool = False

    @field_validator("tag")
    @classmethod
    def _named(cls, value: str) -> str:
        return _tag_name(value)


class UpdateTagRequest(BaseModel):
    """``PUT /api/tags/:tag``: rename, describe or move a tag."""

    model_config = ConfigDict(extra="ignore")

    tag: str | None = Field(default=None, max_length=128)
    description: str | None = Field(default=None, max_length=1024)
    position: int | None = Field(default=None, ge=0, le=100_000)

    @field_validator("tag")
    @classmethod
    def _renamed(cls, value: str | None) -> str | None:
        return None if value is None else _tag_name(value)


class ConversationTagsRequest(BaseModel):
    """``PUT /api/tags/convo/:conversationId``: the conversation's complete tag list."""

    model_config = ConfigDict(extra="ignore")

    tags: list[str] = Field(max_length=100)

    @field_validator("tags")
    @classmethod
    def _names(cls, value: list[str]) -> list[str]:
        cleaned = [_tag_name(v) for v in value]
        if any(len(v) > 128 for v in cleaned):
            raise ValueError("a tag is longer than 128 characters")
        return list(dict.fromkeys(cleaned))
