"""Conversation imports: recognise an export file and turn it into conversations to store.

Two formats are understood, as LibreChat understands them:

* a LibreChat export (one conversation): ``{conversationId, title, endpoint, options?,
  messages: [flat, with parentMessageId]}`` or, when exported with ``recursive``,
  ``messagesTree: [nested, with children]``;
* ChatGPT's ``conversations.json``: a list of conversations, each a ``mapping`` of nodes
  linked by ``parent``/``children`` (see ``domain.chatgpt_import``).

Parsing is pure: ids in the result are the file's own ids; the service gives every message a
fresh id when it stores them. A conversation that cannot be read becomes an ``ItemError`` and
the others are still imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from gorunchat.contracts.documents import Message
from gorunchat.contracts.errors import BadRequest, PayloadTooLarge
from gorunchat.domain.ids import new_uuid
from gorunchat.domain.message_tree import NO_PARENT

DEFAULT_TITLE = "Imported Chat"
MAX_TITLE = 512
MAX_DEPTH = 10_000


class ImportItemError(ValueError):
    """One conversation of an import cannot be read; ``code`` says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass
class ParsedConversation:
    title: str
    endpoint: str | None
    messages: list[Message]
    created_at: datetime | None = None
    model: str | None = None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ItemError:
    index: int
    title: str | None
    code: str
    message: str


@dataclass(frozen=True)
class ImportLimits:
    max_conversations: int
    max_messages: int


def timestamp(value: Any) -> datetime | None:
    """An ISO string or epoch seconds as an aware UTC datetime; ``None`` if unreadable."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        if isinstance(value, int | float):
            return datetime.fromtimestamp(float(value), tz=UTC)
        if isinstance(value, str) and value:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    except (ValueError, OverflowError, OSError):
        return None
    return None


def clean_title(value: Any) -> str:
    title = value.strip() if isinstance(value, str) else ""
    return (title or DEFAULT_TITLE)[:MAX_TITLE]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _content(value: Any) -> list[dict[str, Any]] | None:
    if isinstance(value, list) and all(isinstance(p, dict) for p in value):
        return value
    return None


_KEPT = ("model", "endpoint", "error", "unfinished", "feedback", "tokenCount", "files",
         "attachments", "iconURL")


def librechat_message(raw: dict[str, Any], message_id: str, parent_id: str,
                      fallback_time: datetime) -> Message:
    """One message of a LibreChat export, keeping the fields LibreChat keeps on import."""
    by_user = bool(raw.get("isCreatedByUser")) or str(raw.get("sender", "")).lower() == "user"
    fields: dict[str, Any] = {k: raw[k] for k in _KEPT if raw.get(k) is not None}
    if not isinstance(fields.get("files"), list):
        fields.pop("files", None)
    return Message.model_validate({
        **fields, "messageId": message_id, "parentMessageId": parent_id,
        "conversationId": "", "user": "", "isCreatedByUser": by_user,
        "sender": "user" if by_user else (_text(raw.get("sender")) or "assistant"),
        "text": _text(raw.get("text")), "content": _content(raw.get("content")),
        "createdAt": timestamp(raw.get("createdAt")) or fallback_time,
    })


def _has_body(raw: dict[str, Any]) -> bool:
    return bool(_text(raw.get("text")) or _content(raw.get("content")))


def _walk_tree(nodes: list[Any], now: datetime, limit: int) -> list[Message]:
    """Nested ``children`` (an export made with ``recursive``), depth-first, iteratively."""
    out: list[Message] = []
    stack: list[tuple[Any, str, int]] = [(n, NO_PARENT, 0) for n in reversed(nodes)]
    while stack:
        raw, parent, depth = stack.pop()
        if not isinstance(raw, dict) or depth > MAX_DEPTH:
            raise ImportItemError("INVALID_MESSAGE", "A message in the tree is not an object.")
        given = raw.get("messageId")
        own_id = given if isinstance(given, str) and given else new_uuid()
        next_parent = parent
        if _has_body(raw):
            out.append(librechat_message(raw, own_id, parent, now))
            next_parent = own_id
            if len(out) > limit:
                raise too_many_messages(limit)
        children = raw.get("children") or []
        if not isinstance(children, list):
            raise ImportItemError("INVALID_MESSAGE", "A message's children are not a list.")
        stack.extend((c, next_parent, depth + 1) for c in reversed(children))
    return out


def _walk_flat(nodes: list[Any], now: datetime, limit: int) -> list[Message]:
    if len(nodes) > limit:
        raise too_many_messages(limit)
    out: list[Message] = []
    for raw in nodes:
        if not isinstance(raw, dict):
            raise ImportItemError("INVALID_MESSAGE", "A message is not an object.")
        message_id = raw.get("messageId")
        if not isinstance(message_id, str) or not message_id:
            raise ImportItemError("INVALID_MESSAGE", "A message has no messageId.")
        parent = raw.get("parentMessageId")
        out.append(librechat_message(raw, message_id,
                                     parent if isinstance(parent, str) and parent else NO_PARENT,
                                     now))
    return out


def too_many_messages(limit: int) -> ImportItemError:
    return ImportItemError("TOO_MANY_MESSAGES",
                           f"The conversation has more than {limit} messages.")


def parse_librechat(data: dict[str, Any], limits: ImportLimits) -> ParsedConversation:
    """A LibreChat export: flat ``messages`` or nested ``messagesTree``."""
    now = datetime.now(UTC)
    tree = data.get("messagesTree")
    flat = data.get("messages")
    if isinstance(tree, list) or (data.get("recursive") and isinstance(flat, list)):
        nodes = tree if isinstance(tree, list) else flat
        messages = _walk_tree(nodes or [], now, limits.max_messages)
    elif isinstance(flat, list):
        messages = _walk_flat(flat, now, limits.max_messages)
    else:
        raise ImportItemError("INVALID_FORMAT", "The export has no messages.")
    raw_options = data.get("options")
    options: dict[str, Any] = raw_options if isinstance(raw_options, dict) else {}
    created = min((m.createdAt for m in messages), default=None)
    endpoint = data.get("endpoint") if isinstance(data.get("endpoint"), str) else None
    return ParsedConversation(
        title=clean_title(data.get("title")), endpoint=endpoint, messages=messages,
        created_at=created, model=_text(options.get("model")) or None, options=options)


def parse(data: Any, limits: ImportLimits
          ) -> tuple[list[ParsedConversation], list[ItemError]]:
    """The conversations in an export file, and an error for each one that cannot be read.

    413 when the file holds more conversations than allowed; 400 when it is not a format
    this importer knows.
    """
    from gorunchat.domain.chatgpt_import import parse_chatgpt

    if isinstance(data, dict) and isinstance(data.get("conversationId"), str) and (
            "messages" in data or "messagesTree" in data):
        items: list[Any] = [data]
        parser = parse_librechat
    elif isinstance(data, list):
        items, parser = data, parse_chatgpt
    else:
        raise BadRequest("The file is neither a LibreChat export nor a ChatGPT "
                         "conversations.json.", code="UNSUPPORTED_IMPORT_FORMAT")
    if len(items) > limits.max_conversations:
        raise PayloadTooLarge(f"The file holds {len(items)} conversations; at most "
                              f"{limits.max_conversations} can be imported at once.",
                              code="IMPORT_TOO_MANY_CONVERSATIONS")
    parsed: list[ParsedConversation] = []
    errors: list[ItemError] = []
    for index, item in enumerate(items):
        title = item.get("title") if isinstance(item, dict) else None
        try:
            if not isinstance(item, dict):
                raise ImportItemError("INVALID_CONVERSATION", "The item is not an object.")
            parsed.append(parser(item, limits))
        except ImportItemError as exc:
            errors.append(ItemError(index, title if isinstance(title, str) else None,
                                    exc.code, exc.message))
        except ValidationError as exc:
            errors.append(ItemError(index, title if isinstance(title, str) else None,
                                    "INVALID_MESSAGE",
                                    f"A message has an invalid field: {_first(exc)}."))
    return parsed, errors


def _first(exc: ValidationError) -> str:
    error = exc.errors(include_url=False, include_input=False)[0]
    return ".".join(str(p) for p in error["loc"]) or "message"
