"""The text search port: which stored documents of a user match some words.

Each adapter keeps a text index in step with its store (FTS5 tables maintained by triggers in
the same SQLite transaction; a MongoDB text index). Searches are scoped by tenant and owner,
so one user's words never find another user's documents.
"""

from __future__ import annotations

from typing import Protocol

#: The collections that are indexed and the document fields whose text is searched.
#: ``content`` means the ``text`` of each part of a message's ``content`` list.
SEARCHABLE: dict[str, tuple[str, ...]] = {
    "conversations": ("title",),
    "messages": ("text", "content"),
}


class TextSearch(Protocol):
    def search(self, tenant_id: str, collection: str, text: str, *, user: str, limit: int
               ) -> list[str]:
        """Keys of ``user``'s documents in ``collection`` matching every word of ``text``,
        best match first, at most ``limit``. Words shorter than one letter are ignored.

        Documents the user deleted under a legal hold (``hiddenAt`` set) are left out, so
        they never take a place within ``limit`` from a document the user can see."""
