"""Search over the caller's own conversations and messages, through the store's text index.

Results are scoped to the caller's tenant and user by the index itself and checked again
against the documents, so a stale index entry can never show another user's text, nor a
conversation or message the user deleted under a legal hold (hidden, ``services.holds``).
"""

from __future__ import annotations

from gorunchat.contracts.documents import Message
from gorunchat.contracts.messages import MessageSearchHit, MessagesPage
from gorunchat.ports.search import TextSearch
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services.caller import Caller
from gorunchat.services.holds import VISIBLE

#: At most this many conversations match a search (the list filter is an ``$in`` on ids).
MAX_CONVERSATION_MATCHES = 500
#: At most this many messages are returned for one message search.
MAX_MESSAGE_MATCHES = 100
_IN_CHUNK = 400


def chunks(values: list[str], size: int = _IN_CHUNK) -> list[list[str]]:
    """``values`` in slices small enough for one ``$in`` filter on every adapter."""
    return [values[i:i + size] for i in range(0, len(values), size)]


def _messages(uow: UnitOfWork, caller: Caller, ids: list[str]) -> list[Message]:
    found: list[Message] = []
    for part in chunks(ids):
        found += uow.messages.find({"messageId": {"$in": part}, "user": caller.user_id,
                                    **VISIBLE})
    return found


def conversation_ids(store: Store, index: TextSearch, caller: Caller, text: str) -> list[str]:
    """Ids of the caller's conversations whose title or any message matches ``text``."""
    limit = MAX_CONVERSATION_MATCHES
    by_title = index.search(caller.tenant_id, "conversations", text, user=caller.user_id,
                            limit=limit)
    message_ids = index.search(caller.tenant_id, "messages", text, user=caller.user_id,
                               limit=limit * 4)
    ordered = list(dict.fromkeys(by_title))
    if message_ids:
        with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
            for message in _messages(uow, caller, message_ids):
                if message.conversationId not in ordered:
                    ordered.append(message.conversationId)
    return ordered[:limit]


def messages(store: Store, index: TextSearch, caller: Caller, text: str) -> MessagesPage:
    """``GET /api/messages?search=``: matching messages with their conversation's title."""
    ids = index.search(caller.tenant_id, "messages", text, user=caller.user_id,
                       limit=MAX_MESSAGE_MATCHES)
    if not ids:
        return MessagesPage(messages=[], nextCursor=None)
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        rank = {message_id: position for position, message_id in enumerate(ids)}
        found = sorted(_messages(uow, caller, ids), key=lambda m: rank[m.messageId])
        conversation_keys = list(dict.fromkeys(m.conversationId for m in found))
        titles = {}
        for part in chunks(conversation_keys):
            for convo in uow.conversations.find({"conversationId": {"$in": part},
                                                 "user": caller.user_id, **VISIBLE}):
                titles[convo.conversationId] = convo
    hits = [MessageSearchHit.model_validate({
        **message.model_dump(by_alias=True),
        "title": titles[message.conversationId].title,
    }) for message in found if message.conversationId in titles]
    return MessagesPage(messages=hits, nextCursor=None)
