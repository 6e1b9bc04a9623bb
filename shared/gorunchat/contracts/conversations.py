"""DTOs of the conversation routes (LibreChat request and response shapes)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator


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
