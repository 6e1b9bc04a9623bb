"""DTOs of the ``user`` routes, and the stored tool-favorite document.

Shapes follow LibreChat's ``/api/user`` answers: the user without secrets (no password,
TOTP secret or backup codes), ``{termsAccepted}``, ``{updated, preferences}``, and the
favorites lists of ``/api/user/settings/favorites``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    SerializerFunctionWrapHandler,
    model_serializer,
    model_validator,
)

from gorunchat.contracts.documents import Document

_ID = Field(min_length=1, max_length=256)


class Personalization(BaseModel):
    """Per-user preferences (LibreChat's ``personalization``)."""

    model_config = ConfigDict(extra="ignore")

    memories: bool | None = None
    statefulCodeEnvironment: str | None = None


class UserView(BaseModel):
    """The signed-in user as LibreChat's client expects it (``_id`` and ``id`` both)."""

    model_config = ConfigDict(populate_by_name=True)

    mongo_id: str = Field(alias="_id")
    id: str
    name: str | None = None
    username: str | None = None
    email: str
    emailVerified: bool = False
    avatar: str | None = None
    provider: str = "local"
    role: str = "USER"
    plugins: list[str] = Field(default_factory=list)
    twoFactorEnabled: bool = False
    termsAccepted: bool = False
    personalization: Personalization = Field(default_factory=Personalization)
    createdAt: datetime | None = None
    updatedAt: datetime | None = None


class PreferencesUpdate(BaseModel):
    """``PATCH /api/user/preferences``: at least one preference to change."""

    model_config = ConfigDict(extra="forbid")

    memories: bool | None = None
    statefulCodeEnvironment: str | None = Field(default=None, pattern=r"^[a-z0-9_-]{1,32}$")

    @model_validator(mode="after")
    def _something(self) -> PreferencesUpdate:
        if self.memories is None and self.statefulCodeEnvironment is None:
            raise ValueError("name at least one preference to change")
        return self


class PreferencesResponse(BaseModel):
    updated: bool
    preferences: Personalization


class TermsStatus(BaseModel):
    termsAccepted: bool


class VerifyEmailRequest(BaseModel):
    email: EmailStr = Field(max_length=254)
    token: str = Field(min_length=1, max_length=256)


class ResendVerificationRequest(BaseModel):
    email: EmailStr = Field(max_length=254)


class Favorite(BaseModel):
    """One pinned entry: an agent, a model of an endpoint, or a model spec (exactly one)."""

    model_config = ConfigDict(extra="forbid")

    agentId: str | None = Field(default=None, min_length=1, max_length=256)
    model: str | None = Field(default=None, min_length=1, max_length=256)
    endpoint: str | None = Field(default=None, min_length=1, max_length=256)
    spec: str | None = Field(default=None, min_length=1, max_length=256)

    @model_serializer(mode="wrap")
    def _set_fields_only(self, handler: SerializerFunctionWrapHandler) -> Any:
        data = handler(self)
        return {k: v for k, v in data.items() if v is not None}

    @model_validator(mode="after")
    def _one_kind(self) -> Favorite:
        if (self.model is None) != (self.endpoint is None):
            raise ValueError("model and endpoint must be provided together")
        kinds = [self.agentId is not None, self.model is not None, self.spec is not None]
        if sum(kinds) != 1:
            raise ValueError("a favorite has exactly one of agentId, model+endpoint or spec")
        return self


MAX_FAVORITES = 50


class FavoritesUpdate(BaseModel):
    favorites: list[Favorite] = Field(max_length=MAX_FAVORITES)


ToolItemType = Literal["builtin", "tool", "mcp", "skill"]


class ToolFavoriteView(BaseModel):
    itemType: ToolItemType
    itemId: str = _ID


class ToolFavoriteParams(BaseModel):
    """The ``:itemType/:itemId`` path of the tool-favorite routes."""

    itemType: ToolItemType
    itemId: str = _ID


class OkResponse(BaseModel):
    ok: bool = True


class ToolFavorite(Document):
    """A pinned tool, MCP server, built-in or skill (collection ``toolfavorites``)."""

    collection: ClassVar[str] = "toolfavorites"

    id: str = Field(alias="_id")
    user: str
    itemType: str
    itemId: str
