"""Groups of users: administration (``/api/admin/groups``) and membership lookup.

A group lists its members' user ids in ``memberIds`` (LibreChat's shape). Membership is read
from the store whenever permissions are computed, so adding or removing a member applies on
that member's next request. Deleting a group removes its ACL entries, grants and config
overrides with it.
"""

from __future__ import annotations

import re
from typing import Any

from gorunchat.contracts.acl import AclEntry, Group
from gorunchat.contracts.admin_config import ConfigOverride, SystemGrant
from gorunchat.contracts.admin_users import AdminMember, MemberList
from gorunchat.contracts.errors import NotFound
from gorunchat.domain.ids import object_id
from gorunchat.domain.permissions import is_member
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services.caller import Caller
from gorunchat.services.roles import audit, user_not_found


def group_not_found() -> NotFound:
    return NotFound("Group not found.", code="GROUP_NOT_FOUND")


def group_ids_for(uow: UnitOfWork, user_id: str) -> frozenset[str]:
    """The ids of the active groups that list ``user_id``."""
    groups = uow.repo(Group).find({"memberIds": user_id})
    return frozenset(g.id for g in groups if g.isActive and is_member(user_id, g.memberIds))


def _matches(group: Group, search: str | None, source: str | None) -> bool:
    if source and group.source != source:
        return False
    return not search or re.search(re.escape(search), group.name, re.IGNORECASE) is not None


def list_groups(store: Store, caller: Caller, search: str | None, source: str | None,
                limit: int, offset: int) -> tuple[list[Group], int]:
    """Groups by name; ``search`` matches anywhere in the name, case-insensitively."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        groups = uow.repo(Group).find({}, sort=[("name", 1)])
    found = [g for g in groups if _matches(g, search, source)]
    return found[offset:offset + limit], len(found)


def require_group(uow: UnitOfWork, group_id: str) -> Group:
    group = uow.repo(Group).get(group_id)
    if group is None:
        raise group_not_found()
    return group


def get_group(store: Store, caller: Caller, group_id: str) -> Group:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return require_group(uow, group_id)


def _existing_users(uow: UnitOfWork, ids: list[str]) -> list[str]:
    unique = list(dict.fromkeys(ids))
    found = {u.id for u in uow.users.find({"_id": {"$in": unique}})} if unique else set()
    missing = [i for i in unique if i not in found]
    if missing:
        raise NotFound("Some members are not users of this tenant.", code="USER_NOT_FOUND",
                       details=[{"userId": i} for i in missing])
    return unique


def create_group(store: Store, caller: Caller, fields: dict[str, Any],
                 member_ids: list[str]) -> Group:
    with store.unit_of_work(caller.tenant_id) as uow:
        members = _existing_users(uow, member_ids)
        group = uow.repo(Group).insert(Group(id=object_id(), memberIds=members, **fields))
        audit(uow, caller, "admin.group_create", "group", group.id, name=group.name,
              members=len(members))
        uow.commit()
    return group


def update_group(store: Store, caller: Caller, group_id: str, changes: dict[str, Any]
                 ) -> Group:
    with store.unit_of_work(caller.tenant_id) as uow:
        current = require_group(uow, group_id)
        updated = uow.repo(Group).update(group_id, changes) if changes else current
        audit(uow, caller, "admin.group_update", "group", group_id, fields=sorted(changes))
        uow.commit()
    return updated or current


def delete_group(store: Store, caller: Caller, group_id: str) -> None:
    with store.unit_of_work(caller.tenant_id) as uow:
        if not uow.repo(Group).delete(group_id):
            raise group_not_found()
        principal = {"principalType": "group", "principalId": group_id}
        acl = uow.repo(AclEntry).delete_many(principal)
        grants = uow.repo(SystemGrant).delete_many(principal)
        configs = uow.repo(ConfigOverride).delete_many(principal)
        audit(uow, caller, "admin.group_delete", "group", group_id, aclEntries=acl,
              grants=grants, configs=configs)
        uow.commit()


def members(store: Store, caller: Caller, group_id: str, limit: int, offset: int
            ) -> MemberList:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        ids = list(dict.fromkeys(require_group(uow, group_id).memberIds))
        page = ids[offset:offset + limit]
        users = {u.id: u for u in uow.users.find({"_id": {"$in": page}})} if page else {}
    found = []
    for member_id in page:
        user = users.get(member_id)
        found.append(AdminMember(
            userId=member_id, name=(user.name or user.username or member_id) if user
            else member_id, email=user.email if user else "",
            avatarUrl=user.avatar if user else None))
    return MemberList(members=found, total=len(ids), limit=limit, offset=offset)


def add_member(store: Store, caller: Caller, group_id: str, user_id: str) -> Group:
    with store.unit_of_work(caller.tenant_id) as uow:
        group = require_group(uow, group_id)
        if uow.users.get(user_id) is None:
            raise user_not_found()
        if user_id not in group.memberIds:
            group = uow.repo(Group).update(group_id, {"memberIds": [*group.memberIds,
                                                                     user_id]}) or group
        audit(uow, caller, "admin.group_member_add", "group", group_id, userId=user_id)
        uow.commit()
    return group


def remove_member(store: Store, caller: Caller, group_id: str, user_id: str) -> None:
    with store.unit_of_work(caller.tenant_id) as uow:
        group = require_group(uow, group_id)
        remaining = [m for m in group.memberIds if m != user_id]
        if len(remaining) == len(group.memberIds):
            raise NotFound("The user is not a member of this group.", code="NOT_A_MEMBER")
        uow.repo(Group).update(group_id, {"memberIds": remaining})
        audit(uow, caller, "admin.group_member_remove", "group", group_id, userId=user_id)
        uow.commit()


def remove_user_everywhere(uow: UnitOfWork, user_id: str) -> int:
    """Take a deleted user out of every group; returns how many groups changed."""
    changed = 0
    for group in uow.repo(Group).find({"memberIds": user_id}):
        uow.repo(Group).update(group.id, {"memberIds": [m for m in group.memberIds
                                                         if m != user_id]})
        changed += 1
    return changed
