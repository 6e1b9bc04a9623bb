"""Tags (LibreChat's bookmarks): named, ordered labels a user puts on conversations.

Each tag keeps ``count`` (how many of the user's conversations carry it) and ``position``
(its place in the user's list, 0-based, without gaps). Renaming a tag renames it on every
conversation; deleting it takes it off them. Conversations the user deleted under a legal
hold (hidden, ``services.holds``) are neither counted nor changed: they are held as they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import unquote

from gorunchat.contracts.audit import AuditEvent, DiscoveryEvent
from gorunchat.contracts.errors import Conflict, NotFound
from gorunchat.contracts.library import ConversationTag
from gorunchat.contracts.tags import ConversationTagsRequest, CreateTagRequest, UpdateTagRequest
from gorunchat.domain.ids import object_id
from gorunchat.ports.store import Repository, Store, UnitOfWork
from gorunchat.services.caller import Caller
from gorunchat.services.conversations import owned
from gorunchat.services.holds import VISIBLE


def tag_not_found() -> NotFound:
    return NotFound("Tag not found.", code="TAG_NOT_FOUND")


def path_tag(raw: str) -> str:
    """The tag named in a path; LibreChat clients encode it once more than the URL needs."""
    return unquote(raw) if "%" in raw else raw


def _tags(uow: UnitOfWork) -> Repository[ConversationTag]:
    return uow.repo(ConversationTag)


def _find(uow: UnitOfWork, caller: Caller, name: str) -> ConversationTag | None:
    return _tags(uow).find_one({"user": caller.user_id, "tag": name})


def _audit(uow: UnitOfWork, caller: Caller, action: str, tag: ConversationTag,
           **metadata: object) -> None:
    uow.record(AuditEvent(action=action, actor=caller.actor, targetType="tag",
                          targetId=tag.id, metadata={"tag": tag.tag, **metadata}))
    uow.journal(DiscoveryEvent(kind=action, userId=caller.user_id,
                               content={"tag": tag.tag, **metadata}))


def _next_position(uow: UnitOfWork, caller: Caller) -> int:
    last = _tags(uow).find({"user": caller.user_id}, sort=[("position", -1)], limit=1)
    return last[0].position + 1 if last else 0


def list_tags(store: Store, caller: Caller) -> list[ConversationTag]:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        return _tags(uow).find({"user": caller.user_id}, sort=[("position", 1), ("tag", 1)])


def create(store: Store, caller: Caller, body: CreateTagRequest) -> ConversationTag:
    """A new tag at the end of the list, optionally put on a conversation at once."""
    with store.unit_of_work(caller.tenant_id) as uow:
        conversation = (owned(uow, caller, body.conversationId)
                        if body.addToConversation and body.conversationId else None)
        existing = _find(uow, caller, body.tag)
        carrying = uow.conversations.count({"user": caller.user_id, "tags": body.tag,
                                            **VISIBLE})
        added = conversation is not None and body.tag not in conversation.tags
        if conversation is not None and added:
            uow.conversations.update(conversation.conversationId,
                                     {"tags": [*conversation.tags, body.tag]})
        tag = (existing or ConversationTag(
            id=object_id(), tag=body.tag, user=caller.user_id, tenantId=caller.tenant_id,
            position=_next_position(uow, caller))).model_copy(update={
                "count": carrying + (1 if added else 0),
                "description": body.description if body.description is not None
                else (existing.description if existing else None)})
        _tags(uow).save(tag)
        _audit(uow, caller, "tag.create", tag, conversationId=body.conversationId if added
               else None)
        uow.commit()
    return tag


def _shift(uow: UnitOfWork, caller: Caller, tag: ConversationTag, target: int) -> None:
    """Move ``tag`` to ``target`` and close or open the gap among the others."""
    low, high = sorted((tag.position, target))
    for other in _tags(uow).find({"user": caller.user_id,
                                  "position": {"$gte": low, "$lte": high}}):
        if other.id != tag.id:
            step = 1 if target < tag.position else -1
            _tags(uow).update(other.id, {"position": other.position + step})


def _retag(uow: UnitOfWork, caller: Caller, old: str, new: str | None) -> int:
    """Rename (or, with ``new=None``, remove) a tag on every conversation carrying it."""
    changed = 0
    for conversation in uow.conversations.find({"user": caller.user_id, "tags": old,
                                                **VISIBLE}):
        tags = [t for t in conversation.tags if t != old]
        if new is not None and new not in tags:
            tags.append(new)
        uow.conversations.update(conversation.conversationId,
                                 {"tags": tags, "updatedAt": conversation.updatedAt})
        changed += 1
    return changed


def update(store: Store, caller: Caller, name: str, body: UpdateTagRequest) -> ConversationTag:
    with store.unit_of_work(caller.tenant_id) as uow:
        tag = _find(uow, caller, path_tag(name))
        if tag is None:
            raise tag_not_found()
        changes: dict[str, object] = {}
        if body.tag is not None and body.tag != tag.tag:
            if _find(uow, caller, body.tag) is not None:
                raise Conflict("A tag with this name already exists.", code="TAG_EXISTS")
            _retag(uow, caller, tag.tag, body.tag)
            changes["tag"] = body.tag
        if body.description is not None:
            changes["description"] = body.description
        if body.position is not None and body.position != tag.position:
            target = min(body.position, max(_next_position(uow, caller) - 1, 0))
            _shift(uow, caller, tag, target)
            changes["position"] = target
        updated = _tags(uow).update(tag.id, changes) or tag
        _audit(uow, caller, "tag.update", updated, previousTag=tag.tag, fields=sorted(changes))
        uow.commit()
    return updated


def delete(store: Store, caller: Caller, name: str) -> ConversationTag:
    with store.unit_of_work(caller.tenant_id) as uow:
        tag = _find(uow, caller, path_tag(name))
        if tag is None:
            raise tag_not_found()
        _retag(uow, caller, tag.tag, None)
        _tags(uow).delete(tag.id)
        for later in _tags(uow).find({"user": caller.user_id,
                                      "position": {"$gt": tag.position}}):
            _tags(uow).update(later.id, {"position": later.position - 1})
        _audit(uow, caller, "tag.delete", tag)
        uow.commit()
    return tag


def _recount(uow: UnitOfWork, caller: Caller, names: Iterable[str], delta: int) -> None:
    position = _next_position(uow, caller)
    for name in names:
        tag = _find(uow, caller, name)
        if tag is None and delta > 0:
            _tags(uow).insert(ConversationTag(id=object_id(), tag=name, user=caller.user_id,
                                              tenantId=caller.tenant_id, count=delta,
                                              position=position))
            position += 1
        elif tag is not None:
            _tags(uow).update(tag.id, {"count": max(0, tag.count + delta)})


def set_for_conversation(store: Store, caller: Caller, conversation_id: str,
                         body: ConversationTagsRequest) -> list[str]:
    """Replace the conversation's tags; new names become tags, counts follow."""
    with store.unit_of_work(caller.tenant_id) as uow:
        conversation = owned(uow, caller, conversation_id)
        before = list(conversation.tags)
        _recount(uow, caller, [t for t in body.tags if t not in before], +1)
        _recount(uow, caller, [t for t in before if t not in body.tags], -1)
        uow.conversations.update(conversation_id, {"tags": body.tags})
        uow.record(AuditEvent(action="tag.set_conversation", actor=caller.actor,
                              targetType="conversation", targetId=conversation_id,
                              metadata={"tags": body.tags, "previous": before}))
        uow.journal(DiscoveryEvent(kind="conversation.tagged", userId=caller.user_id,
                                   conversationId=conversation_id,
                                   content={"tags": body.tags, "previous": before}))
        uow.commit()
    return body.tags
