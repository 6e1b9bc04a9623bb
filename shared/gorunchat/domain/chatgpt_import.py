"""ChatGPT's ``conversations.json``: each conversation is a ``mapping`` of nodes.

A node is ``{id, message, parent, children}``; ``message`` holds ``author.role``,
``create_time`` (epoch seconds), ``content`` (``content_type`` + ``parts`` or ``text``) and
``metadata`` (``model_slug``, ``attachments``...). Edits and regenerations are siblings, so
the mapping is a tree with branches. System prompts, hidden context, tool traffic and
reasoning summaries are not part of the visible conversation and are skipped; a kept
message's parent is its nearest kept ancestor, so the branches survive the skipping.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gorunchat.contracts.documents import Message
from gorunchat.domain.imports import (
    ImportItemError,
    ImportLimits,
    ParsedConversation,
    clean_title,
    timestamp,
    too_many_messages,
)
from gorunchat.domain.message_tree import NO_PARENT

_VISIBLE_ROLES = frozenset({"user", "assistant"})
_TEXT_TYPES = frozenset({"text", "multimodal_text"})
_WRAPPED_TYPES = {"code": "```\n{}\n```", "execution_output": "```\n{}\n```"}


def sender_for(model_slug: str | None) -> str:
    """LibreChat's sender label for an imported assistant message."""
    if not model_slug:
        return "ChatGPT"
    return "GPT-4" if model_slug.startswith("gpt-4") else model_slug


def _parts(content: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The visible text and the image parts (as file references) of a message."""
    kind = content.get("content_type")
    if kind in _WRAPPED_TYPES and isinstance(content.get("text"), str):
        return _WRAPPED_TYPES[kind].format(content["text"]), []
    if kind not in _TEXT_TYPES:
        return "", []
    texts: list[str] = []
    images: list[dict[str, Any]] = []
    for part in content.get("parts") or []:
        if isinstance(part, str):
            texts.append(part)
        elif isinstance(part, dict) and part.get("content_type") == "image_asset_pointer":
            pointer = str(part.get("asset_pointer", ""))
            images.append({"file_id": pointer.rsplit("/", 1)[-1] or pointer,
                           "filename": pointer.rsplit("/", 1)[-1] or "image",
                           "type": "image/*", "bytes": part.get("size_bytes"),
                           "width": part.get("width"), "height": part.get("height"),
                           "source": "chatgpt_import"})
    return "\n".join(t for t in texts if t), images


def _attachments(metadata: dict[str, Any]) -> list[dict[str, Any]]:
    found = []
    for item in metadata.get("attachments") or []:
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            found.append({"file_id": item["id"], "filename": str(item.get("name") or "file"),
                          "type": item.get("mime_type") or item.get("mimeType") or
                          "application/octet-stream", "bytes": item.get("size"),
                          "width": item.get("width"), "height": item.get("height"),
                          "source": "chatgpt_import"})
    return found


def _visible(message: Any) -> dict[str, Any] | None:
    """The message as a dict when a person saw it in ChatGPT, else ``None``."""
    if not isinstance(message, dict):
        return None
    role = (message.get("author") or {}).get("role")
    metadata = message.get("metadata") or {}
    if role not in _VISIBLE_ROLES or metadata.get("is_visually_hidden_from_conversation"):
        return None
    return message


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _build(node_id: str, message: dict[str, Any], parent: str, fallback: datetime
           ) -> Message | None:
    content = _mapping(message.get("content"))
    metadata = _mapping(message.get("metadata"))
    text, images = _parts(content)
    files = _attachments(metadata) + images
    if not text.strip() and not files:
        return None
    by_user = (message.get("author") or {}).get("role") == "user"
    model = metadata.get("model_slug") if isinstance(metadata.get("model_slug"), str) else None
    return Message(
        messageId=node_id, parentMessageId=parent, conversationId="", user="",
        isCreatedByUser=by_user, sender="user" if by_user else sender_for(model),
        text=text, model=None if by_user else model, files=files or None,
        createdAt=timestamp(message.get("create_time")) or fallback,
        unfinished=message.get("status") == "in_progress")


def _kept_parent(mapping: dict[str, Any], node: dict[str, Any], kept: set[str]) -> str:
    seen: set[str] = set()
    parent = node.get("parent")
    while isinstance(parent, str) and parent not in seen:
        if parent in kept:
            return parent
        seen.add(parent)
        above = mapping.get(parent)
        parent = above.get("parent") if isinstance(above, dict) else None
    return NO_PARENT


def _order(mapping: dict[str, Any]) -> list[str]:
    """Node ids, parents before children (the mapping itself is unordered)."""
    roots = [k for k, v in mapping.items()
             if isinstance(v, dict) and v.get("parent") not in mapping]
    ordered: list[str] = []
    seen: set[str] = set()
    stack = list(reversed(roots))
    while stack:
        node_id = stack.pop()
        if node_id in seen or not isinstance(mapping.get(node_id), dict):
            continue
        seen.add(node_id)
        ordered.append(node_id)
        children = mapping[node_id].get("children") or []
        stack.extend(reversed([c for c in children if isinstance(c, str)]))
    return ordered


def parse_chatgpt(data: dict[str, Any], limits: ImportLimits) -> ParsedConversation:
    """One conversation of a ChatGPT export."""
    mapping = data.get("mapping")
    if not isinstance(mapping, dict) or not mapping:
        raise ImportItemError("INVALID_CONVERSATION", "The conversation has no mapping.")
    created = timestamp(data.get("create_time")) or datetime.now(UTC)
    messages: list[Message] = []
    kept: set[str] = set()
    for node_id in _order(mapping):
        node = mapping[node_id]
        message = _visible(node.get("message"))
        if message is None:
            continue
        built = _build(node_id, message, _kept_parent(mapping, node, kept), created)
        if built is not None:
            messages.append(built)
            kept.add(node_id)
            if len(messages) > limits.max_messages:
                raise too_many_messages(limits.max_messages)
    if not messages:
        raise ImportItemError("EMPTY_CONVERSATION", "The conversation has no visible messages.")
    model = next((m.model for m in reversed(messages) if m.model), None)
    return ParsedConversation(title=clean_title(data.get("title")), endpoint="openAI",
                              messages=messages, created_at=created, model=model)
