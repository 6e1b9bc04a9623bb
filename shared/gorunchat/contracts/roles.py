"""Roles and their feature permissions (LibreChat's ``roles`` collection and
``PermissionTypes``), and the DTOs of ``/api/roles``.

A role document holds, per permission type (``PROMPTS``, ``AGENTS``...), the feature flags
its members have (``USE``, ``CREATE``, ``SHARE``...). ``USER``, ``ADMIN`` and
``SUPER_ADMIN`` always exist; admins may add custom roles. A user's role is read from the
store on every request, so a change applies on the caller's next request.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from gorunchat.contracts.documents import Document


class PermissionType(StrEnum):
    PROMPTS = "PROMPTS"
    BOOKMARKS = "BOOKMARKS"
    AGENTS = "AGENTS"
    MEMORIES = "MEMORIES"
    MULTI_CONVO = "MULTI_CONVO"
    TEMPORARY_CHAT = "TEMPORARY_CHAT"
    RUN_CODE = "RUN_CODE"
    WEB_SEARCH = "WEB_SEARCH"
    PEOPLE_PICKER = "PEOPLE_PICKER"
    MARKETPLACE = "MARKETPLACE"
    FILE_SEARCH = "FILE_SEARCH"
    FILE_CITATIONS = "FILE_CITATIONS"
    MCP_SERVERS = "MCP_SERVERS"
    REMOTE_AGENTS = "REMOTE_AGENTS"
    SHARED_LINKS = "SHARED_LINKS"


_T, _F = True, False

#: The permissions of a ``USER`` (LibreChat's schema defaults).
USER_PERMISSIONS: dict[str, dict[str, bool]] = {
    "PROMPTS": {"USE": _T, "CREATE": _T, "SHARE": _F, "SHARE_PUBLIC": _F},
    "BOOKMARKS": {"USE": _T},
    "AGENTS": {"USE": _T, "CREATE": _T, "SHARE": _F, "SHARE_PUBLIC": _F},
    "MEMORIES": {"USE": _T, "CREATE": _T, "UPDATE": _T, "READ": _T, "OPT_OUT": _T},
    "MULTI_CONVO": {"USE": _T},
    "TEMPORARY_CHAT": {"USE": _T},
    "RUN_CODE": {"USE": _T},
    "WEB_SEARCH": {"USE": _T},
    "PEOPLE_PICKER": {"VIEW_USERS": _F, "VIEW_GROUPS": _F, "VIEW_ROLES": _F},
    "MARKETPLACE": {"USE": _F},
    "FILE_SEARCH": {"USE": _T},
    "FILE_CITATIONS": {"USE": _T},
    "MCP_SERVERS": {"USE": _T, "CREATE": _T, "SHARE": _F, "SHARE_PUBLIC": _F},
    "REMOTE_AGENTS": {"USE": _F, "CREATE": _F, "SHARE": _F, "SHARE_PUBLIC": _F},
    "SHARED_LINKS": {"CREATE": _T, "SHARE": _T, "SHARE_PUBLIC": _F},
}

#: ``ADMIN`` and ``SUPER_ADMIN`` have every feature permission.
ADMIN_PERMISSIONS: dict[str, dict[str, bool]] = {
    ptype: dict.fromkeys(flags, True) for ptype, flags in USER_PERMISSIONS.items()
}


def default_permissions(role: str) -> dict[str, dict[str, bool]]:
    """A fresh copy of the permissions a built-in role starts with (custom roles: USER's)."""
    source = ADMIN_PERMISSIONS if role in ("ADMIN", "SUPER_ADMIN") else USER_PERMISSIONS
    return {ptype: dict(flags) for ptype, flags in source.items()}


class RoleDoc(Document):
    """A stored role (collection ``roles``), unique by name within a tenant."""

    collection: ClassVar[str] = "roles"
    key: ClassVar[str] = "name"

    name: str
    description: str | None = None
    permissions: dict[str, dict[str, bool]] = Field(default_factory=dict)


class RoleView(BaseModel):
    """A role as ``GET /api/roles/:roleName`` and the admin routes return it."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str | None = None
    permissions: dict[str, dict[str, bool]]

    @classmethod
    def of(cls, role: RoleDoc) -> RoleView:
        return cls(name=role.name, description=role.description, permissions=role.permissions)


class _PermissionUpdate(BaseModel):
    """A partial update: only the flags sent change; unknown flags are refused (422)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def changes(self) -> dict[str, bool]:
        return self.model_dump(exclude_none=True)


class PromptPermissionsUpdate(_PermissionUpdate):
    USE: bool | None = None
    CREATE: bool | None = None
    SHARE: bool | None = None
    SHARE_PUBLIC: bool | None = None


class AgentPermissionsUpdate(PromptPermissionsUpdate):
    pass


class McpServerPermissionsUpdate(PromptPermissionsUpdate):
    pass


class RemoteAgentPermissionsUpdate(PromptPermissionsUpdate):
    pass


class MemoryPermissionsUpdate(_PermissionUpdate):
    USE: bool | None = None
    CREATE: bool | None = None
    UPDATE: bool | None = None
    READ: bool | None = None
    OPT_OUT: bool | None = None


class PeoplePickerPermissionsUpdate(_PermissionUpdate):
    VIEW_USERS: bool | None = None
    VIEW_GROUPS: bool | None = None
    VIEW_ROLES: bool | None = None


class MarketplacePermissionsUpdate(_PermissionUpdate):
    USE: bool | None = None
