"""Administering users (``/api/admin/users``): list, search, delete, role, ban.

Deleting a user removes their data the way LibreChat's account deletion does, with the one
implementation account deletion and retention share (``services.user_data.erase``). A user
under legal hold, or one with a conversation under hold, is not destroyed: the request is
refused with 409 ``LEGAL_HOLD_ACTIVE`` and nothing changes (the rule of ``services.holds``
for administrative destruction). The blobs of the erased files go once the erasure has
committed. Every action is audited in the same unit of work.
"""

from __future__ import annotations

from typing import Any

from gorunchat.contracts.admin_users import AdminUserSearchResult
from gorunchat.contracts.audit import DiscoveryEvent
from gorunchat.contracts.documents import User
from gorunchat.contracts.errors import BadRequest, Forbidden
from gorunchat.contracts.identity import Role
from gorunchat.ports.blobstore import BlobStore
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import holds, user_data
from gorunchat.services.caller import Caller
from gorunchat.services.roles import ADMIN_ROLES, assign_role, audit, user_not_found

#: Search scans at most this many users: the storage port has no text search.
SEARCH_SCAN_LIMIT = 5000


def list_users(store: Store, caller: Caller, limit: int, offset: int
               ) -> tuple[list[User], int]:
    """Newest first, offset-paginated (LibreChat's admin list)."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        total = uow.users.count({})
        users = uow.users.find({}, sort=[("createdAt", -1)], limit=limit, skip=offset)
    return users, total


def search_users(store: Store, caller: Caller, q: str, limit: int
                 ) -> list[AdminUserSearchResult]:
    """Users whose name, email or username starts with ``q`` (case-insensitive)."""
    query = q.strip().lower()
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        users = uow.users.find({}, sort=[("email", 1)], limit=SEARCH_SCAN_LIMIT)
    hits = [u for u in users if any(v and v.lower().startswith(query)
                                    for v in (u.name, u.email, u.username))]
    hits.sort(key=lambda u: (u.name or "", u.email))
    return [AdminUserSearchResult(id=u.id, name=u.name or "", email=u.email,
                                  username=u.username, avatarUrl=u.avatar)
            for u in hits[:limit]]


def _target(uow: UnitOfWork, caller: Caller, user_id: str) -> User:
    user = uow.users.get(user_id)
    if user is None:
        raise user_not_found()
    if user.role in ADMIN_ROLES and not caller.principal.has_role(Role.SUPER_ADMIN):
        raise Forbidden("Only a super admin can delete, ban or change another admin.",
                        code="SUPER_ADMIN_REQUIRED")
    return user


def _purge(uow: UnitOfWork, user: User) -> dict[str, int]:
    """Journal the end of each of ``user``'s conversations, then erase the user and
    everything they own; returns counts per collection (the caller removes the blobs)."""
    for conversation in uow.conversations.find({"user": user.id}):
        uow.journal(DiscoveryEvent(kind="conversation.deleted", userId=user.id,
                                   conversationId=conversation.conversationId,
                                   content={"reason": "admin.user_delete"}))
    return user_data.erase(uow, user.id)


def delete_user(store: Store, caller: Caller, user_id: str,
                blobs: BlobStore | None = None) -> None:
    """Delete a user and their data; refused for oneself, the last admin and a user whom a
    legal hold covers, or one of whose conversations it does (409, nothing changes)."""
    if user_id == caller.user_id:
        raise Forbidden("You cannot delete your own account here.", code="CANNOT_DELETE_SELF")
    with store.unit_of_work(caller.tenant_id) as uow:
        user = _target(uow, caller, user_id)
        if user.role in ADMIN_ROLES and uow.users.count(
                {"role": {"$in": list(ADMIN_ROLES)}}) <= 1:
            raise BadRequest("The last admin cannot be deleted.", code="LAST_ADMIN")
        holds.assert_user_data_not_held(uow, user_id)
        doomed = user_data.file_keys(uow, user.id)
        counts = _purge(uow, user)
        audit(uow, caller, "admin.user_delete", "user", user_id, email=user.email,
              role=user.role, deleted=counts)
        uow.commit()
    user_data.delete_blobs(blobs, doomed)


def change_role(store: Store, caller: Caller, user_id: str, role: str) -> User:
    """Set a user's role; applies on their next request (the edge re-reads it)."""
    with store.unit_of_work(caller.tenant_id) as uow:
        user = uow.users.get(user_id)
        if user is None:
            raise user_not_found()
        updated = assign_role(uow, caller, user, role)  # holds the admin rules
        audit(uow, caller, "admin.user_role", "user", user_id, role=role,
              previousRole=user.role)
        uow.commit()
    return updated


def set_banned(store: Store, caller: Caller, user_id: str, banned: bool,
               reason: str | None = None) -> User:
    """Ban or unban; a banned user's next request is refused (403 ``USER_BANNED``)."""
    if banned and user_id == caller.user_id:
        raise Forbidden("You cannot ban yourself.", code="CANNOT_BAN_SELF")
    with store.unit_of_work(caller.tenant_id) as uow:
        user = _target(uow, caller, user_id)
        changes: dict[str, Any] = {"banned": banned}
        updated = uow.users.update(user_id, changes) or user
        action = "admin.user_ban" if banned else "admin.user_unban"
        audit(uow, caller, action, "user", user_id, reason=reason)
        uow.commit()
    return updated
