"""Deleting conversations, with what LibreChat deletes with them.

A conversation takes its messages, tool calls and share links with it, and the files that
pointed at it lose that reference (the files themselves stay in the user's library). Tag
counts are kept true. ``remove`` is that cascade; every path that destroys conversations
uses it (these routes, account deletion, retention).

A user's own deletion honours legal holds (``services.holds``): a conversation a hold covers
is hidden with its messages instead of removed. Its share links still go (they publish it),
its tool calls and file references stay, and the user gets the answer a real delete gives.
Either way the discovery journal gets every deleted message's words first, so the record
outlives the deletion, and the audit record says what was hidden and under which holds.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gorunchat.contracts.conversations import (
    ConversationFilter,
    DeleteConversationsResult,
    DeletedCount,
)
from gorunchat.contracts.documents import Conversation
from gorunchat.contracts.errors import BadRequest
from gorunchat.contracts.library import ConversationTag, SharedLink, StoredFile, ToolCall
from gorunchat.domain import holds as hold_rules
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import holds
from gorunchat.services import messages as message_service
from gorunchat.services.caller import Caller
from gorunchat.services.conversations import audit, journal, owned
from gorunchat.services.search import chunks


def _discount_tags(uow: UnitOfWork, user_id: str, removed: Counter[str]) -> None:
    if not removed:
        return
    tags = uow.repo(ConversationTag)
    for tag in tags.find({"user": user_id, "tag": {"$in": list(removed)}}):
        tags.update(tag.id, {"count": max(0, tag.count - removed[tag.tag])})


def _tag_counts(conversations: Sequence[Conversation]) -> Counter[str]:
    return Counter(t for c in conversations for t in set(c.tags))


def remove(uow: UnitOfWork, conversations: Sequence[Conversation]) -> int:
    """Destroy ``conversations`` and what belongs to them; the number of messages removed.

    Messages, tool calls and share links go; files keep their blob and lose the reference.
    The tags of conversations that were still visible are discounted (a hidden one was
    discounted when its user deleted it). Records nothing: the caller audits and journals
    why, and has checked ownership and holds.
    """
    removed = 0
    by_owner: dict[str, list[Conversation]] = defaultdict(list)
    for conversation in conversations:
        by_owner[conversation.user].append(conversation)
    for owner, theirs in by_owner.items():
        for part in chunks([c.conversationId for c in theirs]):
            where = {"conversationId": {"$in": part}}
            removed += uow.messages.delete_many(where)
            uow.repo(ToolCall).delete_many(where)
            uow.repo(SharedLink).delete_many(where)
            uow.repo(StoredFile).update_many(where, {"conversationId": None})
            uow.conversations.delete_many(where)
        _discount_tags(uow, owner, _tag_counts([c for c in theirs if not holds.is_hidden(c)]))
    return removed


@dataclass
class Disposed:
    """What a user's deletion did: every conversation is gone for them; some are hidden."""

    conversations: list[Conversation]
    messages: int = 0
    hidden: list[str] = field(default_factory=list)
    holds: set[str] = field(default_factory=set)

    def outcome(self) -> dict[str, Any]:
        """Audit metadata: empty when everything was deleted (the record reads as before)."""
        if not self.hidden:
            return {}
        partly = len(self.hidden) < len(self.conversations)
        return {"disposition": "partly_hidden" if partly else "hidden",
                "holds": sorted(self.holds), "hiddenConversations": self.hidden}

    def result(self) -> DeleteConversationsResult:
        """The answer a real delete gives, whatever was hidden."""
        return DeleteConversationsResult(
            deletedCount=len(self.conversations),
            messages=DeletedCount(deletedCount=self.messages),
            conversationIds=[c.conversationId for c in self.conversations])


def dispose(uow: UnitOfWork, caller: Caller, conversations: Sequence[Conversation], *,
            reason: str | None = None) -> Disposed:
    """The caller's deletion of their (visible) ``conversations``: each is removed, or hidden
    with its messages when a hold covers it. Journals every message's words and each
    conversation's end; ``reason`` (``user.delete``...) is journaled when given."""
    current = holds.active_holds(uow)
    done = Disposed(list(conversations))
    hidden: list[Conversation] = []
    for conversation in conversations:
        found = holds.covering(current, caller.user_id, conversation.conversationId)
        if found:
            hidden.append(conversation)
            done.holds.update(h.id for h in found)
    done.hidden = [c.conversationId for c in hidden]
    kept = set(done.hidden)
    per_conversation: Counter[str] = Counter()
    for part in chunks([c.conversationId for c in conversations]):
        for message in uow.messages.find({"conversationId": {"$in": part}, **holds.VISIBLE}):
            extra = {"disposition": "hidden"} if message.conversationId in kept else {}
            message_service.journal(uow, caller, "message.deleted", message,
                                    reason=reason or "conversation.deleted", **extra)
            per_conversation[message.conversationId] += 1
    for conversation in hidden:
        holds.hide_conversation(uow, conversation.conversationId, by=caller.user_id)
        uow.repo(SharedLink).delete_many({"conversationId": conversation.conversationId})
    _discount_tags(uow, caller.user_id, _tag_counts(hidden))
    remove(uow, [c for c in conversations if c.conversationId not in kept])
    for conversation in conversations:
        extra = {"disposition": "hidden"} if conversation.conversationId in kept else {}
        journal(uow, caller, "conversation.deleted", conversation.conversationId,
                title=conversation.title,
                messageCount=per_conversation[conversation.conversationId],
                **({"reason": reason} if reason else {}), **extra)
    done.messages = sum(per_conversation.values())
    return done


def sweep_orphans(uow: UnitOfWork, caller: Caller) -> None:
    """After deleting all of the caller's conversations: their remaining share links, and
    tool calls no hold preserves (LibreChat deletes all of them)."""
    uow.repo(SharedLink).delete_many({"user": caller.user_id})
    current = holds.active_holds(uow)
    if holds.covering(current, caller.user_id, None):
        return
    preserved = sorted(hold_rules.held_conversations(current))
    uow.repo(ToolCall).delete_many({"user": caller.user_id,
                                    "conversationId": {"$nin": preserved}})


def delete_one(store: Store, caller: Caller, conversation_id: str
               ) -> DeleteConversationsResult:
    with store.unit_of_work(caller.tenant_id) as uow:
        conversation = owned(uow, caller, conversation_id)
        done = dispose(uow, caller, [conversation])
        audit(uow, caller, "conversation.delete", conversation_id, messages=done.messages,
              **done.outcome())
        uow.commit()
    return done.result()


def delete_matching(store: Store, caller: Caller, criteria: ConversationFilter
                    ) -> DeleteConversationsResult:
    """Every conversation of the caller matching all of ``criteria`` (never an empty one)."""
    if criteria.empty:
        raise BadRequest("A delete filter needs at least one criterion.", code="EMPTY_FILTER")
    where: dict[str, Any] = {"user": caller.user_id, **holds.VISIBLE}
    if criteria.isArchived is not None:
        where["isArchived"] = True if criteria.isArchived else {"$ne": True}
    if criteria.tags:
        where["tags"] = {"$in": criteria.tags}
    if criteria.endpoint is not None:
        where["endpoint"] = criteria.endpoint
    if criteria.updatedBefore is not None:
        where["updatedAt"] = {"$lt": criteria.updatedBefore}
    with store.unit_of_work(caller.tenant_id) as uow:
        done = dispose(uow, caller, uow.conversations.find(where))
        audit(uow, caller, "conversation.delete", None, conversations=len(done.conversations),
              messages=done.messages, filter=criteria.model_dump(mode="json", exclude_none=True),
              **done.outcome())
        uow.commit()
    return done.result()


def delete_all(store: Store, caller: Caller) -> DeleteConversationsResult:
    """Every conversation of the caller, and everything that belongs to them."""
    with store.unit_of_work(caller.tenant_id) as uow:
        done = dispose(uow, caller, uow.conversations.find({"user": caller.user_id,
                                                            **holds.VISIBLE}))
        sweep_orphans(uow, caller)
        audit(uow, caller, "conversation.delete_all", None,
              conversations=len(done.conversations), messages=done.messages, **done.outcome())
        uow.commit()
    return done.result()
