"""Resource sharing: ACL entries on agents, prompt groups, MCP servers and shared links.

Other contexts call three functions:

* ``grant_owner(uow, resource_type, resource_id, user_id)`` when they create a resource;
* ``require(uow, principal, resource_type, resource_id, PermissionBits.EDIT)`` before they
  read or change one: a caller with no bits at all gets 404 (the resource might as well
  not exist), one with some bits but not the needed ones gets 403;
* ``delete_resource_entries(uow, resource_type, resource_id)`` when they delete one.

The rule that turns entries into effective bits is ``gorunchat.domain.permissions``. The
caller's role and groups are read from the store each time, so a role or group change
applies on the next request. The routes of ``/api/permissions`` are served here too.
"""

from __future__ import annotations

from gorunchat.contracts.acl import (
    AccessRole,
    AccessRoleView,
    AclEntry,
    Group,
    PrincipalIn,
    PrincipalOut,
    PrincipalSearchResponse,
    PrincipalSearchSources,
    ResourcePermissions,
    UpdateResourcePermissionsRequest,
)
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import BadRequest, Forbidden, NotFound
from gorunchat.contracts.identity import Principal
from gorunchat.contracts.roles import PermissionType, RoleDoc
from gorunchat.domain.ids import object_id
from gorunchat.domain.permissions import (
    ACCESS_ROLE_BY_ID,
    Grant,
    PermissionBits,
    PrincipalType,
    ResourceType,
    Subject,
    access_role_for_bits,
    access_roles_for,
    allows,
    effective_bits,
    owner_role,
)
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services.caller import Caller
from gorunchat.services.groups import group_ids_for
from gorunchat.services.roles import audit, find_role

FEATURE_OF: dict[ResourceType, PermissionType] = {
    ResourceType.AGENT: PermissionType.AGENTS,
    ResourceType.PROMPTGROUP: PermissionType.PROMPTS,
    ResourceType.MCPSERVER: PermissionType.MCP_SERVERS,
    ResourceType.SHARED_LINK: PermissionType.SHARED_LINKS,
}
_MODEL_OF = {PrincipalType.USER: "User", PrincipalType.GROUP: "Group",
             PrincipalType.ROLE: "Role"}


def not_found() -> NotFound:
    return NotFound("Resource not found.", code="RESOURCE_NOT_FOUND")


def resource_type(raw: str) -> ResourceType:
    """The path's resource type; an unknown one is a 400, as in LibreChat."""
    try:
        return ResourceType(raw)
    except ValueError as exc:
        raise BadRequest(f"Unsupported resource type: {raw}.",
                         code="UNSUPPORTED_RESOURCE_TYPE") from exc


def subject_for(uow: UnitOfWork, principal: Principal) -> Subject:
    return Subject(user_id=principal.userId, role=principal.role,
                   group_ids=group_ids_for(uow, principal.userId))


def entries_for(uow: UnitOfWork, rtype: ResourceType, resource_id: str) -> list[AclEntry]:
    return uow.repo(AclEntry).find({"resourceType": rtype.value, "resourceId": resource_id})


def _grant(entry: AclEntry) -> Grant:
    return Grant(PrincipalType(entry.principalType), entry.principalId, entry.permBits)


def effective(uow: UnitOfWork, principal: Principal, rtype: ResourceType, resource_id: str
              ) -> PermissionBits:
    """The caller's bits on one resource (0 when nothing grants any)."""
    grants = [_grant(e) for e in entries_for(uow, rtype, resource_id)]
    return effective_bits(subject_for(uow, principal), grants)


def require(uow: UnitOfWork, principal: Principal, rtype: ResourceType, resource_id: str,
            needed: PermissionBits) -> PermissionBits:
    """The caller's bits if they include ``needed``; 404 with no bits, 403 with too few."""
    bits = effective(uow, principal, rtype, resource_id)
    if bits == PermissionBits.NONE:
        raise not_found()
    if not allows(bits, needed):
        raise Forbidden("You do not have permission to do this with this resource.",
                        code="RESOURCE_FORBIDDEN")
    return bits


def grant_owner(uow: UnitOfWork, rtype: ResourceType, resource_id: str, user_id: str
                ) -> AclEntry:
    """Make ``user_id`` the owner of a resource they just created."""
    role = owner_role(rtype)
    return uow.repo(AclEntry).insert(AclEntry(
        id=object_id(), principalType="user", principalId=user_id, principalModel="User",
        resourceType=rtype.value, resourceId=resource_id, permBits=role.permBits,
        roleId=role.accessRoleId, grantedBy=user_id))


def delete_resource_entries(uow: UnitOfWork, rtype: ResourceType, resource_id: str) -> int:
    return uow.repo(AclEntry).delete_many({"resourceType": rtype.value,
                                           "resourceId": resource_id})


def accessible(uow: UnitOfWork, principal: Principal, rtype: ResourceType,
               needed: PermissionBits = PermissionBits.VIEW) -> dict[str, int]:
    """Resource id → bits, for every resource of ``rtype`` the caller has ``needed`` on."""
    subject = subject_for(uow, principal)
    by_resource: dict[str, list[Grant]] = {}
    for entry in uow.repo(AclEntry).find({"resourceType": rtype.value}):
        by_resource.setdefault(entry.resourceId, []).append(_grant(entry))
    found = {rid: int(effective_bits(subject, grants)) for rid, grants in by_resource.items()}
    return {rid: bits for rid, bits in found.items() if allows(bits, needed)}


def role_allows(uow: UnitOfWork, principal: Principal, feature: PermissionType, flag: str
                ) -> bool:
    """Whether the caller's role has the feature flag (``AGENTS.SHARE``...)."""
    role = find_role(uow, principal.role)
    return role is not None and role.permissions.get(feature.value, {}).get(flag, False)


def effective_one(store: Store, caller: Caller, raw_type: str, resource_id: str) -> int:
    """``GET .../:resourceId/effective``: 404 when the caller has no bits at all."""
    rtype = resource_type(raw_type)
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        bits = effective(uow, caller.principal, rtype, resource_id)
    if bits == PermissionBits.NONE:
        raise not_found()
    return int(bits)


def effective_all(store: Store, caller: Caller, raw_type: str) -> dict[str, int]:
    rtype = resource_type(raw_type)
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return accessible(uow, caller.principal, rtype)


def resource_roles(store: Store, caller: Caller, raw_type: str) -> list[AccessRoleView]:
    """The access roles offered for a resource type (stored ones override the defaults)."""
    rtype = resource_type(raw_type)
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        stored = {r.accessRoleId: r for r in uow.repo(AccessRole).find(
            {"resourceType": rtype.value})}
    views = {spec.accessRoleId: AccessRoleView(
        accessRoleId=spec.accessRoleId, name=spec.name, description=spec.description,
        permBits=spec.permBits) for spec in access_roles_for(rtype)}
    for role_id, role in stored.items():
        views[role_id] = AccessRoleView(accessRoleId=role_id, name=role.name,
                                        description=role.description, permBits=role.permBits)
    return sorted(views.values(), key=lambda v: v.permBits)


def _bits_of(rtype: ResourceType, access_role_id: str | None) -> tuple[str, int]:
    spec = ACCESS_ROLE_BY_ID.get(access_role_id or "")
    if spec is None or spec.resourceType != rtype:
        raise BadRequest(f"Unknown access role {access_role_id} for {rtype.value}.",
                         code="INVALID_ACCESS_ROLE")
    return spec.accessRoleId, spec.permBits


def _principal_exists(uow: UnitOfWork, ptype: PrincipalType, pid: str | None) -> bool:
    if pid is None:
        return False
    if ptype is PrincipalType.USER:
        return uow.users.get(pid) is not None
    if ptype is PrincipalType.GROUP:
        return uow.repo(Group).get(pid) is not None
    return find_role(uow, pid) is not None


def _check_update(uow: UnitOfWork, caller: Caller, rtype: ResourceType,
                  body: UpdateResourcePermissionsRequest) -> None:
    feature = FEATURE_OF[rtype]
    if not role_allows(uow, caller.principal, feature, "SHARE"):
        raise Forbidden("Your role cannot share this kind of resource.", code="SHARE_FORBIDDEN")
    if body.public and not role_allows(uow, caller.principal, feature, "SHARE_PUBLIC"):
        raise Forbidden("Your role cannot share with everyone.", code="SHARE_PUBLIC_FORBIDDEN")
    if rtype is ResourceType.SHARED_LINK:
        owner_id = owner_role(rtype).accessRoleId
        grants_owner = any(p.accessRoleId == owner_id for p in body.updated)
        if grants_owner or body.publicAccessRoleId == owner_id:
            raise BadRequest("Shared link owner permissions cannot be changed.",
                             code="SHARED_LINK_OWNER")


def _upsert(uow: UnitOfWork, caller: Caller, rtype: ResourceType, resource_id: str,
            who: PrincipalIn) -> None:
    ptype = PrincipalType(who.type)
    pid = None if ptype is PrincipalType.PUBLIC else who.id
    if ptype is not PrincipalType.PUBLIC and not _principal_exists(uow, ptype, pid):
        raise BadRequest(f"Unknown {ptype.value} {pid}.", code="UNKNOWN_PRINCIPAL")
    role_id, bits = _bits_of(rtype, who.accessRoleId)
    repo = uow.repo(AclEntry)
    where = {"resourceType": rtype.value, "resourceId": resource_id,
             "principalType": ptype.value, "principalId": pid}
    current = repo.find_one(where)
    entry = AclEntry(id=current.id if current else object_id(), principalType=ptype.value,
                     principalId=pid, principalModel=_MODEL_OF.get(ptype),
                     resourceType=rtype.value, resourceId=resource_id, permBits=bits,
                     roleId=role_id, grantedBy=caller.user_id)
    repo.save(entry)


def update_permissions(store: Store, caller: Caller, raw_type: str, resource_id: str,
                       body: UpdateResourcePermissionsRequest) -> list[PrincipalIn]:
    """``PUT /api/permissions/:resourceType/:resourceId``: needs ``SHARE`` on the resource
    and the role's ``SHARE`` (``SHARE_PUBLIC`` to make it public)."""
    rtype = resource_type(raw_type)
    with store.unit_of_work(caller.tenant_id) as uow:
        require(uow, caller.principal, rtype, resource_id, PermissionBits.SHARE)
        _check_update(uow, caller, rtype, body)
        updated = [p for p in body.updated if p.type != PrincipalType.PUBLIC.value]
        if body.public:
            updated.append(PrincipalIn(type="public", accessRoleId=body.publicAccessRoleId))
        for who in updated:
            _upsert(uow, caller, rtype, resource_id, who)
        removed = [*body.removed, *([] if body.public else [PrincipalIn(type="public")])]
        for who in removed:
            pid = None if who.type == PrincipalType.PUBLIC.value else who.id
            uow.repo(AclEntry).delete_many({"resourceType": rtype.value,
                                            "resourceId": resource_id,
                                            "principalType": who.type, "principalId": pid})
        audit(uow, caller, "acl.update", rtype.value, resource_id,
              granted=[{"type": p.type, "id": p.id, "accessRoleId": p.accessRoleId}
                       for p in updated],
              revoked=[{"type": p.type, "id": p.id} for p in body.removed],
              public=body.public)
        uow.commit()
    return updated


def _describe(uow: UnitOfWork, rtype: ResourceType, entry: AclEntry) -> PrincipalOut | None:
    role_id = entry.roleId or getattr(access_role_for_bits(rtype, entry.permBits),
                                      "accessRoleId", None)
    pid = entry.principalId
    if entry.principalType == "user" and pid:
        user = uow.users.get(pid)
        return None if user is None else _user_out(user, role_id)
    if entry.principalType == "group" and pid:
        group = uow.repo(Group).get(pid)
        return None if group is None else _group_out(group, role_id)
    if entry.principalType == "role" and pid:
        return PrincipalOut(type="role", id=pid, name=pid, description=f"System role: {pid}",
                            accessRoleId=role_id)
    return None


def _user_out(user: User, role_id: str | None = None) -> PrincipalOut:
    return PrincipalOut(type="user", id=user.id, name=user.name or user.username,
                        email=user.email, avatar=user.avatar, source="local",
                        idOnTheSource=user.id, accessRoleId=role_id)


def _group_out(group: Group, role_id: str | None = None) -> PrincipalOut:
    return PrincipalOut(type="group", id=group.id, name=group.name, email=group.email,
                        avatar=group.avatar, description=group.description,
                        source=group.source, idOnTheSource=group.idOnTheSource or group.id,
                        accessRoleId=role_id)


def resource_permissions(store: Store, caller: Caller, raw_type: str, resource_id: str
                         ) -> ResourcePermissions:
    """``GET /api/permissions/:resourceType/:resourceId``: needs ``SHARE`` on it."""
    rtype = resource_type(raw_type)
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        require(uow, caller.principal, rtype, resource_id, PermissionBits.SHARE)
        entries = entries_for(uow, rtype, resource_id)
        public = next((e for e in entries if e.principalType == "public"), None)
        principals = [p for p in (_describe(uow, rtype, e) for e in entries) if p is not None]
    return ResourcePermissions(resourceType=rtype.value, resourceId=resource_id,
                               principals=principals, public=public is not None,
                               publicAccessRoleId=public.roleId if public else None)


#: The port has no text search; principal search scans at most this many users per call.
SEARCH_SCAN_LIMIT = 5000
_PICKER_FLAG = {"user": "VIEW_USERS", "group": "VIEW_GROUPS", "role": "VIEW_ROLES"}


def _hit(query: str, *values: str | None) -> bool:
    return any(v is not None and v.lower().startswith(query) for v in values)


def search_principals(store: Store, caller: Caller, q: str, limit: int, types: str | None
                      ) -> PrincipalSearchResponse:
    """Users, groups and roles whose name (or email, username) starts with ``q``, limited to
    the kinds the caller's role may see (``PEOPLE_PICKER``); none at all is a 403."""
    query = q.strip().lower()
    wanted = [t for t in (types or "user,group,role").split(",") if t in _PICKER_FLAG]
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        kinds = [t for t in wanted or list(_PICKER_FLAG) if role_allows(
            uow, caller.principal, PermissionType.PEOPLE_PICKER, _PICKER_FLAG[t])]
        if not kinds:
            raise Forbidden("Your role cannot look up people.", code="PEOPLE_PICKER_FORBIDDEN")
        found: list[PrincipalOut] = []
        if "user" in kinds:
            users = uow.users.find({}, sort=[("email", 1)], limit=SEARCH_SCAN_LIMIT)
            found += [_user_out(u) for u in users if _hit(query, u.name, u.email, u.username)]
        if "group" in kinds:
            found += [_group_out(g) for g in uow.repo(Group).find({}) if _hit(query, g.name)]
        if "role" in kinds:
            names = {r.name for r in uow.repo(RoleDoc).find({})} | {"USER", "ADMIN"}
            found += [PrincipalOut(type="role", id=n, name=n, source="local")
                      for n in sorted(names) if _hit(query, n)]
    results = found[:limit]
    return PrincipalSearchResponse(query=q.strip(), limit=limit, types=wanted or None,
                                   results=results, count=len(results),
                                   sources=PrincipalSearchSources(local=len(results)))
