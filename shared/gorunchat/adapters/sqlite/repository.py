"""A tenant-scoped repository over one SQLite collection table."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from typing import Any, Generic, TypeVar

from gorunchat.adapters.collections import CollectionSpec
from gorunchat.adapters.sqlite import codec
from gorunchat.adapters.sqlite.query import field_sql, order_sql, where_sql
from gorunchat.contracts.documents import Document, utcnow
from gorunchat.contracts.errors import BadRequest, Conflict
from gorunchat.contracts.pagination import Page, decode_cursor, encode_cursor
from gorunchat.ports.store import Filter, Sort

D = TypeVar("D", bound=Document)


class SqliteRepository(Generic[D]):
    def __init__(self, conn: sqlite3.Connection, spec: CollectionSpec, tenant_id: str) -> None:
        self._conn = conn
        self._spec = spec
        self._table = spec.name
        self._tenant = tenant_id

    def _model(self) -> type[D]:
        model: type[D] = self._spec.model  # type: ignore[assignment]
        return model

    def _load(self, raw: str) -> D:
        return self._model().model_validate(codec.loads(raw))

    def _select(self, where: Filter, tail: str = "", extra: list[Any] | None = None
                ) -> list[D]:
        sql, params = where_sql(self._spec, where)
        rows = self._conn.execute(
            f"SELECT doc FROM {self._table} WHERE tenant_id = ? AND {sql}{tail}",
            [self._tenant, *params, *(extra or [])],
        ).fetchall()
        return [self._load(row[0]) for row in rows]

    def get(self, key: str) -> D | None:
        row = self._conn.execute(
            f"SELECT doc FROM {self._table} WHERE tenant_id = ? AND id = ?", (self._tenant, key)
        ).fetchone()
        return self._load(row[0]) if row else None

    def find_one(self, where: Filter) -> D | None:
        found = self._select(where, " LIMIT 1")
        return found[0] if found else None

    def find(self, where: Filter, *, sort: Sort = (), limit: int | None = None, skip: int = 0
             ) -> list[D]:
        tail = order_sql(self._spec, list(sort))
        extra: list[Any] = []
        if limit is not None or skip:
            tail += " LIMIT ? OFFSET ?"
            extra = [limit if limit is not None else -1, skip]
        return self._select(where, tail, extra)

    def count(self, where: Filter) -> int:
        sql, params = where_sql(self._spec, where)
        row = self._conn.execute(
            f"SELECT COUNT(*) FROM {self._table} WHERE tenant_id = ? AND {sql}",
            [self._tenant, *params],
        ).fetchone()
        return int(row[0])

    def page(self, where: Filter, *, sort_field: str, descending: bool, limit: int,
             cursor: str | None) -> Page[D]:
        col = field_sql(self._spec, sort_field)
        sql, params = where_sql(self._spec, where)
        if cursor:
            value, key = decode_cursor(cursor)
            after, args = _after(col, value, key, descending=descending)
            sql += f" AND {after}"
            params += args
        direction = "DESC" if descending else "ASC"
        rows = self._conn.execute(
            f"SELECT doc, {col}, id FROM {self._table} WHERE tenant_id = ? AND {sql} "
            f"ORDER BY {col} {direction}, id {direction} LIMIT ?",
            [self._tenant, *params, limit + 1],
        ).fetchall()
        items = [self._load(row[0]) for row in rows[:limit]]
        next_cursor = None
        if len(rows) > limit:
            last = rows[limit - 1]
            next_cursor = encode_cursor(last[1], last[2])
        return Page[D](items=items, nextCursor=next_cursor)

    def _dump(self, doc: D) -> tuple[str, str]:
        data = doc.to_doc()
        data["tenantId"] = self._tenant
        return str(data[self._spec.key]), codec.dumps(data)

    def insert(self, doc: D) -> D:
        key, raw = self._dump(doc)
        try:
            self._conn.execute(
                f"INSERT INTO {self._table}(tenant_id, id, doc) VALUES (?, ?, ?)",
                (self._tenant, key, raw),
            )
        except sqlite3.IntegrityError as exc:
            raise Conflict(f"{self._table} {key} already exists") from exc
        return self._load(raw)

    def save(self, doc: D) -> D:
        key, raw = self._dump(doc)
        self._conn.execute(
            f"INSERT INTO {self._table}(tenant_id, id, doc) VALUES (?, ?, ?) "
            "ON CONFLICT(tenant_id, id) DO UPDATE SET doc = excluded.doc",
            (self._tenant, key, raw),
        )
        return self._load(raw)

    def _set_sql(self, changes: Mapping[str, Any]) -> tuple[str, list[Any]]:
        merged = {"updatedAt": utcnow(), **changes}
        merged.pop("tenantId", None)
        merged.pop(self._spec.key, None)
        args: list[Any] = []
        for field, value in merged.items():
            field_sql(self._spec, field)  # validates the name
            args += [f"$.{field}", codec.dumps(value)]
        pairs = ", ".join("?, json(?)" for _ in merged)
        return f"json_set(doc, {pairs})", args

    def update(self, key: str, changes: Mapping[str, Any]) -> D | None:
        expr, args = self._set_sql(changes)
        cur = self._conn.execute(
            f"UPDATE {self._table} SET doc = {expr} WHERE tenant_id = ? AND id = ?",
            [*args, self._tenant, key],
        )
        return self.get(key) if cur.rowcount else None

    def update_many(self, where: Filter, changes: Mapping[str, Any]) -> int:
        expr, args = self._set_sql(changes)
        sql, params = where_sql(self._spec, where)
        cur = self._conn.execute(
            f"UPDATE {self._table} SET doc = {expr} WHERE tenant_id = ? AND {sql}",
            [*args, self._tenant, *params],
        )
        return cur.rowcount

    def increment(self, key: str, deltas: Mapping[str, float]) -> D | None:
        # A writing unit holds SQLite's write lock from BEGIN IMMEDIATE: reading and then
        # writing inside it cannot interleave with another writer.
        current = self.get(key)
        if current is None:
            return None
        data = current.to_doc()
        return self.update(key, {f: (data.get(f) or 0) + d for f, d in deltas.items()})

    def delete(self, key: str) -> bool:
        cur = self._conn.execute(
            f"DELETE FROM {self._table} WHERE tenant_id = ? AND id = ?", (self._tenant, key)
        )
        return cur.rowcount > 0

    def delete_many(self, where: Filter) -> int:
        sql, params = where_sql(self._spec, where)
        cur = self._conn.execute(
            f"DELETE FROM {self._table} WHERE tenant_id = ? AND {sql}", [self._tenant, *params]
        )
        return cur.rowcount


def _after(col: str, value: Any, key: str, *, descending: bool) -> tuple[str, list[Any]]:
    """SQL for rows strictly after ``(value, key)`` in ``(col, id)`` order.

    SQLite sorts NULL first, so after a NULL come the non-NULL values (ascending), and after
    a value come the NULLs (descending); ``col = NULL`` would match nothing.
    """
    if value is not None and not isinstance(value, str | int | float):
        raise BadRequest("The cursor is not valid.", code="INVALID_CURSOR")
    op = "<" if descending else ">"
    if value is None:
        tie = f"({col} IS NULL AND id {op} ?)"
        return (tie, [key]) if descending else (f"({col} IS NOT NULL OR {tie})", [key])
    nulls = f" OR {col} IS NULL" if descending else ""
    return f"({col} {op} ?{nulls} OR ({col} = ? AND id {op} ?))", [value, value, key]
