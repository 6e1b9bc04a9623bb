"""Exporting one of the caller's conversations as LibreChat's JSON export.

The shape is what LibreChat's client writes when a person exports a conversation as JSON:
``{conversationId, title, endpoint, exportAt, branches, recursive, options}`` plus either
``messagesTree`` (nested ``children``, when recursive) or a flat ``messages`` list. Such a
file imports back through ``POST /api/convos/import``. An export is audited: it hands a
copy of the conversation out of the system.
"""

from __future__ import annotations

from typing import Any

from gorunchat.contracts.conversations import ConversationExport
from gorunchat.contracts.documents import Message, utcnow
from gorunchat.domain.message_tree import NO_PARENT, children_map, tree_order
from gorunchat.ports.store import Store
from gorunchat.services.caller import Caller
from gorunchat.services.conversations import audit, owned
from gorunchat.services.holds import VISIBLE

_PRIVATE = {"tenantId", "user"}


def _plain(message: Message) -> dict[str, Any]:
    data: dict[str, Any] = message.model_dump(mode="json", by_alias=True, exclude=_PRIVATE)
    return data


def _nested(messages: list[Message]) -> list[dict[str, Any]]:
    """The tree as nested dicts (children oldest first), built without recursion."""
    children = children_map(messages)
    nodes = {m.messageId: {**_plain(m), "children": []} for m in messages}
    for message in tree_order(messages):
        for child in children.get(message.messageId, []):
            nodes[message.messageId]["children"].append(nodes[child.messageId])
    return [nodes[m.messageId] for m in children.get(NO_PARENT, [])]


def export(store: Store, caller: Caller, conversation_id: str, recursive: bool
           ) -> ConversationExport:
    with store.unit_of_work(caller.tenant_id) as uow:
        conversation = owned(uow, caller, conversation_id)
        messages = uow.messages.find({"conversationId": conversation_id,
                                      "user": caller.user_id, **VISIBLE},
                                     sort=[("createdAt", 1)])
        audit(uow, caller, "conversation.export", conversation_id, messages=len(messages),
              recursive=recursive)
        uow.commit()
    options = conversation.model_dump(mode="json", by_alias=True,
                                      exclude={"tenantId", "user", "tags", "files"})
    body = {"messagesTree": _nested(messages)} if recursive else {
        "messages": [_plain(m) for m in tree_order(messages)]}
    return ConversationExport.model_validate({
        "conversationId": conversation_id, "title": conversation.title,
        "endpoint": conversation.endpoint, "exportAt": utcnow().isoformat(),
        "branches": True, "recursive": recursive, "options": options, **body})
