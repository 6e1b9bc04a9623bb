"""What a shared link shows: the snapshot's messages rebuilt for someone who is not the owner.

As LibreChat's ``getSharedMessages`` does, every message id, parent id and the conversation
id are replaced by fresh random ids on each read (parents stay linked), and assistant ids in
``model`` are masked. Beyond that, a viewer's message is built field by field, so what the
stored message carries besides (its owner, feedback, token counts, fields a newer writer
added) never leaves; an attached file is shown only when the viewer may open it, with the
share's own file route as its ``filepath``, never the owner's download path or storage key.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from gorunchat.contracts.documents import Message
from gorunchat.contracts.library import SharedLink, StoredFile
from gorunchat.contracts.share import SharedConversation, SharedFile, SharedMessage
from gorunchat.domain.message_tree import NO_PARENT, parent_of

_IMAGE_FILE = "image_file"
#: Content parts that point into someone's storage by URL; they are left out.
_URL_PARTS = frozenset({"image_url"})


def _file_ref(value: Any) -> str | None:
    if isinstance(value, Mapping) and isinstance(value.get("file_id"), str):
        return str(value["file_id"])
    return None


def _part_files(parts: Iterable[Any]) -> list[str]:
    return [ref for p in parts if isinstance(p, Mapping) and p.get("type") == _IMAGE_FILE
            and (ref := _file_ref(p.get(_IMAGE_FILE))) is not None]


def attached_file_ids(messages: Iterable[Message]) -> list[str]:
    """The file ids the messages attach (``files`` and ``image_file`` parts), in order."""
    found: list[str] = []
    for message in messages:
        found += [ref for f in message.files or [] if (ref := _file_ref(f)) is not None]
        found += _part_files(message.content or [])
    return list(dict.fromkeys(found))


def _memo(prefix: str) -> Callable[[str], str]:
    """A fresh random id per distinct value, the same one for the same value."""
    seen: dict[str, str] = {}

    def masked(value: str) -> str:
        if value not in seen:
            seen[value] = f"{prefix}_{secrets.token_urlsafe(15)}"
        return seen[value]

    return masked


def shared_file(share_id: str, stored: StoredFile) -> SharedFile:
    return SharedFile(file_id=stored.file_id, filename=stored.filename, type=stored.type,
                      bytes=stored.bytes, width=stored.width, height=stored.height,
                      filepath=f"/api/share/{share_id}/files/{stored.file_id}")


def _content(parts: Sequence[dict[str, Any]] | None, files: Mapping[str, SharedFile]
             ) -> list[dict[str, Any]] | None:
    if parts is None:
        return None
    kept: list[dict[str, Any]] = []
    for part in parts:
        kind = part.get("type")
        if kind in _URL_PARTS:
            continue
        if kind == _IMAGE_FILE:
            shown = files.get(_file_ref(part.get(_IMAGE_FILE)) or "")
            if shown is not None:
                kept.append({"type": _IMAGE_FILE, _IMAGE_FILE: shown.model_dump()})
            continue
        kept.append(part)
    return kept


def anonymize(link: SharedLink, messages: Sequence[Message],
              files: Mapping[str, StoredFile]) -> SharedConversation:
    """The viewer's copy of ``messages`` (parents first); ``files`` are those they may open."""
    conversation_id = _memo("convo")(link.conversationId)
    message_id, assistant = _memo("msg"), _memo("a")
    shown = {file_id: shared_file(link.shareId, stored) for file_id, stored in files.items()}
    known = {m.messageId for m in messages}
    out: list[SharedMessage] = []
    for m in messages:
        parent = parent_of(m)
        attached = [shown[ref] for f in m.files or []
                    if (ref := _file_ref(f)) is not None and ref in shown]
        out.append(SharedMessage(
            messageId=message_id(m.messageId),
            parentMessageId=message_id(parent) if parent in known else NO_PARENT,
            conversationId=conversation_id, sender=m.sender, text=m.text,
            content=_content(m.content, shown), isCreatedByUser=m.isCreatedByUser,
            model=assistant(m.model) if m.model and m.model.startswith("asst_") else m.model,
            endpoint=m.endpoint, error=m.error, unfinished=m.unfinished,
            createdAt=m.createdAt, updatedAt=m.updatedAt, files=attached or None))
    return SharedConversation(shareId=link.shareId, title=link.title or "Untitled",
                              isPublic=link.isPublic, createdAt=link.createdAt,
                              updatedAt=link.updatedAt, conversationId=conversation_id,
                              messages=out)


def bare_copies(messages: Sequence[Message]) -> list[Message]:
    """The shared messages as a fork copies them: words and tree only, no files (they stay
    the owner's), no feedback or other stored extras; parents outside the set become roots."""
    known = {m.messageId for m in messages}
    return [Message(
        messageId=m.messageId, conversationId=m.conversationId, user=m.user,
        parentMessageId=parent_of(m) if parent_of(m) in known else NO_PARENT,
        sender=m.sender, text=m.text, content=_content(m.content, {}),
        isCreatedByUser=m.isCreatedByUser,
        model=None if m.model and m.model.startswith("asst_") else m.model,
        endpoint=m.endpoint, error=m.error,
        unfinished=m.unfinished, createdAt=m.createdAt, updatedAt=m.updatedAt)
        for m in messages]
