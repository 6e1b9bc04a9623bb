"""Conversations: the user's chats, their titles, archive and pin state."""

from __future__ import annotations

from gorunchat.contracts.audit import AuditEvent, DiscoveryEvent
from gorunchat.contracts.documents import Conversation
from gorunchat.contracts.errors import NotFound
from gorunchat.ports.store import Store
from gorunchat.services.caller import Caller


def not_found(conversation_id: str) -> NotFound:
    return NotFound("Conversation not found.", code="CONVERSATION_NOT_FOUND")


def rename(store: Store, caller: Caller, conversation_id: str, title: str) -> Conversation:
    """Set a conversation's title; another user's conversation is ``NotFound``, not 403."""
    with store.unit_of_work(caller.tenant_id) as uow:
        current = uow.conversations.get(conversation_id)
        if current is None or current.user != caller.user_id:
            raise not_found(conversation_id)
        updated = uow.conversations.update(conversation_id, {"title": title})
        if updated is None:
            raise not_found(conversation_id)
        uow.record(AuditEvent(action="conversation.update", actor=caller.actor,
                              targetType="conversation", targetId=conversation_id,
                              metadata={"fields": ["title"]}))
        uow.journal(DiscoveryEvent(kind="conversation.renamed", userId=caller.user_id,
                                   conversationId=conversation_id,
                                   content={"title": title, "previousTitle": current.title}))
        uow.commit()
    return updated
