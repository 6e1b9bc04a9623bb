"""Full-text search on MongoDB: a text index per searchable collection, queried with $text.

Each collection gets one text index over its searchable fields (``content.text`` for the
text parts of a message), prefixed by ``tenantId`` and ``user`` so a search is narrowed to
one owner by the index. Every word is sent as a quoted phrase, which makes MongoDB require
all of them (as the SQLite adapter does) instead of any.

mongomock does not implement ``$text``. Against mongomock only (recognised by its client
class), the same query runs as a case-insensitive regular expression per word over the same
fields; it serves the tests of the query dialect and is never used with a real server.
"""

from __future__ import annotations

import re
from typing import Any

from pymongo import ASCENDING, TEXT, IndexModel
from pymongo.database import Database
from pymongo.errors import OperationFailure

from gorunchat.adapters.mongo.errors import translated
from gorunchat.adapters.mongo.store import MongoStore
from gorunchat.ports.search import SEARCHABLE

_WORD = re.compile(r"\w+", re.UNICODE)
_MAX_WORDS = 12
_KEYS = {"conversations": "conversationId", "messages": "messageId"}
_INDEX_OPTIONS_CONFLICT = 85


def _paths(collection: str) -> list[str]:
    return ["content.text" if f == "content" else f for f in SEARCHABLE[collection]]


def text_indexes() -> dict[str, IndexModel]:
    return {
        collection: IndexModel(
            [("tenantId", ASCENDING), ("user", ASCENDING),
             *((path, TEXT) for path in _paths(collection))],
            name=f"{collection}_text", default_language="none")
        for collection in SEARCHABLE
    }


def _is_mongomock(db: Database[Any]) -> bool:
    return type(db.client).__module__.startswith("mongomock")


class MongoTextSearch:
    """``TextSearch`` over one MongoDB database."""

    def __init__(self, db: Database[Any]) -> None:
        self._db = db
        self._mock = _is_mongomock(db)
        self._ready = False

    def _ensure(self) -> None:
        if self._ready or self._mock:
            return
        for collection, model in text_indexes().items():
            try:
                with translated():
                    self._db[collection].create_indexes([model])
            except OperationFailure as exc:
                if exc.code != _INDEX_OPTIONS_CONFLICT:
                    raise
        self._ready = True

    def _query(self, tenant_id: str, collection: str, words: list[str], user: str
               ) -> dict[str, Any]:
        # Documents hidden under a legal hold are not the user's to find.
        base: dict[str, Any] = {"tenantId": tenant_id, "user": user, "hiddenAt": None}
        if not self._mock:
            return {**base, "$text": {"$search": " ".join(f'"{w}"' for w in words)}}
        # mongomock only: every word must appear (case-insensitively) in some text field.
        return {**base, "$and": [
            {"$or": [{path: {"$regex": re.escape(w), "$options": "i"}}
                     for path in _paths(collection)]} for w in words]}

    def search(self, tenant_id: str, collection: str, text: str, *, user: str, limit: int
               ) -> list[str]:
        if collection not in SEARCHABLE:
            raise ValueError(f"{collection} is not searchable")
        words = _WORD.findall(text)[:_MAX_WORDS]
        if not words:
            return []
        self._ensure()
        key = _KEYS[collection]
        query = self._query(tenant_id, collection, words, user)
        with translated():
            if self._mock:
                cursor = self._db[collection].find(query, {key: 1}).sort(
                    "updatedAt", -1).limit(limit)
            else:
                cursor = self._db[collection].find(
                    query, {key: 1, "score": {"$meta": "textScore"}}).sort(
                    [("score", {"$meta": "textScore"})]).limit(limit)
            return [str(doc[key]) for doc in cursor]

    @classmethod
    def for_store(cls, store: MongoStore) -> MongoTextSearch:
        """The search over the database ``store`` writes to (same adapter package)."""
        return cls(store._db)
