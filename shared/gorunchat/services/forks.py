"""Forking and duplicating conversations: new conversations holding copies of messages.

The copy gets fresh message ids with the tree's shape kept, belongs to the caller, and starts
unarchived, unpinned and untagged. Every copied message is journaled as created, so the
discovery journal holds the new conversation's words from the start.
"""

from __future__ import annotations

from collections.abc import Sequence

from gorunchat.contracts.conversations import ConversationWithMessages, ForkRequest
from gorunchat.contracts.documents import Conversation, Message, utcnow
from gorunchat.domain import forking
from gorunchat.domain.ids import new_uuid
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import holds
from gorunchat.services import messages as message_service
from gorunchat.services.caller import Caller
from gorunchat.services.conversations import audit, journal, owned


def store_copy(uow: UnitOfWork, caller: Caller, source: Conversation,
               messages: Sequence[Message], title: str | None, kind: str
               ) -> ConversationWithMessages:
    """Insert a new conversation (copied settings of ``source``) holding copies of
    ``messages``; journals it as ``kind`` (``conversation.forked``...)."""
    conversation_id = new_uuid()
    copies, _ = forking.clone(messages, conversation_id, caller.user_id)
    now = utcnow()
    conversation = source.model_copy(update={
        "conversationId": conversation_id, "user": caller.user_id, "tenantId": caller.tenant_id,
        "title": title or source.title, "createdAt": now, "updatedAt": now,
        "isArchived": False, "isPinned": False, "tags": [], "files": [], "expiredAt": None})
    uow.conversations.insert(conversation)
    for copy in copies:
        uow.messages.insert(copy)
        message_service.journal(uow, caller, "message.created", copy,
                                copiedFrom=source.conversationId)
    journal(uow, caller, kind, conversation_id, title=conversation.title,
            sourceConversationId=source.conversationId, messageCount=len(copies))
    return ConversationWithMessages(conversation=conversation, messages=copies)


def _messages(uow: UnitOfWork, caller: Caller, conversation_id: str) -> list[Message]:
    """The source's messages the caller can see (never ones deleted under a hold)."""
    return uow.messages.find({"conversationId": conversation_id, "user": caller.user_id,
                              **holds.VISIBLE}, sort=[("createdAt", 1)])


def fork(store: Store, caller: Caller, body: ForkRequest) -> ConversationWithMessages:
    """A new conversation from ``messageId`` with LibreChat's fork options."""
    option = forking.ForkOption(body.option) if body.option else None
    with store.unit_of_work(caller.tenant_id) as uow:
        source = owned(uow, caller, body.conversationId)
        chosen = forking.select(_messages(uow, caller, body.conversationId), body.messageId,
                                option, split_at_target=body.splitAtTarget,
                                latest_message_id=body.latestMessageId)
        result = store_copy(uow, caller, source, chosen, None, "conversation.forked")
        audit(uow, caller, "conversation.fork", result.conversation.conversationId,
              sourceConversationId=source.conversationId, messageId=body.messageId,
              option=(option or forking.ForkOption.TARGET_LEVEL).value,
              splitAtTarget=body.splitAtTarget, messages=len(result.messages))
        uow.commit()
    return result


def duplicate(store: Store, caller: Caller, conversation_id: str, title: str | None
              ) -> ConversationWithMessages:
    """A full copy of the conversation (every branch), optionally under a new title."""
    with store.unit_of_work(caller.tenant_id) as uow:
        source = owned(uow, caller, conversation_id)
        clean = title.strip() if title else None
        result = store_copy(uow, caller, source, _messages(uow, caller, conversation_id),
                            clean or None, "conversation.duplicated")
        audit(uow, caller, "conversation.duplicate", result.conversation.conversationId,
              sourceConversationId=conversation_id, messages=len(result.messages))
        uow.commit()
    return result
