"""Administering users (``/api/admin/users``): list, search, delete, role, ban.

Deleting a user removes their data the way LibreChat's account deletion does: their
conversations, messages, sessions, files, presets, tags, shared links, tool calls,
memories, plugin auths, tokens, keys, balance and transactions, prompts and agents they
authored, their ACL entries, grants and config overrides, and their group memberships.
The collections come from the document classes in ``gorunchat.contracts`` whose LibreChat
collection is listed in ``USER_DATA``, so a context added later is swept without a change
here. A user under legal hold is not destroyed: the request is refused with 409
``LEGAL_HOLD_ACTIVE`` and nothing changes (the rule of ``services.holds`` for
administrative destruction). File blobs are removed by the files context's retention, not
here. Every action is audited in the same unit of work.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from functools import cache
from typing import Any

import gorunchat.contracts as contracts_pkg
from gorunchat.contracts.acl import AclEntry
from gorunchat.contracts.admin_config import ConfigOverride, SystemGrant
from gorunchat.contracts.admin_users import AdminUserSearchResult
from gorunchat.contracts.audit import DiscoveryEvent
from gorunchat.contracts.documents import Document, User
from gorunchat.contracts.errors import BadRequest, Forbidden
from gorunchat.contracts.identity import Role
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import groups, holds
from gorunchat.services.caller import Caller
from gorunchat.services.roles import ADMIN_ROLES, assign_role, audit, user_not_found

#: LibreChat collections holding a user's own data → the field naming the owner.
USER_DATA: dict[str, str] = {
    "messages": "user", "conversations": "user", "sessions": "user", "presets": "user",
    "files": "user", "conversationtags": "user", "sharedlinks": "user", "toolcalls": "user",
    "memoryentries": "userId", "pluginauths": "userId", "tokens": "userId",
    "keys": "userId", "balances": "user", "transactions": "user", "prompts": "author",
    "promptgroups": "author", "agents": "author", "actions": "user",
}
#: Search scans at most this many users: the storage port has no text search.
SEARCH_SCAN_LIMIT = 5000


@cache
def user_data_models() -> tuple[type[Document], ...]:
    """One document class per collection in ``USER_DATA`` that GoRunChat defines."""
    found: dict[str, type[Document]] = {}
    for info in pkgutil.iter_modules(contracts_pkg.__path__):
        module = importlib.import_module(f"gorunchat.contracts.{info.name}")
        for obj in vars(module).values():
            if (inspect.isclass(obj) and issubclass(obj, Document) and obj is not Document
                    and getattr(obj, "collection", None) in USER_DATA):
                found.setdefault(obj.collection, obj)
    return tuple(found[name] for name in sorted(found))


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
    """Delete everything ``user`` owns; returns counts per collection."""
    counts: dict[str, int] = {}
    for conversation in uow.conversations.find({"user": user.id}):
        uow.journal(DiscoveryEvent(kind="conversation.deleted", userId=user.id,
                                   conversationId=conversation.conversationId,
                                   content={"reason": "admin.user_delete"}))
    for model in user_data_models():
        counts[model.collection] = uow.repo(model).delete_many(
            {USER_DATA[model.collection]: user.id})
    principal = {"principalType": "user", "principalId": user.id}
    counts["aclentries"] = uow.repo(AclEntry).delete_many(principal)
    counts["systemgrants"] = uow.repo(SystemGrant).delete_many(principal)
    counts["configs"] = uow.repo(ConfigOverride).delete_many(principal)
    counts["groups"] = groups.remove_user_everywhere(uow, user.id)
    return {name: n for name, n in counts.items() if n}


def delete_user(store: Store, caller: Caller, user_id: str) -> None:
    """Delete a user and their data; refused for oneself, the last admin and a user under
    legal hold (409, nothing changes)."""
    if user_id == caller.user_id:
        raise Forbidden("You cannot delete your own account here.", code="CANNOT_DELETE_SELF")
    with store.unit_of_work(caller.tenant_id) as uow:
        user = _target(uow, caller, user_id)
        if user.role in ADMIN_ROLES and uow.users.count(
                {"role": {"$in": list(ADMIN_ROLES)}}) <= 1:
            raise BadRequest("The last admin cannot be deleted.", code="LAST_ADMIN")
        holds.assert_not_held(uow, user_id=user_id)
        counts = _purge(uow, user)
        uow.users.delete(user_id)
        audit(uow, caller, "admin.user_delete", "user", user_id, email=user.email,
              role=user.role, deleted=counts)
        uow.commit()


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
