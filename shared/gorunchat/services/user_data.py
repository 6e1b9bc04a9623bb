"""Everything a user owns, and erasing it: the one implementation behind an admin's deletion
of a user (``services.admin_users``), a user's own account deletion (``services.users``) and
retention of accounts deleted under a hold that has since been released.

A user's data is what LibreChat's account deletion removes: their conversations, messages,
sessions, files, presets, tags, shared links, tool calls, memories, plugin auths, tokens,
keys, balance and transactions, prompts and agents they authored, their ACL entries, grants
and config overrides, and their group memberships. The collections come from the document
classes in ``gorunchat.contracts`` whose collection is listed in ``USER_DATA``, so a context
added later is swept without a change here. File blobs are not touched here: callers take
:func:`file_keys` before erasing and remove those blobs with :func:`delete_blobs` once the
erasure is committed (a failed commit leaves every blob in place).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Collection
from functools import cache
from typing import Any

import gorunchat.contracts as contracts_pkg
from gorunchat.contracts.acl import AclEntry
from gorunchat.contracts.admin_config import ConfigOverride, SystemGrant
from gorunchat.contracts.documents import Document
from gorunchat.ports.blobstore import BlobStore
from gorunchat.ports.store import UnitOfWork
from gorunchat.services import groups, prompts
from gorunchat.services.agents import forget_author as forget_agents

#: Collections holding a user's own data (LibreChat's, and ``toolfavorites``) → the field
#: naming the owner.
USER_DATA: dict[str, str] = {
    "messages": "user", "conversations": "user", "sessions": "user", "presets": "user",
    "files": "user", "conversationtags": "user", "sharedlinks": "user", "toolcalls": "user",
    "memoryentries": "userId", "pluginauths": "userId", "tokens": "userId",
    "keys": "userId", "balances": "user", "transactions": "user", "prompts": "author",
    "promptgroups": "author", "agents": "author", "actions": "user",
    "toolfavorites": "user",
}
#: Collections whose documents belong to one conversation (``conversationId``): a hold on
#: that conversation keeps them. Share links are not among them: they publish what is held.
CONVERSATION_BOUND = frozenset({"conversations", "messages", "toolcalls", "files"})


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


def file_keys(uow: UnitOfWork, user_id: str, *, keep_conversations: Collection[str] = ()
              ) -> list[str]:
    """The blob keys of the files :func:`erase` would delete (call it first)."""
    from gorunchat.contracts.library import StoredFile

    where: dict[str, Any] = {"user": user_id}
    if keep_conversations:
        where["conversationId"] = {"$nin": sorted(set(keep_conversations))}
    return [f.storageKey or f.file_id for f in uow.repo(StoredFile).find(where)]


def delete_blobs(blobs: BlobStore | None, keys: Collection[str]) -> int:
    """Remove the blobs of erased files, after the erasure committed; the number gone.
    A blob that is already missing, or a store error, is logged and skipped: the
    documents are gone, so nothing serves it, and retrying cannot bring it back."""
    if blobs is None:
        return 0
    import logging

    gone = 0
    for key in keys:
        try:
            gone += bool(blobs.delete(key))
        except Exception:  # noqa: BLE001 - one failing blob must not strand the rest
            logging.getLogger(__name__).warning(
                "blob delete failed", extra={"fields": {"key": key}}, exc_info=True)
    return gone


def erase(uow: UnitOfWork, user_id: str, *, keep_conversations: Collection[str] = ()
          ) -> dict[str, int]:
    """Delete everything ``user_id`` owns and then the account itself; counts per collection
    of their data (collections with nothing deleted left out).

    Documents bound to a conversation in ``keep_conversations`` (what conversation holds
    preserve) stay. The caller checks holds, journals and audits in the same unit of work.
    """
    keep = sorted(set(keep_conversations))
    # Before the sweep: the ACL entries of their prompt groups, others' versions in them,
    # and the production version of others' groups that pointed at one of theirs.
    counts: dict[str, int] = {"promptlibrary": prompts.forget_author(uow, user_id)}
    counts["agentaccess"] = forget_agents(uow, user_id)  # the ACL entries on their agents
    for model in user_data_models():
        where: dict[str, Any] = {USER_DATA[model.collection]: user_id}
        if keep and model.collection in CONVERSATION_BOUND:
            where["conversationId"] = {"$nin": keep}
        counts[model.collection] = uow.repo(model).delete_many(where)
    principal = {"principalType": "user", "principalId": user_id}
    counts["aclentries"] = uow.repo(AclEntry).delete_many(principal)
    counts["systemgrants"] = uow.repo(SystemGrant).delete_many(principal)
    counts["configs"] = uow.repo(ConfigOverride).delete_many(principal)
    counts["groups"] = groups.remove_user_everywhere(uow, user_id)
    uow.users.delete(user_id)
    return {name: n for name, n in counts.items() if n}
