"""Resource sharing: stored ACL entries, access roles and groups, and the DTOs of
``/api/permissions`` (LibreChat's ``aclentries``, ``accessroles`` and ``groups``).

An ACL entry grants one principal (a user, a group, a role or the public) permission bits
on one resource. ``roleId`` holds the access role id (``agent_owner``...) the bits came
from. The effective-permission rule lives in ``gorunchat.domain.permissions``.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from gorunchat.contracts.documents import Document, utcnow

PrincipalTypeName = Literal["user", "group", "role", "public"]


class AclEntry(Document):
    """One grant (collection ``aclentries``)."""

    collection: ClassVar[str] = "aclentries"

    id: str = Field(alias="_id")
    principalType: PrincipalTypeName
    principalId: str | None = None
    principalModel: str | None = None
    resourceType: str
    resourceId: str
    permBits: int = 1
    roleId: str | None = None
    grantedBy: str | None = None
    grantedAt: datetime = Field(default_factory=utcnow)


class AccessRole(Document):
    """A named bundle of permission bits for one resource type (collection ``accessroles``)."""

    collection: ClassVar[str] = "accessroles"
    key: ClassVar[str] = "accessRoleId"

    accessRoleId: str
    name: str
    description: str | None = None
    resourceType: str
    permBits: int


class Group(Document):
    """A group of users (collection ``groups``); ``memberIds`` hold user ids."""

    collection: ClassVar[str] = "groups"

    id: str = Field(alias="_id")
    name: str
    description: str = ""
    email: str | None = None
    avatar: str | None = None
    memberIds: list[str] = Field(default_factory=list)
    source: Literal["local", "entra"] = "local"
    idOnTheSource: str | None = None
    isActive: bool = True


class PrincipalIn(BaseModel):
    """A principal as the sharing dialog sends it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    type: PrincipalTypeName
    id: str | None = Field(default=None, max_length=256)
    accessRoleId: str | None = Field(default=None, max_length=64)


class PrincipalOut(BaseModel):
    """A principal with its access role, as LibreChat lists it."""

    model_config = ConfigDict(frozen=True)

    type: PrincipalTypeName
    id: str | None = None
    name: str | None = None
    email: str | None = None
    avatar: str | None = None
    description: str | None = None
    source: str | None = None
    idOnTheSource: str | None = None
    accessRoleId: str | None = None


class UpdateResourcePermissionsRequest(BaseModel):
    """``PUT /api/permissions/:resourceType/:resourceId``."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    updated: list[PrincipalIn] = Field(default_factory=list, max_length=500)
    removed: list[PrincipalIn] = Field(default_factory=list, max_length=500)
    public: bool = False
    publicAccessRoleId: str | None = Field(default=None, max_length=64)


class UpdateResults(BaseModel):
    model_config = ConfigDict(frozen=True)

    principals: list[PrincipalOut]
    public: bool
    publicAccessRoleId: str | None = None


class UpdateResourcePermissionsResponse(BaseModel):
    model_config = ConfigDict(frozen=True)

    message: str = "Permissions updated successfully"
    results: UpdateResults


class ResourcePermissions(BaseModel):
    """``GET /api/permissions/:resourceType/:resourceId``."""

    model_config = ConfigDict(frozen=True)

    resourceType: str
    resourceId: str
    principals: list[PrincipalOut]
    public: bool = False
    publicAccessRoleId: str | None = None


class AccessRoleView(BaseModel):
    model_config = ConfigDict(frozen=True)

    accessRoleId: str
    name: str
    description: str | None = None
    permBits: int


class EffectivePermissions(BaseModel):
    """``GET /api/permissions/:resourceType/:resourceId/effective``."""

    model_config = ConfigDict(frozen=True)

    permissionBits: int


class EffectivePermissionsMap(RootModel[dict[str, int]]):
    """``GET /api/permissions/:resourceType/effective/all``: resource id → bits."""


class SearchPrincipalsQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    q: str = Field(min_length=2, max_length=200)
    limit: int = Field(default=10, ge=1, le=50)
    types: str | None = Field(default=None, max_length=64)


class PrincipalSearchSources(BaseModel):
    model_config = ConfigDict(frozen=True)

    local: int
    entra: int = 0


class PrincipalSearchResponse(BaseModel):
    """``GET /api/permissions/search-principals``."""

    model_config = ConfigDict(frozen=True)

    query: str
    limit: int
    types: list[str] | None = None
    results: list[PrincipalOut]
    count: int
    sources: PrincipalSearchSources
