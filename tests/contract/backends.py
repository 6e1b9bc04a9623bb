"""The stores the contract suite runs against, and the few things only a test may do to them.

Each backend gives the store under test plus direct access to its database, used only to
arrange faults (an audit write that fails) and tampering (an edited audit record) through the
database itself, never through the port.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any, Protocol

from pymongo.errors import AutoReconnect

from gorunchat.adapters.mongo.store import MongoStore
from gorunchat.adapters.sqlite.store import SqliteStore
from gorunchat.ports.store import Store

MONGODB_URI_ENV = "GORUNCHAT_TEST_MONGODB_URI"


class Backend(Protocol):
    name: str
    store: Store

    def with_failing_writes(self, collection: str) -> AbstractContextManager[Store]:
        """A store over the same data whose inserts into ``collection`` fail, while open."""

    def tamper(self, tenant_id: str, seq: int, key: str, value: Any) -> None:
        """Change ``metadata[key]`` of one stored audit record behind the store's back."""

    def close(self) -> None: ...


class SqliteBackend:
    """The SQLite store over a temporary file; faults are real triggers on that file."""

    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path
        self.store = SqliteStore(path)

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> None:
        conn = sqlite3.connect(self.path)
        try:
            with conn:
                conn.execute(sql, params)
        finally:
            conn.close()

    @contextmanager
    def with_failing_writes(self, collection: str) -> Iterator[Store]:
        self._execute(f"CREATE TRIGGER fail_{collection} BEFORE INSERT ON {collection} "
                      f"BEGIN SELECT RAISE(ABORT, '{collection} down'); END;")
        try:
            yield self.store
        finally:
            self._execute(f"DROP TRIGGER fail_{collection}")

    def tamper(self, tenant_id: str, seq: int, key: str, value: Any) -> None:
        self._execute("UPDATE auditlogs SET doc = json_set(doc, ?, ?) "
                      "WHERE tenant_id = ? AND seq = ?", (f"$.metadata.{key}", value,
                                                          tenant_id, seq))

    def close(self) -> None:
        self.store.close()


class _FailingCollection:
    """A collection whose inserts fail the way pymongo fails when the primary goes away."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def insert_one(self, *args: Any, **kwargs: Any) -> Any:
        raise AutoReconnect("connection closed while writing (injected by the test)")

    insert_many = insert_one

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Database:
    def __init__(self, inner: Any, failing: str) -> None:
        self._inner, self._failing = inner, failing

    def __getitem__(self, name: str) -> Any:
        coll = self._inner[name]
        return _FailingCollection(coll) if name == self._failing else coll

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _Client:
    """Wraps the client the store is given; every other call reaches the real client."""

    def __init__(self, inner: Any, failing: str) -> None:
        self._inner, self._failing = inner, failing

    def __getitem__(self, name: str) -> _Database:
        return _Database(self._inner[name], self._failing)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class MongoBackend:
    """The MongoDB store over mongomock, or over a real server with a throw-away database.

    mongomock cannot be told to fail, so a failing audit write is injected by wrapping the
    collection object the store uses; the error raised is the one pymongo raises on a lost
    connection (``AutoReconnect``).
    """

    def __init__(self, name: str, client: Any, database: str, *, drop: bool) -> None:
        self.name = name
        self.client = client
        self.database = database
        self.db = client[database]
        self._drop = drop
        self.store = MongoStore(client, database)

    @contextmanager
    def with_failing_writes(self, collection: str) -> Iterator[Store]:
        yield MongoStore(_Client(self.client, collection), self.database,
                         create_indexes=False)

    def tamper(self, tenant_id: str, seq: int, key: str, value: Any) -> None:
        result = self.db["auditlogs"].update_one({"tenantId": tenant_id, "seq": seq},
                                                 {"$set": {f"metadata.{key}": value}})
        assert result.matched_count == 1

    def close(self) -> None:
        if self._drop:
            self.client.drop_database(self.database)
        self.client.close()


def sqlite_backend(tmp_path: Path) -> SqliteBackend:
    return SqliteBackend(tmp_path / "store.sqlite3")


def mongomock_backend() -> MongoBackend:
    import mongomock

    return MongoBackend("mongomock", mongomock.MongoClient(), "gorunchat", drop=False)


def real_mongo_backend() -> MongoBackend | None:
    """A backend on ``GORUNCHAT_TEST_MONGODB_URI`` in a fresh database, or ``None``."""
    uri = os.environ.get(MONGODB_URI_ENV)
    if not uri:
        return None
    from pymongo import MongoClient

    client: MongoClient[Any] = MongoClient(uri, tz_aware=True, serverSelectionTimeoutMS=5000)
    return MongoBackend("mongo-real", client, f"gorunchat_test_{uuid.uuid4().hex[:12]}",
                        drop=True)
