"""Chat persistence: what a generation writes to the store, under the unit-of-work rules.

The streaming service calls these (synchronous) functions from worker threads:

- ``prepare`` checks the target conversation before anything is reserved;
- ``record_start`` writes the user's message (and a new conversation) with its audit and
  discovery records in one unit of work, and returns the thread the model should see;
- ``checkpoint`` saves the partial response (``unfinished: true``) every few seconds; it is
  working state, replaced by the final write, so it records no audit event;
- ``finish`` writes the final (or aborted, or failed) response, its usage and its audit and
  discovery records in one unit of work;
- ``recover`` is what any instance does for a generation whose owner died: the last
  checkpoint is kept as the response, marked ``unfinished`` and ``error``.

A failure to write the records raises ``AuditUnavailable`` and writes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from gorunchat.contracts.audit import Actor, AuditEvent, DiscoveryEvent
from gorunchat.contracts.chat import (
    ContentPart,
    ConversationView,
    JobRecord,
    MessageView,
)
from gorunchat.contracts.documents import Conversation, Message
from gorunchat.contracts.errors import Conflict, NotFound
from gorunchat.domain.ids import new_uuid
from gorunchat.ports.provider import ProviderMessage, TextPart
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import holds
from gorunchat.services.caller import Caller

Outcome = Literal["complete", "aborted", "error"]
HISTORY_LIMIT = 40
_AUDIT_ACTION: dict[Outcome, str] = {"complete": "message.create", "aborted": "chat.abort",
                                     "error": "chat.fail"}


@dataclass(frozen=True)
class StartPlan:
    conversation_id: str
    is_new: bool


@dataclass(frozen=True)
class StartRecord:
    conversation: ConversationView
    user_message: MessageView
    history: list[ProviderMessage]
    created_message: bool


@dataclass(frozen=True)
class FinishRecord:
    conversation: ConversationView
    request_message: MessageView
    response_message: MessageView


def not_found() -> NotFound:
    return NotFound("Conversation not found.", code="CONVERSATION_NOT_FOUND")


def message_view(message: Message) -> MessageView:
    parts = [ContentPart.model_validate(p) for p in message.content or []
             if p.get("type") in ("text", "think", "tool_call")]
    return MessageView(
        messageId=message.messageId, conversationId=message.conversationId,
        parentMessageId=message.parentMessageId, sender=message.sender, text=message.text,
        content=parts or None, isCreatedByUser=message.isCreatedByUser, model=message.model,
        endpoint=message.endpoint, error=message.error, unfinished=message.unfinished,
        tokenCount=message.tokenCount, createdAt=message.createdAt, updatedAt=message.updatedAt)


def conversation_view(conversation: Conversation) -> ConversationView:
    return ConversationView(
        conversationId=conversation.conversationId, title=conversation.title,
        endpoint=conversation.endpoint, model=conversation.model,
        createdAt=conversation.createdAt, updatedAt=conversation.updatedAt)


def prepare(store: Store, caller: Caller, conversation_id: str | None) -> StartPlan:
    """Where a start goes: a new conversation, or one of the caller's; another user's
    conversation is ``NotFound`` (so ids leak nothing)."""
    if conversation_id is None:
        return StartPlan(new_uuid(), is_new=True)
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        found = uow.conversations.get(conversation_id)
    # A conversation the user deleted while it was under legal hold is hidden, not gone:
    # it must look deleted, so it can be neither continued nor reused.
    if found is not None and (found.user != caller.user_id or holds.is_hidden(found)):
        raise not_found()
    return StartPlan(conversation_id, is_new=found is None)


def record_start(store: Store, caller: Caller, message: Message) -> StartRecord:
    """Persist the user's message (creating its conversation if needed) and return the thread.

    A message id the caller already stored in this conversation is reused as is (a retried
    submission), never written twice.
    """
    with store.unit_of_work(caller.tenant_id) as uow:
        conversation = _ensure_conversation(uow, caller, message)
        existing = uow.messages.get(message.messageId)
        if existing is not None and (existing.user != caller.user_id
                                     or existing.conversationId != message.conversationId):
            raise Conflict("That message id is already used.", code="MESSAGE_ID_CONFLICT")
        stored = existing or uow.messages.insert(message)
        if existing is None:
            uow.record(AuditEvent(action="message.create", actor=caller.actor,
                                  targetType="message", targetId=message.messageId,
                                  metadata={"conversationId": message.conversationId,
                                            "role": "user"}))
            uow.journal(DiscoveryEvent(kind="message.created", userId=caller.user_id,
                                       conversationId=message.conversationId,
                                       messageId=message.messageId,
                                       content={"text": message.text, "sender": message.sender,
                                                "isCreatedByUser": True}))
        history = _thread(uow, message.conversationId, stored)
        uow.commit()
    return StartRecord(conversation_view(conversation), message_view(stored), history,
                       created_message=existing is None)


def _ensure_conversation(uow: UnitOfWork, caller: Caller, message: Message) -> Conversation:
    conversation_id = message.conversationId
    current = uow.conversations.get(conversation_id)
    if current is not None:
        if current.user != caller.user_id or holds.is_hidden(current):
            raise not_found()
        changes = {"endpoint": message.endpoint, "model": message.model}
        return uow.conversations.update(conversation_id, changes) or current
    created = uow.conversations.insert(Conversation(
        conversationId=conversation_id, user=caller.user_id, title="New Chat",
        endpoint=message.endpoint, model=message.model))
    uow.record(AuditEvent(action="conversation.create", actor=caller.actor,
                          targetType="conversation", targetId=conversation_id))
    uow.journal(DiscoveryEvent(kind="conversation.created", userId=caller.user_id,
                               conversationId=conversation_id,
                               content={"title": created.title}))
    return created


def _thread(uow: UnitOfWork, conversation_id: str, last: Message) -> list[ProviderMessage]:
    """The branch ending at ``last`` (oldest first, at most ``HISTORY_LIMIT`` messages)."""
    where = {"conversationId": conversation_id, **holds.VISIBLE}
    by_id = {m.messageId: m for m in uow.messages.find(where, sort=[("createdAt", -1)],
                                                       limit=500)}
    by_id[last.messageId] = last
    chain: list[Message] = []
    seen: set[str] = set()
    cursor: Message | None = last
    while cursor is not None and cursor.messageId not in seen and len(chain) < HISTORY_LIMIT:
        chain.append(cursor)
        seen.add(cursor.messageId)
        cursor = by_id.get(cursor.parentMessageId or "")
    return [ProviderMessage(role="user" if m.isCreatedByUser else "assistant",
                            parts=[TextPart(text=m.text)])
            for m in reversed(chain) if m.text]


def checkpoint(store: Store, tenant_id: str, responses: Sequence[Message]) -> None:
    """Save partial responses as they stand (``unfinished: true``), all in one transaction."""
    with store.unit_of_work(tenant_id) as uow:
        for response in responses:
            uow.messages.save(response)
        uow.commit()


def finish(store: Store, job: JobRecord, actor: Actor, response: Message, outcome: Outcome,
           reason: str | None = None) -> FinishRecord:
    """Write the response of a generation that ended, with its audit and discovery records."""
    with store.unit_of_work(job.tenantId) as uow:
        uow.messages.save(response)
        record = _closing_records(uow, job, actor, response, outcome, reason)
        uow.commit()
    return record


def recover(store: Store, job: JobRecord, actor: Actor, reason: str) -> FinishRecord:
    """Close a generation whose owner died: keep its last checkpoint, marked unfinished."""
    with store.unit_of_work(job.tenantId) as uow:
        found = uow.messages.get(job.responseMessageId)
        response = found or Message(
            messageId=job.responseMessageId, conversationId=job.conversationId,
            user=job.userId, parentMessageId=job.userMessageId, sender=job.sender,
            model=job.model, endpoint=job.endpoint)
        response = response.model_copy(update={"unfinished": True, "error": True})
        uow.messages.save(response)
        record = _closing_records(uow, job, actor, response, "error", reason)
        uow.commit()
    return record


def _closing_records(uow: UnitOfWork, job: JobRecord, actor: Actor, response: Message,
                     outcome: Outcome, reason: str | None) -> FinishRecord:
    conversation = uow.conversations.update(job.conversationId, {"model": job.model,
                                                                 "endpoint": job.endpoint})
    request = uow.messages.get(job.userMessageId)
    if conversation is None or request is None:
        raise not_found()
    uow.record(AuditEvent(
        action=_AUDIT_ACTION[outcome], actor=actor, targetType="message",
        targetId=response.messageId,
        outcome="success" if outcome == "complete" else "failure",
        metadata={"conversationId": job.conversationId, "streamId": job.streamId,
                  "role": "assistant", "tokenCount": response.tokenCount,
                  "unfinished": response.unfinished, "reason": reason}))
    uow.journal(DiscoveryEvent(
        kind="message.created", userId=job.userId, conversationId=job.conversationId,
        messageId=response.messageId,
        content={"text": response.text, "sender": response.sender, "isCreatedByUser": False,
                 "unfinished": response.unfinished, "error": response.error,
                 "model": response.model, "endpoint": response.endpoint,
                 "tokenCount": response.tokenCount}))
    return FinishRecord(conversation_view(conversation), message_view(request),
                        message_view(response))
