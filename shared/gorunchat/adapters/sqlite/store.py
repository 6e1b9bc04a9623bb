"""SQLite implementation of the ``Store`` port (WAL, one connection per thread)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from types import TracebackType
from typing import Any

from gorunchat.adapters.collections import COLLECTIONS
from gorunchat.adapters.sqlite import codec
from gorunchat.adapters.sqlite.auditops import SqliteAuditOps, SqliteStoreAuditOps
from gorunchat.adapters.sqlite.repository import SqliteRepository
from gorunchat.adapters.sqlite.schema import migrate
from gorunchat.contracts.audit import AuditEvent, AuditRecord, DiscoveryEvent, DiscoveryRecord
from gorunchat.contracts.documents import Conversation, Message, Session, User, utcnow
from gorunchat.contracts.errors import AuditUnavailable, ServiceUnavailable
from gorunchat.domain.audit import chain, discovery_records
from gorunchat.domain.hashchain import GENESIS
from gorunchat.ports.store import D, Filter


class SqliteStore(SqliteStoreAuditOps):
    """A store in one SQLite file. Safe to share between threads of one process."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        migrate(self._connect())

    def _connect(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False,
                                   timeout=10.0)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA busy_timeout=10000")
            self._local.conn = conn
        return conn

    def unit_of_work(self, tenant_id: str, *, readonly: bool = False) -> SqliteUnitOfWork:
        return SqliteUnitOfWork(self._connect(), tenant_id, readonly=readonly)

    def audit_log(self, tenant_id: str) -> SqliteAuditLog:
        return SqliteAuditLog(self._connect(), tenant_id)

    def ping(self) -> None:
        try:
            self._connect().execute("SELECT 1").fetchone()
        except sqlite3.Error as exc:
            raise ServiceUnavailable("The database is unavailable.", code="STORE_UNAVAILABLE"
                                     ) from exc

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


class SqliteUnitOfWork:
    def __init__(self, conn: sqlite3.Connection, tenant_id: str, *, readonly: bool) -> None:
        self._conn = conn
        self.tenant_id = tenant_id
        self._readonly = readonly
        self._events: list[AuditEvent] = []
        self._journal: list[DiscoveryEvent] = []
        self._open = False
        self.users: SqliteRepository[User] = SqliteRepository(conn, COLLECTIONS["users"],
                                                              tenant_id)
        self.sessions: SqliteRepository[Session] = SqliteRepository(
            conn, COLLECTIONS["sessions"], tenant_id)
        self.conversations: SqliteRepository[Conversation] = SqliteRepository(
            conn, COLLECTIONS["conversations"], tenant_id)
        self.messages: SqliteRepository[Message] = SqliteRepository(
            conn, COLLECTIONS["messages"], tenant_id)

    def __enter__(self) -> SqliteUnitOfWork:
        try:
            self._conn.execute("BEGIN" if self._readonly else "BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise ServiceUnavailable("The database is busy or unavailable.",
                                     code="STORE_UNAVAILABLE") from exc
        self._open = True
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._open:
            self.rollback()

    def repo(self, model: type[D]) -> SqliteRepository[D]:
        return SqliteRepository(self._conn, COLLECTIONS[model.collection], self.tenant_id)

    def record(self, event: AuditEvent) -> None:
        self._events.append(event)

    def journal(self, event: DiscoveryEvent) -> None:
        self._journal.append(event)

    def rollback(self) -> None:
        if self._open and self._conn.in_transaction:
            self._conn.execute("ROLLBACK")
        self._open = False
        self._events.clear()
        self._journal.clear()

    def commit(self) -> list[AuditRecord]:
        try:
            records = self._write_records()
        except sqlite3.Error as exc:
            self.rollback()
            raise AuditUnavailable() from exc
        try:
            self._conn.execute("COMMIT")
        except sqlite3.Error as exc:
            self.rollback()
            raise ServiceUnavailable("The database could not save the change.",
                                     code="STORE_UNAVAILABLE") from exc
        self._open = False
        self._events.clear()
        self._journal.clear()
        return records

    def _write_records(self) -> list[AuditRecord]:
        if not self._events and not self._journal:
            return []
        now = utcnow()
        head = self._conn.execute(
            "SELECT seq, hash FROM audit_heads WHERE tenant_id = ?", (self.tenant_id,)
        ).fetchone()
        seq, prev = (int(head[0]), str(head[1])) if head else (0, GENESIS)
        # The hash covers the metadata as JSON, so store (and hash) exactly that JSON.
        events = [e.model_copy(update={"metadata": codec.json_native(e.metadata)})
                  for e in self._events]
        records = chain(events, tenant_id=self.tenant_id, head_seq=seq, head_hash=prev, now=now)
        self._conn.executemany(
            "INSERT INTO auditlogs(tenant_id, seq, id, ts, action, actor_user, target_type, "
            "target_id, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(r.tenantId, r.seq, r.id, codec.encode_value(r.ts), r.action, r.actor.userId,
              r.targetType, r.targetId, codec.dumps(r.model_dump())) for r in records],
        )
        if records:
            self._conn.execute(
                "INSERT INTO audit_heads(tenant_id, seq, hash) VALUES (?, ?, ?) "
                "ON CONFLICT(tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                (self.tenant_id, records[-1].seq, records[-1].hash),
            )
        found = discovery_records(self._journal, tenant_id=self.tenant_id, now=now)
        self._conn.executemany(
            "INSERT INTO discoveryrecords(tenant_id, id, ts, kind, user_id, conversation_id, "
            "message_id, doc) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [(d.tenantId, d.id, codec.encode_value(d.ts), d.kind, d.userId, d.conversationId,
              d.messageId, codec.dumps(d.model_dump())) for d in found],
        )
        return records


_AUDIT_COLUMNS = {"action": "action", "actorUserId": "actor_user", "targetType": "target_type",
                  "targetId": "target_id"}


class SqliteAuditLog(SqliteAuditOps):
    def __init__(self, conn: sqlite3.Connection, tenant_id: str) -> None:
        self._conn = conn
        self._tenant = tenant_id

    def records(self, *, after_seq: int = 0, limit: int = 1000, where: Filter | None = None,
                descending: bool = False) -> list[AuditRecord]:
        sql = "tenant_id = ?"
        params: list[Any] = [self._tenant]
        if descending:
            if after_seq:
                sql += " AND seq < ?"
                params.append(after_seq)
        else:
            sql += " AND seq > ?"
            params.append(after_seq)
        for field, value in (where or {}).items():
            if field in _AUDIT_COLUMNS:
                sql += f" AND {_AUDIT_COLUMNS[field]} = ?"
                params.append(value)
            elif field in ("since", "until"):
                sql += " AND ts >= ?" if field == "since" else " AND ts < ?"
                params.append(codec.encode_value(value))
        order = "DESC" if descending else "ASC"
        rows = self._conn.execute(
            f"SELECT doc FROM auditlogs WHERE {sql} ORDER BY seq {order} LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [AuditRecord.model_validate(codec.loads(r[0])) for r in rows]

    def get(self, record_id: str) -> AuditRecord | None:
        row = self._conn.execute(
            "SELECT doc FROM auditlogs WHERE tenant_id = ? AND id = ?", (self._tenant, record_id)
        ).fetchone()
        return AuditRecord.model_validate(codec.loads(row[0])) if row else None

    def discovery(self, *, limit: int = 1000, where: Filter | None = None
                  ) -> list[DiscoveryRecord]:
        sql = "tenant_id = ?"
        params: list[Any] = [self._tenant]
        columns = {"userId": "user_id", "conversationId": "conversation_id",
                   "messageId": "message_id", "kind": "kind"}
        for field, value in (where or {}).items():
            if field in columns:
                sql += f" AND {columns[field]} = ?"
                params.append(value)
        rows = self._conn.execute(
            f"SELECT doc FROM discoveryrecords WHERE {sql} ORDER BY ts, rowid LIMIT ?",
            [*params, limit],
        ).fetchall()
        return [DiscoveryRecord.model_validate(codec.loads(r[0])) for r in rows]
