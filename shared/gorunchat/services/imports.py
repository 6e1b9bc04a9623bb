"""Importing conversations from a LibreChat export or ChatGPT's ``conversations.json``.

The file is parsed whole (its size is bounded before it is read), each conversation is
stored in its own unit of work with its audit and discovery records, and a conversation
that fails gets an error in the answer while the others are kept.
"""

from __future__ import annotations

import json
from typing import Any

from gorunchat.contracts.conversations import ImportItemFailure, ImportResult
from gorunchat.contracts.documents import Conversation, utcnow
from gorunchat.contracts.errors import BadRequest, Conflict, PayloadTooLarge, ValidationFailed
from gorunchat.contracts.library import LibrarySettings
from gorunchat.domain import forking
from gorunchat.domain.ids import new_uuid
from gorunchat.domain.imports import ImportLimits, ItemError, ParsedConversation, parse
from gorunchat.ports.store import Store
from gorunchat.services import messages as message_service
from gorunchat.services.caller import Caller
from gorunchat.services.conversations import audit, journal

SUCCESS = "Conversation(s) imported successfully"
#: Conversation options from an export that are never copied onto the stored conversation.
_PROTECTED = frozenset({"_id", "conversationId", "user", "tenantId", "title", "createdAt",
                        "updatedAt", "tags", "isArchived", "isPinned", "files", "messages",
                        "expiredAt", "__v"})


def decode(data: bytes, max_bytes: int) -> Any:
    if len(data) > max_bytes:
        raise PayloadTooLarge(f"The import file is larger than {max_bytes} bytes.",
                              code="IMPORT_TOO_LARGE")
    try:
        return json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise BadRequest("The import file is not valid UTF-8 JSON.",
                         code="INVALID_IMPORT_FILE") from exc


def _options(parsed: ParsedConversation) -> dict[str, Any]:
    return {k: v for k, v in parsed.options.items()
            if k not in _PROTECTED and isinstance(v, str | int | float | bool)}


def store_one(store: Store, caller: Caller, parsed: ParsedConversation, source: str) -> str:
    """Store one parsed conversation with fresh ids; returns its new id."""
    conversation_id = new_uuid()
    messages, _ = forking.clone(parsed.messages, conversation_id, caller.user_id)
    first = min((m.createdAt for m in messages), default=parsed.created_at or utcnow())
    last = max((m.createdAt for m in messages), default=first)
    conversation = Conversation.model_validate({
        **_options(parsed), "conversationId": conversation_id, "user": caller.user_id,
        "tenantId": caller.tenant_id, "title": parsed.title,
        "endpoint": parsed.endpoint or "openAI", "model": parsed.model,
        "createdAt": parsed.created_at or first, "updatedAt": last})
    with store.unit_of_work(caller.tenant_id) as uow:
        uow.conversations.insert(conversation)
        for message in messages:
            uow.messages.insert(message)
            message_service.journal(uow, caller, "message.created", message, imported=source)
        audit(uow, caller, "conversation.import", conversation_id, source=source,
              messages=len(messages))
        journal(uow, caller, "conversation.imported", conversation_id, title=parsed.title,
                source=source, messageCount=len(messages))
        uow.commit()
    return conversation_id


def _failure(error: ItemError) -> ImportItemFailure:
    return ImportItemFailure(index=error.index, title=error.title, code=error.code,
                             message=error.message)


def import_file(store: Store, caller: Caller, data: bytes, limits: LibrarySettings
                ) -> ImportResult:
    """Import every readable conversation of the file; 422 when none could be imported."""
    raw = decode(data, limits.import_max_file_bytes)
    source = "chatgpt" if isinstance(raw, list) else "librechat"
    parsed, errors = parse(raw, ImportLimits(max_conversations=limits.import_max_conversations,
                                             max_messages=limits.import_max_messages))
    failures = [_failure(e) for e in errors]
    index_of = {id(p): i for i, p in enumerate(parsed)}
    imported: list[str] = []
    for item in parsed:
        try:
            imported.append(store_one(store, caller, item, source))
        except Conflict as exc:
            failures.append(ImportItemFailure(index=index_of[id(item)], title=item.title,
                                              code=exc.code, message=exc.message))
    if not imported:
        raise ValidationFailed("No conversation in the file could be imported.",
                               code="IMPORT_FAILED",
                               details=[f.model_dump() for f in failures])
    return ImportResult(message=SUCCESS, imported=len(imported), failed=len(failures),
                        conversationIds=imported,
                        errors=sorted(failures, key=lambda f: f.index))
