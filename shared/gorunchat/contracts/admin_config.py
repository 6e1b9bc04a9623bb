"""System capability grants and per-principal configuration overrides: LibreChat's
``systemgrants`` and ``configs`` collections and the DTOs of ``/api/admin/grants`` and
``/api/admin/config``."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gorunchat.contracts.documents import Document, utcnow

GrantPrincipalType = Literal["role", "group", "user"]

#: LibreChat's ``SystemCapabilities``.
CAPABILITIES: tuple[str, ...] = (
    "access:admin", "read:users", "manage:users", "read:groups", "manage:groups",
    "read:roles", "manage:roles", "read:configs", "manage:configs", "assign:configs",
    "read:usage", "read:agents", "manage:agents", "manage:mcpservers", "read:prompts",
    "manage:prompts", "read:assistants", "manage:assistants",
)
#: Holding the key implies holding the values (``manage:users`` ⇒ ``read:users``).
IMPLIED: dict[str, tuple[str, ...]] = {
    "manage:users": ("read:users",), "manage:groups": ("read:groups",),
    "manage:roles": ("read:roles",), "manage:configs": ("read:configs",),
    "manage:agents": ("read:agents",), "manage:prompts": ("read:prompts",),
    "manage:assistants": ("read:assistants",),
}
#: The principal id of the tenant-wide base override, below every role, group and user.
BASE_PRINCIPAL_ID = "__base__"
_UNSAFE_SEGMENT = re.compile(r"(?:^|\.)(__\w*|constructor|prototype)(?:\.|$)")


class SystemGrant(Document):
    """A capability held by a role, group or user (collection ``systemgrants``)."""

    collection: ClassVar[str] = "systemgrants"

    id: str = Field(alias="_id")
    principalType: GrantPrincipalType
    principalId: str
    capability: str
    grantedBy: str | None = None
    grantedAt: datetime = Field(default_factory=utcnow)
    expiresAt: datetime | None = None


class ConfigOverride(Document):
    """Configuration overrides for one principal (collection ``configs``).

    ``overrides`` has the shape of ``gorunchat.yaml``; ``tombstones`` are dotted paths this
    principal removes from what lower layers set.
    """

    collection: ClassVar[str] = "configs"

    id: str = Field(alias="_id")
    principalType: GrantPrincipalType
    principalId: str
    principalModel: str
    priority: int = 10
    overrides: dict[str, Any] = Field(default_factory=dict)
    tombstones: list[str] = Field(default_factory=list)
    isActive: bool = True
    configVersion: int = 0


def check_field_path(path: str) -> str:
    """A dotted path into the configuration, refusing prototype-style segments."""
    if not path or len(path) > 512 or _UNSAFE_SEGMENT.search(path) or ".." in path:
        raise ValueError("is not a safe configuration field path")
    return path


class GrantView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    principalType: GrantPrincipalType
    principalId: str
    capability: str
    grantedBy: str | None = None
    grantedAt: datetime

    @classmethod
    def of(cls, grant: SystemGrant) -> GrantView:
        return cls(id=grant.id, principalType=grant.principalType,
                   principalId=grant.principalId, capability=grant.capability,
                   grantedBy=grant.grantedBy, grantedAt=grant.grantedAt)


class GrantList(BaseModel):
    model_config = ConfigDict(frozen=True)

    grants: list[GrantView]


class GrantEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    grant: GrantView


class AssignGrantRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    principalType: GrantPrincipalType
    principalId: str = Field(min_length=1, max_length=128)
    capability: str = Field(min_length=1, max_length=128)


class EffectiveCapabilities(BaseModel):
    model_config = ConfigDict(frozen=True)

    capabilities: list[str]


class ConfigView(BaseModel):
    model_config = ConfigDict(frozen=True, populate_by_name=True)

    id: str = Field(alias="_id")
    principalType: GrantPrincipalType
    principalId: str
    principalModel: str
    priority: int
    overrides: dict[str, Any]
    tombstones: list[str]
    isActive: bool
    configVersion: int
    createdAt: datetime
    updatedAt: datetime

    @classmethod
    def of(cls, doc: ConfigOverride) -> ConfigView:
        return cls.model_validate(doc.model_dump(by_alias=True, exclude={"tenantId"}))


class ConfigList(BaseModel):
    model_config = ConfigDict(frozen=True)

    configs: list[ConfigView]


class ConfigEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    config: ConfigView


class BaseConfigEnvelope(BaseModel):
    """``GET /api/admin/config/base``: the configuration file as parsed."""

    model_config = ConfigDict(frozen=True)

    config: dict[str, Any]


class UpsertConfigRequest(BaseModel):
    """``PUT /api/admin/config/:principalType/:principalId``: replaces the overrides."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    overrides: dict[str, Any]
    priority: int | None = Field(default=None, ge=0, le=1_000_000)


class FieldEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fieldPath: str
    value: Any = None

    @field_validator("fieldPath")
    @classmethod
    def _safe(cls, value: str) -> str:
        return check_field_path(value)


class PatchConfigFieldsRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    entries: list[FieldEntry] = Field(min_length=1, max_length=200)
    priority: int | None = Field(default=None, ge=0, le=1_000_000)


class ConfigFieldQuery(BaseModel):
    """``DELETE .../fields?fieldPath=dotted.path``."""

    model_config = ConfigDict(frozen=True)

    fieldPath: str

    @field_validator("fieldPath")
    @classmethod
    def _safe(cls, value: str) -> str:
        return check_field_path(value)


class TombstoneRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    fieldPath: str
    priority: int | None = Field(default=None, ge=0, le=1_000_000)

    @field_validator("fieldPath")
    @classmethod
    def _safe(cls, value: str) -> str:
        return check_field_path(value)


class ToggleActiveRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    isActive: bool
