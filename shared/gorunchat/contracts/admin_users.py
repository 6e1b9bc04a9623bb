"""DTOs of ``/api/admin/users``, ``/api/admin/roles`` and ``/api/admin/groups`` in
LibreChat's admin API shapes (offset pagination: ``limit``, ``offset``, ``total``)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gorunchat.contracts.acl import Group
from gorunchat.contracts.documents import User
from gorunchat.contracts.roles import RoleView


def _stripped(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be blank")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("contains control characters")
    return value


class AdminPageQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)


class AdminUserListItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str = ""
    username: str = ""
    email: str
    avatar: str = ""
    role: str
    provider: str
    banned: bool = False
    createdAt: datetime
    updatedAt: datetime

    @classmethod
    def of(cls, user: User) -> AdminUserListItem:
        return cls(id=user.id, name=user.name or "", username=user.username or "",
                   email=user.email, avatar=user.avatar or "", role=user.role,
                   provider=user.provider, banned=user.banned, createdAt=user.createdAt,
                   updatedAt=user.updatedAt)


class AdminUserList(BaseModel):
    model_config = ConfigDict(frozen=True)

    users: list[AdminUserListItem]
    total: int
    limit: int
    offset: int


class AdminUserSearchQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    q: str = Field(min_length=2, max_length=200)
    limit: int = Field(default=20, ge=1, le=50)


class AdminUserSearchResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    email: str
    username: str | None = None
    avatarUrl: str | None = None


class AdminUserSearch(BaseModel):
    model_config = ConfigDict(frozen=True)

    users: list[AdminUserSearchResult]
    total: int
    capped: bool


class ChangeRoleRequest(BaseModel):
    """``PATCH /api/admin/users/:id/role``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    role: str = Field(min_length=1, max_length=64)


class BanRequest(BaseModel):
    """``POST /api/admin/users/:id/ban``: the reason is kept in the audit trail."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str | None = Field(default=None, max_length=2000)


class Outcome(BaseModel):
    """LibreChat's ``{success: true}`` (with a message or id where it sends one)."""

    model_config = ConfigDict(frozen=True)

    success: bool = True
    message: str | None = None
    id: str | None = None


class RoleListItem(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    description: str | None = None


class AdminRoleList(BaseModel):
    model_config = ConfigDict(frozen=True)

    roles: list[RoleListItem]
    total: int
    limit: int
    offset: int


class RoleEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    role: RoleView


_RESERVED_ROLE_NAMES = frozenset({"members", "permissions"})


class CreateRoleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    description: str | None = Field(default=None, max_length=2000)
    permissions: dict[str, dict[str, bool]] = Field(default_factory=dict)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        value = _stripped(value)
        if value in _RESERVED_ROLE_NAMES:
            raise ValueError("is a reserved path segment")
        return value


class UpdateRoleRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, min_length=1, max_length=64)
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str | None) -> str | None:
        if value is None:
            return None
        value = _stripped(value)
        if value in _RESERVED_ROLE_NAMES:
            raise ValueError("is a reserved path segment")
        return value


class RolePermissionsRequest(BaseModel):
    """``PATCH /api/admin/roles/:name/permissions``: merged per permission type."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    permissions: dict[str, dict[str, bool]]


class AddMemberRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    userId: str = Field(min_length=1, max_length=64)


class AdminMember(BaseModel):
    model_config = ConfigDict(frozen=True)

    userId: str
    name: str
    email: str
    avatarUrl: str | None = None


class MemberList(BaseModel):
    model_config = ConfigDict(frozen=True)

    members: list[AdminMember]
    total: int
    limit: int
    offset: int


class GroupListQuery(AdminPageQuery):
    search: str | None = Field(default=None, max_length=200)
    source: str | None = Field(default=None, max_length=16)


class GroupView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    description: str
    email: str | None = None
    avatar: str | None = None
    memberIds: list[str]
    memberCount: int
    source: str
    isActive: bool
    createdAt: datetime
    updatedAt: datetime

    @classmethod
    def of(cls, group: Group) -> GroupView:
        return cls(id=group.id, name=group.name, description=group.description,
                   email=group.email, avatar=group.avatar, memberIds=list(group.memberIds),
                   memberCount=len(set(group.memberIds)), source=group.source,
                   isActive=group.isActive, createdAt=group.createdAt,
                   updatedAt=group.updatedAt)


class GroupList(BaseModel):
    model_config = ConfigDict(frozen=True)

    groups: list[GroupView]
    total: int
    limit: int
    offset: int


class GroupEnvelope(BaseModel):
    model_config = ConfigDict(frozen=True)

    group: GroupView


class CreateGroupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=500)
    description: str = Field(default="", max_length=2000)
    email: str | None = Field(default=None, max_length=320)
    avatar: str | None = Field(default=None, max_length=2048)
    memberIds: list[str] = Field(default_factory=list, max_length=500)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str) -> str:
        return _stripped(value)


class UpdateGroupRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(default=None, min_length=1, max_length=500)
    description: str | None = Field(default=None, max_length=2000)
    email: str | None = Field(default=None, max_length=320)
    avatar: str | None = Field(default=None, max_length=2048)

    @field_validator("name")
    @classmethod
    def _valid_name(cls, value: str | None) -> str | None:
        return None if value is None else _stripped(value)
