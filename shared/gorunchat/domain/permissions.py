"""Resource permissions: LibreChat's permission bits and the effective-permission rule.

An ACL entry grants a *principal* some permission bits on one resource. The bits are
LibreChat's: ``VIEW`` 1, ``EDIT`` 2, ``DELETE`` 4, ``SHARE`` 8. A caller's effective
permission on a resource is the bitwise OR of the bits of every entry whose principal the
caller *is*:

* ``user``: the caller's own id;
* ``group``: every group that lists the caller among its members;
* ``role``: the caller's role, and, for the built-in roles, every role below it
  (``SUPER_ADMIN`` ⊇ ``ADMIN`` ⊇ ``USER``), so sharing with ``USER`` reaches everyone;
* ``public``: everyone signed in to the tenant.

Nothing else grants anything: with no matching entry the answer is 0, and a caller with
no bits on a resource is told the resource does not exist (deny by default). Pure
functions, no store.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import IntFlag, StrEnum

from gorunchat.contracts.identity import ROLE_RANK, Role


class PermissionBits(IntFlag):
    """LibreChat's ``PermissionBits``."""

    NONE = 0
    VIEW = 1
    EDIT = 2
    DELETE = 4
    SHARE = 8


ALL_BITS = PermissionBits.VIEW | PermissionBits.EDIT | PermissionBits.DELETE | PermissionBits.SHARE


class ResourceType(StrEnum):
    """Resources that carry ACL entries (LibreChat's ``ResourceType`` values)."""

    AGENT = "agent"
    PROMPTGROUP = "promptGroup"
    MCPSERVER = "mcpServer"
    SHARED_LINK = "sharedLink"


class PrincipalType(StrEnum):
    USER = "user"
    GROUP = "group"
    ROLE = "role"
    PUBLIC = "public"


@dataclass(frozen=True)
class AccessRoleSpec:
    """A named bundle of bits offered when sharing (``agent_viewer``, ``agent_owner``...)."""

    accessRoleId: str
    name: str
    description: str
    resourceType: ResourceType
    permBits: int


def _standard(resource: ResourceType, label: str) -> tuple[AccessRoleSpec, ...]:
    view, edit = PermissionBits.VIEW, PermissionBits.VIEW | PermissionBits.EDIT
    prefix = resource.value
    return (
        AccessRoleSpec(f"{prefix}_viewer", "Viewer", f"Can view and use the {label}",
                       resource, int(view)),
        AccessRoleSpec(f"{prefix}_editor", "Editor", f"Can view and edit the {label}",
                       resource, int(edit)),
        AccessRoleSpec(f"{prefix}_owner", "Owner",
                       f"Full control of the {label}, including sharing", resource,
                       int(ALL_BITS)),
    )


ACCESS_ROLES: tuple[AccessRoleSpec, ...] = (
    *_standard(ResourceType.AGENT, "agent"),
    *_standard(ResourceType.PROMPTGROUP, "prompt group"),
    *_standard(ResourceType.MCPSERVER, "MCP server"),
    AccessRoleSpec("sharedLink_viewer", "Viewer", "Can open the shared link",
                   ResourceType.SHARED_LINK, int(PermissionBits.VIEW)),
    AccessRoleSpec("sharedLink_owner", "Owner", "Full control of the shared link",
                   ResourceType.SHARED_LINK, int(ALL_BITS)),
)
ACCESS_ROLE_BY_ID = {spec.accessRoleId: spec for spec in ACCESS_ROLES}


def access_roles_for(resource: ResourceType) -> tuple[AccessRoleSpec, ...]:
    return tuple(spec for spec in ACCESS_ROLES if spec.resourceType == resource)


def owner_role(resource: ResourceType) -> AccessRoleSpec:
    return ACCESS_ROLE_BY_ID[f"{resource.value}_owner"]


def access_role_for_bits(resource: ResourceType, bits: int) -> AccessRoleSpec | None:
    """The access role of ``resource`` whose bits are exactly ``bits``, if there is one."""
    return next((s for s in access_roles_for(resource) if s.permBits == bits), None)


@dataclass(frozen=True)
class Subject:
    """Who is asking: a user, their current role and the groups that list them."""

    user_id: str
    role: str
    group_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Grant:
    """One ACL entry, reduced to what the rule needs."""

    principal_type: PrincipalType
    principal_id: str | None
    perm_bits: int


def roles_reached_by(role: str) -> frozenset[str]:
    """The role principals a holder of ``role`` matches: itself and, for a built-in role,
    every built-in role ranked below it."""
    try:
        rank = ROLE_RANK[Role(role)]
    except ValueError:
        return frozenset({role})
    return frozenset({role} | {r.value for r, r_rank in ROLE_RANK.items() if r_rank <= rank})


def matches(subject: Subject, grant: Grant) -> bool:
    """Whether ``grant``'s principal is ``subject`` (directly or by inheritance)."""
    if grant.principal_type is PrincipalType.PUBLIC:
        return True
    if grant.principal_id is None:
        return False
    if grant.principal_type is PrincipalType.USER:
        return grant.principal_id == subject.user_id
    if grant.principal_type is PrincipalType.GROUP:
        return grant.principal_id in subject.group_ids
    return grant.principal_id in roles_reached_by(subject.role)


def effective_bits(subject: Subject, grants: Iterable[Grant]) -> PermissionBits:
    """The OR of the bits of every grant that reaches ``subject``; 0 when none does."""
    bits = PermissionBits.NONE
    for grant in grants:
        if matches(subject, grant):
            bits |= PermissionBits(grant.perm_bits & ALL_BITS)
    return bits


def allows(bits: int, required: PermissionBits) -> bool:
    """Whether ``bits`` include every bit of ``required`` (and ``required`` is not empty)."""
    return required != PermissionBits.NONE and (bits & required) == required


def is_member(user_id: str, member_ids: Iterable[str], id_on_source: str | None = None
              ) -> bool:
    """Whether a group's ``memberIds`` list the user (by id, or by an external id)."""
    members = set(member_ids)
    return user_id in members or (id_on_source is not None and id_on_source in members)
