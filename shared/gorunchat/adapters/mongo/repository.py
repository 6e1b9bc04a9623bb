"""A tenant-scoped repository over one MongoDB collection.

Reads go to the database at once; writes are buffered in the unit of work and applied at
commit, so a writer's reads do not see its own uncommitted changes (the port allows this).
Writes to one key compose as in a transaction (update or delete what the unit inserted), and
what they return is computed from the unit's pending state, else from what is committed;
``update_many`` and ``delete_many`` count committed matches only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from pymongo import ASCENDING, DESCENDING
from pymongo.database import Database

from gorunchat.adapters.collections import CollectionSpec
from gorunchat.adapters.mongo.codec import (
    decode_cursor_value,
    encode_cursor_value,
    from_stored,
    to_stored,
)
from gorunchat.adapters.mongo.errors import translated
from gorunchat.adapters.mongo.query import after, check_field, key_filter, scoped
from gorunchat.adapters.mongo.writes import DELETED, Write, WriteBuffer
from gorunchat.contracts.documents import Document, utcnow
from gorunchat.contracts.errors import Conflict
from gorunchat.contracts.pagination import Page, decode_cursor, encode_cursor
from gorunchat.ports.store import Filter, Sort

D = TypeVar("D", bound=Document)


class MongoRepository(Generic[D]):
    """``Repository[D]`` over ``spec.name`` for one tenant; writes go to ``buffer``."""

    def __init__(self, db: Database[Any], spec: CollectionSpec, tenant_id: str,
                 buffer: WriteBuffer) -> None:
        self._coll = db[spec.name]
        self._spec = spec
        self._tenant = tenant_id
        self._buffer = buffer

    def _load(self, raw: Mapping[str, Any]) -> D:
        data = from_stored(raw)
        if self._spec.key != "_id":
            data.pop("_id", None)  # MongoDB's own id, not part of the document
        model: type[D] = self._spec.model  # type: ignore[assignment]
        return model.model_validate(data)

    def _key_filter(self, key: str) -> dict[str, Any]:
        return key_filter(self._tenant, self._spec.key, key)

    def get(self, key: str) -> D | None:
        with translated():
            raw = self._coll.find_one(self._key_filter(key))
        return self._load(raw) if raw is not None else None

    def find_one(self, where: Filter) -> D | None:
        with translated():
            raw = self._coll.find_one(scoped(self._tenant, where))
        return self._load(raw) if raw is not None else None

    def find(self, where: Filter, *, sort: Sort = (), limit: int | None = None, skip: int = 0
             ) -> list[D]:
        with translated():
            cursor = self._coll.find(scoped(self._tenant, where))
            if sort:
                cursor = cursor.sort([(check_field(f), DESCENDING if d < 0 else ASCENDING)
                                      for f, d in sort])
            if skip:
                cursor = cursor.skip(skip)
            if limit is not None:
                cursor = cursor.limit(limit)
            return [self._load(raw) for raw in cursor]

    def count(self, where: Filter) -> int:
        with translated():
            return self._coll.count_documents(scoped(self._tenant, where))

    def page(self, where: Filter, *, sort_field: str, descending: bool, limit: int,
             cursor: str | None) -> Page[D]:
        field, key = check_field(sort_field), self._spec.key
        extra: list[dict[str, Any]] = []
        if cursor:
            value, last_key = decode_cursor(cursor)
            extra.append(after(field, key, decode_cursor_value(value), last_key,
                               descending=descending))
        direction = DESCENDING if descending else ASCENDING
        order = [(field, direction)] + ([(key, direction)] if field != key else [])
        with translated():
            raws = list(self._coll.find(scoped(self._tenant, where, *extra))
                        .sort(order).limit(limit + 1))
        next_cursor = None
        if len(raws) > limit:
            last = raws[limit - 1]
            next_cursor = encode_cursor(encode_cursor_value(last.get(field)),
                                        str(last[key]))
        return Page[D](items=[self._load(raw) for raw in raws[:limit]],
                       nextCursor=next_cursor)

    def _stored(self, doc: D) -> dict[str, Any]:
        body: dict[str, Any] = to_stored(doc.to_doc())
        body["tenantId"] = self._tenant
        return body

    def _current(self, key: str) -> dict[str, Any] | None:
        """The document as this unit last left it, else as committed; ``None`` if absent."""
        pending = (self._spec.name, key)
        if pending in self._buffer.pending:
            return self._buffer.pending[pending]
        with translated():
            raw = self._coll.find_one(self._key_filter(key))
        return to_stored(self._load(raw).to_doc()) if raw is not None else None

    def insert(self, doc: D) -> D:
        body = self._stored(doc)
        key = str(body[self._spec.key])
        pending = (self._spec.name, key)
        if pending in self._buffer.pending:
            taken = self._buffer.pending[pending] is not DELETED
        else:
            # MongoDB's ``_id`` is unique across the whole collection, so a key used by
            # another tenant is a conflict too (nothing of that document is revealed).
            where = (self._key_filter(key) if self._spec.key != "_id"
                     else {"_id": self._key_filter(key)["_id"]})
            with translated():
                taken = self._coll.find_one(where, projection={"_id": 1}) is not None
        if taken:
            raise Conflict(f"{self._spec.name} {key} already exists")
        self._buffer.pending[pending] = body
        self._buffer.add(Write(self._spec.name, "insert", {}, body))
        return self._load(body)

    def save(self, doc: D) -> D:
        body = self._stored(doc)
        key = str(body[self._spec.key])
        self._buffer.pending[(self._spec.name, key)] = body
        self._buffer.add(Write(self._spec.name, "save", self._key_filter(key), body))
        return self._load(body)

    def _changes(self, changes: Mapping[str, Any]) -> dict[str, Any]:
        merged = {"updatedAt": utcnow(), **changes}
        merged.pop("tenantId", None)
        merged.pop(self._spec.key, None)
        for field in merged:
            check_field(field)
        stored: dict[str, Any] = to_stored(merged)
        return stored

    def update(self, key: str, changes: Mapping[str, Any]) -> D | None:
        current = self._current(key)
        if current is None:
            return None
        body = self._changes(changes)
        updated = {**current, **body}
        self._buffer.pending[(self._spec.name, key)] = updated
        self._buffer.add(Write(self._spec.name, "update", self._key_filter(key), body))
        return self._load(updated)

    def update_many(self, where: Filter, changes: Mapping[str, Any]) -> int:
        """Counts committed matches; also applies to matches this unit wrote, at commit."""
        query = scoped(self._tenant, where)
        body = self._changes(changes)
        with translated():
            matched = self._coll.count_documents(query)
        self._buffer.add(Write(self._spec.name, "update_many", query, body))
        return matched

    def increment(self, key: str, deltas: Mapping[str, float]) -> D | None:
        """``$inc`` at commit, so a concurrent increment is never overwritten."""
        current = self._current(key)
        if current is None:
            return None
        stamp = self._changes({})
        for field in deltas:
            check_field(field)
        updated = {**current, **{f: (current.get(f) or 0) + d for f, d in deltas.items()},
                   **stamp}
        self._buffer.pending[(self._spec.name, key)] = updated
        self._buffer.add(Write(self._spec.name, "increment", self._key_filter(key),
                               {"$inc": dict(deltas), "$set": stamp}))
        return self._load(updated)

    def delete(self, key: str) -> bool:
        if self._current(key) is None:
            return False
        self._buffer.pending[(self._spec.name, key)] = DELETED
        self._buffer.add(Write(self._spec.name, "delete", self._key_filter(key), {}))
        return True

    def delete_many(self, where: Filter) -> int:
        """Counts committed matches; also deletes matches this unit wrote, at commit."""
        query = scoped(self._tenant, where)
        with translated():
            matched = self._coll.count_documents(query)
        self._buffer.add(Write(self._spec.name, "delete_many", query, {}))
        return matched
