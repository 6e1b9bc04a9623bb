"""Roles: the built-in ``USER``, ``ADMIN`` and ``SUPER_ADMIN`` plus custom roles, their
feature permissions (LibreChat's ``PermissionTypes``) and who holds them.

A user holds exactly one role (``users.role``); the edge re-reads it on every request, so
any change here applies on the user's next request. Built-in roles need no stored document:
until an admin edits one, it has its default permissions. Rules that protect the system:

* built-in roles cannot be created, renamed or deleted;
* only a ``SUPER_ADMIN`` grants or takes away ``SUPER_ADMIN``, changes another admin's
  role or edits the ``SUPER_ADMIN`` role's permissions (an admin may promote a user to
  ``ADMIN`` and may step down);
* the last admin (``ADMIN`` or ``SUPER_ADMIN``) of a tenant cannot lose that role.
"""

from __future__ import annotations

from typing import Any

from gorunchat.contracts.acl import AclEntry
from gorunchat.contracts.admin_config import ConfigOverride, SystemGrant
from gorunchat.contracts.admin_users import AdminMember, MemberList, RoleListItem
from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import BadRequest, Conflict, Forbidden, NotFound
from gorunchat.contracts.identity import Role
from gorunchat.contracts.roles import PermissionType, RoleDoc, default_permissions
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services.caller import Caller

SYSTEM_ROLES = frozenset(r.value for r in Role)
ADMIN_ROLES = (Role.ADMIN.value, Role.SUPER_ADMIN.value)


def role_not_found() -> NotFound:
    return NotFound("Role not found.", code="ROLE_NOT_FOUND")


def user_not_found() -> NotFound:
    return NotFound("User not found.", code="USER_NOT_FOUND")


def is_system(name: str) -> bool:
    return name.upper() in SYSTEM_ROLES


def audit(uow: UnitOfWork, caller: Caller, action: str, target_type: str, target_id: str,
          **metadata: Any) -> None:
    """Record one admin action on the unit of work (written with it, fail closed)."""
    uow.record(AuditEvent(action=action, actor=caller.actor, targetType=target_type,
                          targetId=target_id, metadata=metadata))


def find_role(uow: UnitOfWork, name: str) -> RoleDoc | None:
    """The stored role, or a built-in role with its defaults; ``None`` if neither."""
    stored = uow.repo(RoleDoc).get(name)
    if stored is not None:
        return stored
    if name in SYSTEM_ROLES:
        return RoleDoc(name=name, tenantId=uow.tenant_id, permissions=default_permissions(name))
    return None


def require_role(uow: UnitOfWork, name: str) -> RoleDoc:
    role = find_role(uow, name)
    if role is None:
        raise role_not_found()
    return role


def _resolve_name(uow: UnitOfWork, raw: str) -> RoleDoc | None:
    """``/api/roles`` uppercases names as LibreChat does; an exact custom name also works."""
    return find_role(uow, raw) or find_role(uow, raw.upper())


def get_role(store: Store, caller: Caller, raw_name: str) -> RoleDoc:
    """``GET /api/roles/:roleName``: anyone may read ``USER`` and their own role; other
    roles of the tenant need an admin (403, as in LibreChat); unknown names are 404."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        role = _resolve_name(uow, raw_name)
    if role is None:
        raise role_not_found()
    own = role.name in (caller.principal.role, Role.USER.value)
    if not own and not caller.principal.has_role(Role.ADMIN):
        raise Forbidden("You cannot read this role.", code="ROLE_FORBIDDEN")
    return role


def _guard_role_edit(caller: Caller, name: str) -> None:
    if name == Role.SUPER_ADMIN.value and not caller.principal.has_role(Role.SUPER_ADMIN):
        raise Forbidden("Only a super admin can change the super admin role.",
                        code="SUPER_ADMIN_REQUIRED")


def merge_permissions(role: RoleDoc, updates: dict[str, dict[str, bool]]) -> RoleDoc:
    merged = {ptype: dict(flags) for ptype, flags in role.permissions.items()}
    for ptype, flags in updates.items():
        if ptype not in PermissionType.__members__:
            raise BadRequest(f"Unknown permission type {ptype}.", code="INVALID_PERMISSION_TYPE")
        merged.setdefault(ptype, {}).update(flags)
    return role.model_copy(update={"permissions": merged})


def update_permissions(store: Store, caller: Caller, raw_name: str,
                       updates: dict[str, dict[str, bool]], action: str) -> RoleDoc:
    """Merge feature flags into a role (``PUT /api/roles/:roleName/<type>`` and
    ``PATCH /api/admin/roles/:name/permissions``)."""
    with store.unit_of_work(caller.tenant_id) as uow:
        role = _resolve_name(uow, raw_name)
        if role is None:
            raise role_not_found()
        _guard_role_edit(caller, role.name)
        updated = uow.repo(RoleDoc).save(merge_permissions(role, updates))
        audit(uow, caller, action, "role", role.name, permissions=updates)
        uow.commit()
    return updated


def list_roles(store: Store, caller: Caller, limit: int, offset: int
               ) -> tuple[list[RoleListItem], int]:
    """Built-in and custom roles, by name."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        stored = {r.name: r for r in uow.repo(RoleDoc).find({})}
    for name in SYSTEM_ROLES - stored.keys():
        stored[name] = RoleDoc(name=name, permissions=default_permissions(name))
    items = [RoleListItem(name=r.name, description=r.description)
             for r in sorted(stored.values(), key=lambda r: r.name)]
    return items[offset:offset + limit], len(items)


def admin_get_role(store: Store, caller: Caller, name: str) -> RoleDoc:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return require_role(uow, name)


def create_role(store: Store, caller: Caller, name: str, description: str | None,
                permissions: dict[str, dict[str, bool]]) -> RoleDoc:
    if is_system(name):
        raise Conflict(f'Role "{name}" already exists.', code="ROLE_EXISTS")
    with store.unit_of_work(caller.tenant_id) as uow:
        if uow.repo(RoleDoc).get(name) is not None:
            raise Conflict(f'Role "{name}" already exists.', code="ROLE_EXISTS")
        base = RoleDoc(name=name, description=description,
                       permissions=default_permissions(name))
        role = uow.repo(RoleDoc).insert(merge_permissions(base, permissions))
        audit(uow, caller, "admin.role_create", "role", name)
        uow.commit()
    return role


def update_role(store: Store, caller: Caller, name: str, new_name: str | None,
                description: str | None) -> RoleDoc:
    """Describe or rename a custom role; a rename moves its members with it."""
    rename = new_name is not None and new_name != name
    if rename and (is_system(name) or is_system(new_name or "")):
        raise Forbidden("Built-in roles cannot be renamed or reused.", code="SYSTEM_ROLE")
    with store.unit_of_work(caller.tenant_id) as uow:
        role = require_role(uow, name)
        _guard_role_edit(caller, name)
        changes: dict[str, Any] = {}
        if description is not None:
            changes["description"] = description
        if rename and new_name is not None:
            if uow.repo(RoleDoc).get(new_name) is not None:
                raise Conflict(f'Role "{new_name}" already exists.', code="ROLE_EXISTS")
            changes["name"] = new_name
            uow.repo(RoleDoc).delete(name)
            uow.users.update_many({"role": name}, {"role": new_name})
        updated = role.model_copy(update=changes)
        uow.repo(RoleDoc).save(updated)
        audit(uow, caller, "admin.role_update", "role", name, changes=changes)
        uow.commit()
    return updated


def delete_role(store: Store, caller: Caller, name: str) -> None:
    """Delete a custom role; its members become ``USER`` and its grants, ACL entries and
    config overrides go with it (as LibreChat's cascade)."""
    if is_system(name):
        raise Forbidden("Built-in roles cannot be deleted.", code="SYSTEM_ROLE")
    with store.unit_of_work(caller.tenant_id) as uow:
        if not uow.repo(RoleDoc).delete(name):
            raise role_not_found()
        moved = uow.users.update_many({"role": name}, {"role": Role.USER.value})
        principal = {"principalType": "role", "principalId": name}
        acl = uow.repo(AclEntry).delete_many(principal)
        grants = uow.repo(SystemGrant).delete_many(principal)
        configs = uow.repo(ConfigOverride).delete_many(principal)
        audit(uow, caller, "admin.role_delete", "role", name, membersMoved=moved,
              aclEntries=acl, grants=grants, configs=configs)
        uow.commit()


def members(store: Store, caller: Caller, name: str, limit: int, offset: int) -> MemberList:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        require_role(uow, name)
        total = uow.users.count({"role": name})
        users = uow.users.find({"role": name}, sort=[("createdAt", 1)], limit=limit,
                               skip=offset)
    found = [AdminMember(userId=u.id, name=u.name or u.username or u.id, email=u.email,
                         avatarUrl=u.avatar) for u in users]
    return MemberList(members=found, total=total, limit=limit, offset=offset)


def assign_role(uow: UnitOfWork, caller: Caller, user: User, new_role: str) -> User:
    """Give ``user`` the role ``new_role`` under the system rules (see the module doc)."""
    require_role(uow, new_role)
    other_admin = user.role == Role.ADMIN.value and user.id != caller.user_id
    touches_super = Role.SUPER_ADMIN.value in (user.role, new_role) or other_admin
    if touches_super and not caller.principal.has_role(Role.SUPER_ADMIN):
        raise Forbidden("Only a super admin can grant the super admin role or change "
                        "another admin's role.", code="SUPER_ADMIN_REQUIRED")
    if user.role == new_role:
        return user
    if user.role in ADMIN_ROLES and new_role not in ADMIN_ROLES:
        if uow.users.count({"role": {"$in": list(ADMIN_ROLES)}}) <= 1:
            raise BadRequest("The last admin cannot lose the admin role.", code="LAST_ADMIN")
    updated = uow.users.update(user.id, {"role": new_role})
    if updated is None:
        raise user_not_found()
    return updated


def change_member(store: Store, caller: Caller, name: str, user_id: str, add: bool) -> None:
    """Add a user to a role, or remove them (back to ``USER``). ``USER`` itself takes no
    direct membership changes: everyone not in another role is in it."""
    if name == Role.USER.value:
        raise Forbidden("Membership of the USER role cannot be changed directly.",
                        code="SYSTEM_ROLE")
    with store.unit_of_work(caller.tenant_id) as uow:
        require_role(uow, name)
        user = uow.users.get(user_id)
        if user is None:
            raise user_not_found()
        if not add and user.role != name:
            raise BadRequest("The user is not a member of this role.", code="NOT_A_MEMBER")
        before = user.role
        assign_role(uow, caller, user, name if add else Role.USER.value)
        action = "admin.role_member_add" if add else "admin.role_member_remove"
        audit(uow, caller, action, "user", user_id, role=name, previousRole=before)
        uow.commit()
