"""System capability grants (``/api/admin/grants``): LibreChat's ``systemgrants``.

A grant gives a role, group or user a capability such as ``read:users``; ``manage:x``
implies ``read:x``. The built-in ``ADMIN`` and ``SUPER_ADMIN`` roles hold every capability
without a stored grant. To grant a capability the caller must hold it and the matching
``manage:`` capability for the principal type; grants to the ``SUPER_ADMIN`` role or to a
super admin need a super admin.
"""

from __future__ import annotations

from gorunchat.contracts.acl import Group
from gorunchat.contracts.admin_config import CAPABILITIES, IMPLIED, SystemGrant
from gorunchat.contracts.errors import BadRequest, Forbidden, NotFound
from gorunchat.contracts.identity import Principal, Role
from gorunchat.domain.ids import object_id
from gorunchat.domain.permissions import roles_reached_by
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services.caller import Caller
from gorunchat.services.groups import group_ids_for
from gorunchat.services.roles import audit, find_role

_MANAGE = {"role": "manage:roles", "group": "manage:groups", "user": "manage:users"}


def expand(capabilities: set[str]) -> list[str]:
    """``capabilities`` plus everything they imply, sorted."""
    found = set(capabilities)
    for cap in capabilities:
        found.update(IMPLIED.get(cap, ()))
    return sorted(found)


def capabilities_of(uow: UnitOfWork, principal: Principal) -> list[str]:
    """Every capability the caller holds through their user, role and groups."""
    if principal.has_role(Role.ADMIN):
        return sorted(CAPABILITIES)
    clauses = [("user", principal.userId),
               *(("role", r) for r in roles_reached_by(principal.role)),
               *(("group", g) for g in group_ids_for(uow, principal.userId))]
    held: set[str] = set()
    for ptype, pid in clauses:
        held.update(g.capability for g in uow.repo(SystemGrant).find(
            {"principalType": ptype, "principalId": pid}))
    return expand(held)


def _validate(ptype: str, capability: str | None = None) -> None:
    if ptype not in _MANAGE:
        raise BadRequest("Invalid principal type.", code="INVALID_PRINCIPAL_TYPE")
    if capability is not None and capability not in CAPABILITIES:
        raise BadRequest("Invalid capability.", code="INVALID_CAPABILITY")


def _principal_exists(uow: UnitOfWork, ptype: str, pid: str) -> bool:
    if ptype == "user":
        return uow.users.get(pid) is not None
    if ptype == "group":
        return uow.repo(Group).get(pid) is not None
    return find_role(uow, pid) is not None


def _guard_super(uow: UnitOfWork, caller: Caller, ptype: str, pid: str) -> None:
    target_is_super = (ptype == "role" and pid == Role.SUPER_ADMIN.value) or (
        ptype == "user" and getattr(uow.users.get(pid), "role", None) == Role.SUPER_ADMIN)
    if target_is_super and not caller.principal.has_role(Role.SUPER_ADMIN):
        raise Forbidden("Only a super admin can change a super admin's grants.",
                        code="SUPER_ADMIN_REQUIRED")


def list_grants(store: Store, caller: Caller) -> list[SystemGrant]:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return uow.repo(SystemGrant).find({}, sort=[("principalType", 1),
                                                    ("principalId", 1)], limit=1000)


def effective(store: Store, caller: Caller) -> list[str]:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return capabilities_of(uow, caller.principal)


def principal_grants(store: Store, caller: Caller, ptype: str, pid: str) -> list[SystemGrant]:
    _validate(ptype)
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        if not _principal_exists(uow, ptype, pid):
            raise NotFound("Principal not found.", code="PRINCIPAL_NOT_FOUND")
        return uow.repo(SystemGrant).find({"principalType": ptype, "principalId": pid})


def assign(store: Store, caller: Caller, ptype: str, pid: str, capability: str
           ) -> SystemGrant:
    _validate(ptype, capability)
    with store.unit_of_work(caller.tenant_id) as uow:
        held = capabilities_of(uow, caller.principal)
        if _MANAGE[ptype] not in held:
            raise Forbidden("Insufficient permissions.", code="CAPABILITY_REQUIRED")
        if capability not in held:
            raise Forbidden("You cannot grant a capability you do not hold.",
                            code="CAPABILITY_REQUIRED")
        if not _principal_exists(uow, ptype, pid):
            raise NotFound("Principal not found.", code="PRINCIPAL_NOT_FOUND")
        _guard_super(uow, caller, ptype, pid)
        where = {"principalType": ptype, "principalId": pid, "capability": capability}
        grant = uow.repo(SystemGrant).find_one(where) or uow.repo(SystemGrant).insert(
            SystemGrant(id=object_id(), principalType=ptype, principalId=pid,
                        capability=capability, grantedBy=caller.user_id))
        audit(uow, caller, "admin.grant_assign", ptype, pid, capability=capability)
        uow.commit()
    return grant


def remove(store: Store, caller: Caller, ptype: str, pid: str, capability: str) -> None:
    """Revoke a grant; needs ``manage:`` for the type but not the capability itself (so a
    grant nobody holds can still be cleaned up)."""
    _validate(ptype, capability)
    with store.unit_of_work(caller.tenant_id) as uow:
        if _MANAGE[ptype] not in capabilities_of(uow, caller.principal):
            raise Forbidden("Insufficient permissions.", code="CAPABILITY_REQUIRED")
        _guard_super(uow, caller, ptype, pid)
        removed = uow.repo(SystemGrant).delete_many(
            {"principalType": ptype, "principalId": pid, "capability": capability})
        if not removed:
            raise NotFound("Grant not found.", code="GRANT_NOT_FOUND")
        audit(uow, caller, "admin.grant_remove", ptype, pid, capability=capability)
        uow.commit()
