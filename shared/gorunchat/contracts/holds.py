"""Legal holds: the stored hold and the DTOs of ``/api/admin/holds``.

A hold preserves data for litigation or an investigation. It covers custodian users (all
their data), named conversations, or a whole tenant. While a hold is active, covered data is
never destroyed: not by user deletion, conversation purge or retention. An ADMIN creates a
hold; only a SUPER_ADMIN releases one.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gorunchat.contracts.documents import Document

HoldScope = Literal["tenant", "users", "conversations"]
HoldStatus = Literal["active", "released"]


class LegalHold(Document):
    """A stored legal hold (collection ``legalholds``)."""

    collection: ClassVar[str] = "legalholds"

    id: str = Field(alias="_id")
    name: str
    matter: str | None = None
    scope: HoldScope
    custodians: list[str] = Field(default_factory=list)
    conversationIds: list[str] = Field(default_factory=list)
    status: HoldStatus = "active"
    createdBy: str | None = None
    releasedAt: datetime | None = None
    releasedBy: str | None = None
    releaseReason: str | None = None


class CreateHoldRequest(BaseModel):
    """``POST /api/admin/holds``: what the hold covers and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=200)
    matter: str | None = Field(default=None, max_length=2000)
    scope: HoldScope
    custodians: list[str] = Field(default_factory=list, max_length=1000)
    conversationIds: list[str] = Field(default_factory=list, max_length=10_000)

    @model_validator(mode="after")
    def _scope_names_its_targets(self) -> CreateHoldRequest:
        if self.scope == "users" and not self.custodians:
            raise ValueError("a hold on users needs at least one custodian")
        if self.scope == "conversations" and not self.conversationIds:
            raise ValueError("a hold on conversations needs at least one conversation id")
        if self.scope == "tenant" and (self.custodians or self.conversationIds):
            raise ValueError("a tenant-wide hold takes no custodians or conversation ids")
        return self


class ReleaseHoldRequest(BaseModel):
    """``POST /api/admin/holds/:id/release``: the reason is kept on the hold and audited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = Field(min_length=1, max_length=2000)


class HoldListQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    status: HoldStatus | None = None
    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


class HoldView(BaseModel):
    """A hold as an administrator sees it."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    matter: str | None = None
    scope: HoldScope
    custodians: list[str]
    conversationIds: list[str]
    status: HoldStatus
    createdAt: datetime
    createdBy: str | None = None
    releasedAt: datetime | None = None
    releasedBy: str | None = None
    releaseReason: str | None = None

    @classmethod
    def of(cls, hold: LegalHold) -> HoldView:
        return cls.model_validate(hold.model_dump(exclude={"tenantId", "updatedAt"}))


class HoldList(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[HoldView]
    nextCursor: str | None = None
