"""Stored-response continuation (OpenAI Responses API) on a message branch.

A turn may continue the stored response of its parent (``previous_response_id``) only when
that parent is an assistant message of the same endpoint that carries
``metadata.responseId`` and is unchanged since the response was stored (its text hash still
matches). Anything else (an edited reply, a branch from a user message, a parent from
another endpoint) sends the full history instead.
"""

from __future__ import annotations

import hashlib
from typing import Any

from gorunchat.contracts.documents import Message
from gorunchat.ports.store import Store


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def response_metadata(response_id: str | None, text: str, usage: dict[str, int] | None
                      ) -> dict[str, Any]:
    """What an assistant message keeps about its provider response."""
    meta: dict[str, Any] = {}
    if response_id:
        meta.update(responseId=response_id, responseTextHash=text_hash(text))
    if usage:
        meta["usage"] = usage
    return meta


def stored_response_id(message: Message | None) -> str | None:
    """The response id kept on ``message`` (``metadata.responseId``), if any."""
    meta = getattr(message, "metadata", None) if message is not None else None
    value = meta.get("responseId") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else None


def previous_response(store: Store, tenant_id: str, user_id: str, parent_id: str | None,
                      endpoint: str) -> str | None:
    """The response id a new turn under ``parent_id`` may continue, or ``None``."""
    if not parent_id:
        return None
    with store.unit_of_work(tenant_id, readonly=True) as uow:
        parent = uow.messages.get(parent_id)
    if parent is None or parent.user != user_id or parent.isCreatedByUser:
        return None
    if parent.endpoint != endpoint or parent.error or parent.unfinished:
        return None
    meta = getattr(parent, "metadata", None)
    if not isinstance(meta, dict) or meta.get("responseTextHash") != text_hash(parent.text):
        return None
    return stored_response_id(parent)
