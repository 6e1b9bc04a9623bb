"""Deleting conversations, with what LibreChat deletes with them.

A conversation takes its messages, tool calls and share links with it, and the files that
pointed at it lose that reference (the files themselves stay in the user's library). Tag
counts are kept true. The discovery journal gets every deleted message's words first, so
the record outlives the deletion.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from gorunchat.contracts.conversations import (
    ConversationFilter,
    DeleteConversationsResult,
    DeletedCount,
)
from gorunchat.contracts.documents import Conversation
from gorunchat.contracts.errors import BadRequest
from gorunchat.contracts.library import ConversationTag, SharedLink, StoredFile, ToolCall
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import messages as message_service
from gorunchat.services.caller import Caller
from gorunchat.services.conversations import audit, journal, owned
from gorunchat.services.search import chunks


def _discount_tags(uow: UnitOfWork, caller: Caller, removed: Counter[str]) -> None:
    if not removed:
        return
    tags = uow.repo(ConversationTag)
    for tag in tags.find({"user": caller.user_id, "tag": {"$in": list(removed)}}):
        tags.update(tag.id, {"count": max(0, tag.count - removed[tag.tag])})


def _cascade(uow: UnitOfWork, caller: Caller, conversations: list[Conversation]) -> int:
    """Delete everything that belongs to ``conversations``; the number of messages removed."""
    user = caller.user_id
    deleted_messages = 0
    per_conversation: Counter[str] = Counter()
    for part in chunks([c.conversationId for c in conversations]):
        where = {"conversationId": {"$in": part}, "user": user}
        for message in uow.messages.find(where):
            message_service.journal(uow, caller, "message.deleted", message,
                                    reason="conversation.deleted")
            per_conversation[message.conversationId] += 1
        deleted_messages += uow.messages.delete_many(where)
        uow.repo(ToolCall).delete_many(where)
        uow.repo(SharedLink).delete_many(where)
        uow.repo(StoredFile).update_many(where, {"conversationId": None})
        uow.conversations.delete_many(where)
    for conversation in conversations:
        journal(uow, caller, "conversation.deleted", conversation.conversationId,
                title=conversation.title, messageCount=per_conversation[
                    conversation.conversationId])
    _discount_tags(uow, caller, Counter(t for c in conversations for t in set(c.tags)))
    return deleted_messages


def _result(conversations: list[Conversation], messages: int) -> DeleteConversationsResult:
    return DeleteConversationsResult(
        deletedCount=len(conversations), messages=DeletedCount(deletedCount=messages),
        conversationIds=[c.conversationId for c in conversations])


def delete_one(store: Store, caller: Caller, conversation_id: str
               ) -> DeleteConversationsResult:
    with store.unit_of_work(caller.tenant_id) as uow:
        conversation = owned(uow, caller, conversation_id)
        removed = _cascade(uow, caller, [conversation])
        audit(uow, caller, "conversation.delete", conversation_id, messages=removed)
        uow.commit()
    return _result([conversation], removed)


def delete_matching(store: Store, caller: Caller, criteria: ConversationFilter
                    ) -> DeleteConversationsResult:
    """Every conversation of the caller matching all of ``criteria`` (never an empty one)."""
    if criteria.empty:
        raise BadRequest("A delete filter needs at least one criterion.", code="EMPTY_FILTER")
    where: dict[str, Any] = {"user": caller.user_id}
    if criteria.isArchived is not None:
        where["isArchived"] = True if criteria.isArchived else {"$ne": True}
    if criteria.tags:
        where["tags"] = {"$in": criteria.tags}
    if criteria.endpoint is not None:
        where["endpoint"] = criteria.endpoint
    if criteria.updatedBefore is not None:
        where["updatedAt"] = {"$lt": criteria.updatedBefore}
    with store.unit_of_work(caller.tenant_id) as uow:
        conversations = uow.conversations.find(where)
        removed = _cascade(uow, caller, conversations)
        audit(uow, caller, "conversation.delete", None, conversations=len(conversations),
              messages=removed, filter=criteria.model_dump(mode="json", exclude_none=True))
        uow.commit()
    return _result(conversations, removed)


def delete_all(store: Store, caller: Caller) -> DeleteConversationsResult:
    """Every conversation of the caller, and everything that belongs to them."""
    with store.unit_of_work(caller.tenant_id) as uow:
        conversations = uow.conversations.find({"user": caller.user_id})
        removed = _cascade(uow, caller, conversations)
        uow.repo(ToolCall).delete_many({"user": caller.user_id})
        uow.repo(SharedLink).delete_many({"user": caller.user_id})
        audit(uow, caller, "conversation.delete_all", None, conversations=len(conversations),
              messages=removed)
        uow.commit()
    return _result(conversations, removed)
