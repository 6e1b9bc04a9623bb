"""Messages of a conversation: read, create, edit, delete, feedback, branch, artifact edits.

Routes name the conversation in the path; a message is only reachable through a conversation
its caller owns, so another user's or tenant's ids answer 404. Every write is audited and its
text journaled (created, edited, deleted) in the same unit of work. A message deleted under a
legal hold is hidden, not destroyed (``services.holds``), and every read here leaves it out.
"""

from __future__ import annotations

from typing import Any

from gorunchat.contracts.audit import AuditEvent, DiscoveryEvent
from gorunchat.contracts.documents import Message, utcnow
from gorunchat.contracts.errors import BadRequest, Conflict, NotFound
from gorunchat.contracts.messages import (
    ArtifactEditRequest,
    ArtifactEditResult,
    BranchRequest,
    CreateMessageRequest,
    Feedback,
    FeedbackResult,
    MessagesPage,
    MessagesQuery,
    UpdateMessageRequest,
)
from gorunchat.domain import artifacts
from gorunchat.domain.ids import new_uuid
from gorunchat.domain.message_tree import NO_PARENT, tree_order
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import holds
from gorunchat.services.caller import Caller
from gorunchat.services.conversations import owned

_SORTABLE = {"createdAt", "updatedAt", "endpoint"}
_EDITABLE_PARTS = {"text", "think"}


def message_not_found() -> NotFound:
    return NotFound("Message not found.", code="MESSAGE_NOT_FOUND")


def record(uow: UnitOfWork, caller: Caller, action: str, message: Message,
           **metadata: Any) -> None:
    uow.record(AuditEvent(action=action, actor=caller.actor, targetType="message",
                          targetId=message.messageId,
                          metadata={"conversationId": message.conversationId, **metadata}))


def journal(uow: UnitOfWork, caller: Caller, kind: str, message: Message,
            **extra: Any) -> None:
    """A discovery record with the message's words, kept even after the message is gone."""
    uow.journal(DiscoveryEvent(
        kind=kind, userId=caller.user_id, conversationId=message.conversationId,
        messageId=message.messageId,
        content={"text": message.text, "content": message.content,
                 "sender": message.sender, "isCreatedByUser": message.isCreatedByUser,
                 **extra}))


def in_conversation(uow: UnitOfWork, caller: Caller, conversation_id: str, message_id: str
                    ) -> Message:
    """The message, if it belongs to a conversation the caller owns."""
    owned(uow, caller, conversation_id)
    message = uow.messages.get(message_id)
    if (message is None or message.conversationId != conversation_id
            or message.user != caller.user_id or holds.is_hidden(message)):
        raise message_not_found()
    return message


def list_for(store: Store, caller: Caller, conversation_id: str) -> list[Message]:
    """Every message of the conversation, parents before children (the tree's order)."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        owned(uow, caller, conversation_id)
        found = uow.messages.find({"conversationId": conversation_id, "user": caller.user_id,
                                   **holds.VISIBLE}, sort=[("createdAt", 1)])
    return tree_order(found)


def get_one(store: Store, caller: Caller, conversation_id: str, message_id: str
            ) -> list[Message]:
    """``[message]``: LibreChat answers this route with a list."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return [in_conversation(uow, caller, conversation_id, message_id)]


def page(store: Store, caller: Caller, query: MessagesQuery) -> MessagesPage:
    """``GET /api/messages?conversationId=``: a cursor page, or one message by id."""
    conversation_id = query.conversationId or ""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        owned(uow, caller, conversation_id)
        if query.messageId:
            found = uow.messages.get(query.messageId)
            hit = (found is not None and found.conversationId == conversation_id
                   and found.user == caller.user_id and not holds.is_hidden(found))
            return MessagesPage(messages=[found] if hit and found else [], nextCursor=None)
        sort = query.sortBy if query.sortBy in _SORTABLE else "createdAt"
        where = {"conversationId": conversation_id, "user": caller.user_id, **holds.VISIBLE}
        result = uow.messages.page(where, sort_field=sort,
                                   descending=query.sortDirection == "desc",
                                   limit=query.pageSize, cursor=query.cursor)
    return MessagesPage(messages=list(result.items), nextCursor=result.nextCursor)


def create(store: Store, caller: Caller, conversation_id: str, body: CreateMessageRequest
           ) -> Message:
    """Save a message in the path's conversation; a body naming another one is a 400."""
    if body.conversationId not in (None, conversation_id):
        raise BadRequest("The body's conversationId does not match the path.",
                         code="CONVERSATION_MISMATCH")
    fields = body.model_dump(exclude_none=True, exclude={"conversationId"})
    message = Message.model_validate({
        **fields, "messageId": body.messageId or new_uuid(),
        "parentMessageId": body.parentMessageId or NO_PARENT,
        "conversationId": conversation_id, "user": caller.user_id,
        "tenantId": caller.tenant_id})
    with store.unit_of_work(caller.tenant_id) as uow:
        conversation = owned(uow, caller, conversation_id)
        existing = uow.messages.get(message.messageId)
        # A hidden message is held evidence: saving over it would destroy it.
        if existing is not None and (existing.conversationId != conversation_id
                                     or existing.user != caller.user_id
                                     or holds.is_hidden(existing)):
            raise Conflict("A message with this id already exists.", code="MESSAGE_EXISTS")
        saved = uow.messages.save(message.model_copy(
            update={"createdAt": existing.createdAt} if existing else {}))
        touch = {k: v for k, v in (("endpoint", body.endpoint), ("model", body.model))
                 if v is not None and v != getattr(conversation, k)}
        uow.conversations.update(conversation_id, touch)
        record(uow, caller, "message.create", saved, replaced=existing is not None)
        journal(uow, caller, "message.edited" if existing else "message.created", saved)
        uow.commit()
    return saved


def _edited_content(message: Message, index: int, text: str) -> list[dict[str, Any]]:
    parts = [dict(p) for p in message.content or []]
    if index >= len(parts):
        raise BadRequest("Invalid index: the message has no such content part.",
                         code="INVALID_INDEX")
    kind = parts[index].get("type")
    if kind not in _EDITABLE_PARTS:
        raise BadRequest("Only text content can be edited.", code="NOT_TEXT_CONTENT")
    value = parts[index].get(kind)
    parts[index][kind] = {**value, "value": text} if isinstance(value, dict) else text
    return parts


def update(store: Store, caller: Caller, conversation_id: str, message_id: str,
           body: UpdateMessageRequest) -> Message:
    """Edit the text (or one text part) of a message of this conversation."""
    with store.unit_of_work(caller.tenant_id) as uow:
        current = in_conversation(uow, caller, conversation_id, message_id)
        if body.index is None:
            changes: dict[str, Any] = {"text": body.text}
        else:
            changes = {"content": _edited_content(current, body.index, body.text)}
        updated = uow.messages.update(message_id, changes)
        if updated is None:
            raise message_not_found()
        record(uow, caller, "message.update", updated, fields=sorted(changes))
        journal(uow, caller, "message.edited", updated, previousText=current.text,
                previousContent=current.content)
        uow.commit()
    return updated


def delete(store: Store, caller: Caller, conversation_id: str, message_id: str) -> None:
    """Delete a message; under a hold on its conversation (or its user) it is hidden instead,
    and the caller cannot tell the difference."""
    with store.unit_of_work(caller.tenant_id) as uow:
        current = in_conversation(uow, caller, conversation_id, message_id)
        found = holds.covering(holds.active_holds(uow), caller.user_id, conversation_id)
        if found:
            holds.hide(uow.messages, {"messageId": message_id}, by=caller.user_id)
        else:
            uow.messages.delete(message_id)
        outcome = holds.disposition(found)
        record(uow, caller, "message.delete", current, **outcome)
        journal(uow, caller, "message.deleted", current, **outcome)
        uow.commit()


def feedback(store: Store, caller: Caller, conversation_id: str, message_id: str,
             value: Feedback | None) -> FeedbackResult:
    with store.unit_of_work(caller.tenant_id) as uow:
        current = in_conversation(uow, caller, conversation_id, message_id)
        stored = value.model_dump(exclude_none=True) if value else None
        uow.messages.update(message_id, {"feedback": stored, "updatedAt": current.updatedAt})
        record(uow, caller, "message.feedback", current,
               rating=value.rating if value else None)
        uow.journal(DiscoveryEvent(kind="message.feedback", userId=caller.user_id,
                                   conversationId=conversation_id, messageId=message_id,
                                   content={"feedback": stored}))
        uow.commit()
    return FeedbackResult(messageId=message_id, conversationId=conversation_id,
                          feedback=value)


def owned_message(uow: UnitOfWork, caller: Caller, message_id: str) -> Message:
    """A message of the caller's, found by id alone (its conversation must be the caller's)."""
    message = uow.messages.get(message_id)
    if message is None or message.user != caller.user_id or holds.is_hidden(message):
        raise message_not_found()
    conversation = uow.conversations.get(message.conversationId)
    if (conversation is None or conversation.user != caller.user_id
            or holds.is_hidden(conversation)):
        raise message_not_found()
    return message


def branch(store: Store, caller: Caller, body: BranchRequest) -> Message:
    """A new sibling holding only one agent's parts of a parallel (multi-agent) response."""
    with store.unit_of_work(caller.tenant_id) as uow:
        source = owned_message(uow, caller, body.messageId)
        if source.isCreatedByUser:
            raise BadRequest("Cannot branch from user messages.", code="USER_MESSAGE")
        parts = source.content or []
        if not any(isinstance(p, dict) and p.get("agentId") for p in parts):
            raise BadRequest("The message has no parallel content with attributions.",
                             code="NO_AGENT_CONTENT")
        kept = [{k: v for k, v in p.items() if k not in ("agentId", "groupId")}
                for p in parts if isinstance(p, dict) and p.get("agentId") == body.agentId]
        if not kept:
            raise BadRequest("No content found for the specified agentId.",
                             code="AGENT_NOT_IN_MESSAGE")
        created = source.model_copy(update={
            "messageId": new_uuid(), "content": kept, "text": "", "unfinished": False,
            "error": False, "feedback": None, "createdAt": utcnow(), "updatedAt": utcnow()})
        uow.messages.insert(created)
        record(uow, caller, "message.branch", created, sourceMessageId=source.messageId,
               agentId=body.agentId)
        journal(uow, caller, "message.created", created, branchedFrom=source.messageId)
        uow.commit()
    return created


def edit_artifact(store: Store, caller: Caller, message_id: str, body: ArtifactEditRequest
                  ) -> ArtifactEditResult:
    """Replace code inside the ``index``-th artifact of a message (text or content part)."""
    with store.unit_of_work(caller.tenant_id) as uow:
        message = owned_message(uow, caller, message_id)
        parts = [dict(p) for p in message.content or []]
        texts = [p.get("text") if p.get("type") == "text" and isinstance(p.get("text"), str)
                 else None for p in parts]
        found = artifacts.find_all(message.text, texts)
        if body.index >= len(found):
            raise BadRequest("Artifact index out of bounds.", code="ARTIFACT_NOT_FOUND")
        target = found[body.index]
        source_text = message.text if target.part_index is None else texts[target.part_index]
        edited = artifacts.replace(source_text or "", target, body.original, body.updated)
        if edited is None:
            raise BadRequest("Original content not found in target artifact.",
                             code="ARTIFACT_CONTENT_NOT_FOUND")
        changes: dict[str, Any] = {"text": edited}
        if target.part_index is not None:
            parts[target.part_index]["text"] = edited
            changes = {"content": parts}
        updated = uow.messages.update(message_id, changes)
        if updated is None:
            raise message_not_found()
        record(uow, caller, "message.artifact_edit", updated, index=body.index)
        journal(uow, caller, "message.edited", updated, previousText=message.text,
                previousContent=message.content)
        uow.commit()
    return ArtifactEditResult(conversationId=updated.conversationId, content=updated.content,
                              text=updated.text)
