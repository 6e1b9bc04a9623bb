"""Forking: which messages a fork copies, and the copies with fresh ids.

LibreChat's three fork options, from a target message:

* ``directPath``: only the branch from the root to the target;
* ``includeBranches``: that branch plus every sibling branch point along it (the siblings of
  each message on the path, without the target's own descendants);
* ``targetLevel`` (the default): every message whose depth is at most the target's.

``splitAtTarget`` first cuts the tree at the target's level (that level becomes the roots)
and then forks from ``latestMessageId`` instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from enum import StrEnum

from gorunchat.contracts.documents import Message
from gorunchat.contracts.errors import BadRequest, NotFound
from gorunchat.domain.ids import new_uuid
from gorunchat.domain.message_tree import NO_PARENT, levels, parent_of, path_to_root, tree_order


class ForkOption(StrEnum):
    DIRECT_PATH = "directPath"
    INCLUDE_BRANCHES = "includeBranches"
    TARGET_LEVEL = "targetLevel"


def message_not_found() -> NotFound:
    return NotFound("Message not found.", code="MESSAGE_NOT_FOUND")


def include_branches(messages: Sequence[Message], target_id: str) -> list[Message]:
    """The path to the target plus the other children of every message on it."""
    on_path = {m.messageId for m in path_to_root(messages, target_id)}
    return [m for m in messages
            if m.messageId in on_path
            or (parent_of(m) in on_path and parent_of(m) != target_id)]


def up_to_target_level(messages: Sequence[Message], target_id: str) -> list[Message]:
    """Every message no deeper than the target."""
    depth = levels(messages)
    if target_id not in depth:
        raise message_not_found()
    limit = depth[target_id]
    return [m for m in messages if depth.get(m.messageId, limit + 1) <= limit]


def split_at_level(messages: Sequence[Message], target_id: str) -> list[Message]:
    """The messages at or below the target's level; that level becomes the new roots."""
    depth = levels(messages)
    if target_id not in depth:
        raise message_not_found()
    cut = depth[target_id]
    kept: list[Message] = []
    for message in messages:
        level = depth.get(message.messageId)
        if level is None or level < cut:
            continue
        kept.append(message.model_copy(update={"parentMessageId": NO_PARENT})
                    if level == cut else message)
    return kept


def select(messages: Sequence[Message], target_id: str, option: ForkOption | None, *,
           split_at_target: bool = False, latest_message_id: str | None = None
           ) -> list[Message]:
    """The messages a fork from ``target_id`` copies, per LibreChat's option semantics."""
    if target_id not in {m.messageId for m in messages}:
        raise message_not_found()
    if split_at_target:
        if not latest_message_id:
            raise BadRequest("latestMessageId is required to split at the target.",
                             code="LATEST_MESSAGE_REQUIRED")
        messages = split_at_level(messages, target_id)
        target_id = latest_message_id
        if target_id not in {m.messageId for m in messages}:
            raise message_not_found()
    if option is ForkOption.DIRECT_PATH:
        return path_to_root(messages, target_id)
    if option is ForkOption.INCLUDE_BRANCHES:
        return include_branches(messages, target_id)
    return up_to_target_level(messages, target_id)


def clone(messages: Sequence[Message], conversation_id: str, user_id: str
          ) -> tuple[list[Message], dict[str, str]]:
    """Copies with new ids in ``conversation_id``, parents remapped, each created after its
    parent (so the copy sorts the same way); returns the copies and old → new ids."""
    ordered = tree_order(messages)
    mapping = {m.messageId: new_uuid() for m in ordered}
    copies: dict[str, Message] = {}
    for message in ordered:
        parent = mapping.get(parent_of(message), NO_PARENT)
        created = message.createdAt
        if parent in copies and created <= copies[parent].createdAt:
            created = copies[parent].createdAt + timedelta(milliseconds=1)
        copies[mapping[message.messageId]] = message.model_copy(update={
            "messageId": mapping[message.messageId], "parentMessageId": parent,
            "conversationId": conversation_id, "user": user_id, "createdAt": created,
            "updatedAt": created})
    return list(copies.values()), mapping
