"""Conversations: the user's chats, their titles, archive and pin state, listing and search.

Every conversation is read through the caller's tenant and owner, so another user's or another
tenant's conversation is ``NotFound`` (404), never ``Forbidden``: an id reveals nothing. One
the user deleted under a legal hold (hidden, ``services.holds``) is ``NotFound`` too, and
lists leave it out. Every change is audited and journaled in the unit of work that makes it.
"""

from __future__ import annotations

from typing import Any

from gorunchat.contracts.audit import AuditEvent, DiscoveryEvent
from gorunchat.contracts.conversations import (
    ArchiveAllResult,
    ConversationPage,
    GeneratedTitle,
    ListConversationsQuery,
)
from gorunchat.contracts.documents import Conversation
from gorunchat.contracts.errors import NotFound
from gorunchat.ports.search import TextSearch
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import holds
from gorunchat.services import search as search_service
from gorunchat.services.caller import Caller

DEFAULT_TITLE = "New Chat"


def not_found(conversation_id: str) -> NotFound:
    return NotFound("Conversation not found.", code="CONVERSATION_NOT_FOUND")


def owned(uow: UnitOfWork, caller: Caller, conversation_id: str) -> Conversation:
    """The caller's conversation, or ``NotFound`` (also for another user's id and for one the
    caller deleted under a hold)."""
    current = uow.conversations.get(conversation_id)
    if current is None or current.user != caller.user_id or holds.is_hidden(current):
        raise not_found(conversation_id)
    return current


def audit(uow: UnitOfWork, caller: Caller, action: str, conversation_id: str | None,
          **metadata: Any) -> None:
    uow.record(AuditEvent(action=action, actor=caller.actor, targetType="conversation",
                          targetId=conversation_id, metadata=metadata))


def journal(uow: UnitOfWork, caller: Caller, kind: str, conversation_id: str | None,
            **content: Any) -> None:
    uow.journal(DiscoveryEvent(kind=kind, userId=caller.user_id,
                               conversationId=conversation_id, content=content))


def rename(store: Store, caller: Caller, conversation_id: str, title: str) -> Conversation:
    """Set a conversation's title; another user's conversation is ``NotFound``, not 403."""
    with store.unit_of_work(caller.tenant_id) as uow:
        current = owned(uow, caller, conversation_id)
        updated = uow.conversations.update(conversation_id, {"title": title})
        if updated is None:
            raise not_found(conversation_id)
        audit(uow, caller, "conversation.update", conversation_id, fields=["title"])
        journal(uow, caller, "conversation.renamed", conversation_id, title=title,
                previousTitle=current.title)
        uow.commit()
    return updated


def get(store: Store, caller: Caller, conversation_id: str) -> Conversation:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return owned(uow, caller, conversation_id)


def list_page(store: Store, index: TextSearch, caller: Caller, query: ListConversationsQuery
              ) -> ConversationPage:
    """One cursor page of the caller's conversations, filtered and sorted as asked."""
    where: dict[str, Any] = {"user": caller.user_id, "expiredAt": None, **holds.VISIBLE}
    where["isArchived"] = True if query.isArchived else {"$ne": True}
    if query.pinned:
        where["isPinned"] = True
    if query.tags:
        where["tags"] = {"$in": query.tags}
    if query.search and query.search.strip():
        matches = search_service.conversation_ids(store, index, caller, query.search)
        if not matches:
            return ConversationPage(conversations=[], nextCursor=None)
        where["conversationId"] = {"$in": matches}
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        page = uow.conversations.page(where, sort_field=query.sortBy,
                                      descending=query.sortDirection == "desc",
                                      limit=query.limit, cursor=query.cursor)
    return ConversationPage(conversations=page.items, nextCursor=page.nextCursor)


def set_archived(store: Store, caller: Caller, conversation_id: str, archived: bool
                 ) -> Conversation:
    """Archive or unarchive; ``updatedAt`` is kept so the chat keeps its place when restored."""
    with store.unit_of_work(caller.tenant_id) as uow:
        current = owned(uow, caller, conversation_id)
        updated = uow.conversations.update(conversation_id, {
            "isArchived": archived, "updatedAt": current.updatedAt})
        if updated is None:
            raise not_found(conversation_id)
        audit(uow, caller, "conversation.archive", conversation_id, isArchived=archived)
        journal(uow, caller, "conversation.archived" if archived else "conversation.unarchived",
                conversation_id, title=current.title)
        uow.commit()
    return updated


def archive_all(store: Store, caller: Caller, archived: bool = True) -> ArchiveAllResult:
    """Archive (or unarchive) every conversation the user can see in the list."""
    with store.unit_of_work(caller.tenant_id) as uow:
        where = {"user": caller.user_id, "expiredAt": None, **holds.VISIBLE,
                 "isArchived": {"$ne": True} if archived else True}
        targets = [c.conversationId for c in uow.conversations.find(where)]
        count = uow.conversations.update_many(where, {"isArchived": archived}) if targets else 0
        audit(uow, caller, "conversation.archive_all", None, isArchived=archived, count=count)
        journal(uow, caller, "conversation.archived_all" if archived
                else "conversation.unarchived_all", None, conversationIds=targets)
        uow.commit()
    return ArchiveAllResult(modifiedCount=count)


def set_pinned(store: Store, caller: Caller, conversation_id: str, pinned: bool
               ) -> Conversation:
    with store.unit_of_work(caller.tenant_id) as uow:
        current = owned(uow, caller, conversation_id)
        updated = uow.conversations.update(conversation_id, {
            "isPinned": pinned, "updatedAt": current.updatedAt})
        if updated is None:
            raise not_found(conversation_id)
        audit(uow, caller, "conversation.pin", conversation_id, pinned=pinned)
        journal(uow, caller, "conversation.pinned" if pinned else "conversation.unpinned",
                conversation_id, title=current.title)
        uow.commit()
    return updated


def generated_title(store: Store, caller: Caller, conversation_id: str) -> GeneratedTitle:
    """The title the chat flow generated for the conversation; 404 until there is one.

    LibreChat polls a short-lived cache the generation fills; here the generation stores
    the title on the conversation itself, so the answer is immediate and survives restarts.
    """
    conversation = get(store, caller, conversation_id)
    title = (conversation.title or "").strip()
    if not title or title == DEFAULT_TITLE:
        raise NotFound("Title not found or method not implemented for the conversation's "
                       "endpoint", code="TITLE_NOT_FOUND")
    return GeneratedTitle(title=title)
