"""User-provided provider keys (BYOK): LibreChat's ``keys`` collection and ``/api/keys``.

``value`` is never the key itself: it is the envelope the ``SecretBox`` port sealed (a
per-secret data key wrapped by a key-encryption key), bound to the tenant, user and key
name. No route returns a key; ``GET /api/keys`` tells only when it expires.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from gorunchat.contracts.documents import Document


class UserKey(Document):
    """A stored, sealed key (collection ``keys``); one per user and name."""

    collection: ClassVar[str] = "keys"

    id: str = Field(alias="_id")
    userId: str
    name: str
    value: str
    expiresAt: datetime | None = None


class UpdateKeyRequest(BaseModel):
    """``PUT /api/keys``: ``value`` is the key (or LibreChat's JSON of several values)."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: str = Field(min_length=1, max_length=128)
    value: str = Field(min_length=1, max_length=16_384, repr=False)
    expiresAt: datetime | None = None


class KeyQuery(BaseModel):
    """``GET /api/keys?name=``."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(min_length=1, max_length=128)


class DeleteAllKeysQuery(BaseModel):
    """``DELETE /api/keys?all=true``: the flag guards against deleting every key by mistake."""

    model_config = ConfigDict(frozen=True)

    all: Literal["true"]


class KeyExpiry(BaseModel):
    """``GET /api/keys``: when the key expires, ``"never"``, or ``null`` when there is none."""

    model_config = ConfigDict(frozen=True)

    expiresAt: datetime | Literal["never"] | None = None
