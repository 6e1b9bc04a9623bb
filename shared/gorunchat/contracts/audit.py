"""Audit and discovery records: the shapes services record and adapters store."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class Actor(BaseModel):
    model_config = ConfigDict(frozen=True)

    userId: str | None = None
    role: str | None = None
    ip: str | None = None
    requestId: str | None = None


class AuditEvent(BaseModel):
    """What a service records on the unit of work; the adapter turns it into a record."""

    model_config = ConfigDict(frozen=True)

    action: str
    actor: Actor = Field(default_factory=Actor)
    targetType: str | None = None
    targetId: str | None = None
    outcome: Literal["success", "failure", "denied"] = "success"
    metadata: dict[str, Any] = Field(default_factory=dict)


class AuditRecord(BaseModel):
    """A stored, hash-chained audit record (collection ``auditlogs``).

    ``hash`` is SHA-256 over the canonical JSON of every other field, ``prevHash``
    included, so altering, removing or reordering any record breaks the chain.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    tenantId: str
    seq: int
    ts: datetime
    action: str
    actor: Actor
    targetType: str | None = None
    targetId: str | None = None
    outcome: str = "success"
    metadata: dict[str, Any] = Field(default_factory=dict)
    prevHash: str
    hash: str


class DiscoveryEvent(BaseModel):
    """An immutable content record for eDiscovery (kept even after the user deletes)."""

    model_config = ConfigDict(frozen=True)

    kind: str  # message.created | message.edited | message.deleted | conversation.*
    userId: str | None = None
    conversationId: str | None = None
    messageId: str | None = None
    content: dict[str, Any] = Field(default_factory=dict)


class DiscoveryRecord(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    tenantId: str
    ts: datetime
    kind: str
    userId: str | None = None
    conversationId: str | None = None
    messageId: str | None = None
    content: dict[str, Any] = Field(default_factory=dict)


class ChainVerification(BaseModel):
    model_config = ConfigDict(frozen=True)

    ok: bool
    checked: int
    firstBrokenId: str | None = None
    firstBrokenSeq: int | None = None
    reason: str | None = None
