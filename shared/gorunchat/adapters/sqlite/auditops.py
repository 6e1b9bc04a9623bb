"""Projection and retention operations on the SQLite audit log (the ``AuditLog`` port's
projector side), mixed into ``SqliteAuditLog`` and ``SqliteStore``.

``MIGRATION`` adds what they need: partial indexes over unprojected rows (so the backlog is
found without scanning what is done), the retention anchor of each tenant's chain, and
leases that keep one projector per tenant at a time.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from gorunchat.adapters.sqlite import codec
from gorunchat.contracts.admin_audit import ChainLink, ProjectionBacklog
from gorunchat.contracts.audit import AuditRecord, DiscoveryRecord

MIGRATION: list[str] = [
    "CREATE INDEX IF NOT EXISTS ix_auditlogs_pending ON auditlogs(tenant_id, seq) "
    "WHERE projected_at IS NULL",
    "CREATE INDEX IF NOT EXISTS ix_discovery_pending ON discoveryrecords(tenant_id, ts) "
    "WHERE projected_at IS NULL",
    "CREATE INDEX IF NOT EXISTS ix_discovery_ts ON discoveryrecords(tenant_id, ts)",
    """CREATE TABLE IF NOT EXISTS audit_anchors (
  tenant_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
)""",
    """CREATE TABLE IF NOT EXISTS leases (
  name TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at REAL NOT NULL
)""",
]


def _marks(conn: sqlite3.Connection, table: str, tenant: str, ids: Sequence[str],
           at: datetime) -> int:
    if not ids:
        return 0
    marks = ",".join("?" for _ in ids)
    cur = conn.execute(
        f"UPDATE {table} SET projected_at = ? WHERE tenant_id = ? AND id IN ({marks}) "
        "AND projected_at IS NULL", [codec.encode_value(at), tenant, *ids])
    return cur.rowcount


def _when(raw: Any) -> datetime | None:
    return datetime.fromisoformat(str(raw).replace("Z", "+00:00")) if raw else None


class SqliteAuditOps:
    """The projector and retention side of ``SqliteAuditLog`` (one tenant)."""

    _conn: sqlite3.Connection
    _tenant: str

    def unprojected(self, limit: int) -> list[AuditRecord]:
        rows = self._conn.execute(
            "SELECT doc FROM auditlogs WHERE tenant_id = ? AND projected_at IS NULL "
            "ORDER BY seq LIMIT ?", (self._tenant, limit)).fetchall()
        return [AuditRecord.model_validate(codec.loads(r[0])) for r in rows]

    def unprojected_discovery(self, limit: int) -> list[DiscoveryRecord]:
        rows = self._conn.execute(
            "SELECT doc FROM discoveryrecords WHERE tenant_id = ? AND projected_at IS NULL "
            "ORDER BY ts, rowid LIMIT ?", (self._tenant, limit)).fetchall()
        return [DiscoveryRecord.model_validate(codec.loads(r[0])) for r in rows]

    def mark_projected(self, ids: Sequence[str], at: datetime) -> int:
        return _marks(self._conn, "auditlogs", self._tenant, ids, at)

    def mark_discovery_projected(self, ids: Sequence[str], at: datetime) -> int:
        return _marks(self._conn, "discoveryrecords", self._tenant, ids, at)

    def _pending(self, table: str) -> tuple[int, int, datetime | None]:
        pending, oldest = self._conn.execute(
            f"SELECT COUNT(*), MIN(ts) FROM {table} WHERE tenant_id = ? "
            "AND projected_at IS NULL", (self._tenant,)).fetchone()
        total = self._conn.execute(f"SELECT COUNT(*) FROM {table} WHERE tenant_id = ?",
                                   (self._tenant,)).fetchone()[0]
        return int(pending), int(total), _when(oldest)

    def backlog(self) -> ProjectionBacklog:
        audit_pending, audit_total, audit_oldest = self._pending("auditlogs")
        disc_pending, disc_total, disc_oldest = self._pending("discoveryrecords")
        return ProjectionBacklog(
            auditPending=audit_pending, discoveryPending=disc_pending,
            auditTotal=audit_total, discoveryTotal=disc_total,
            oldestAuditPendingAt=audit_oldest, oldestDiscoveryPendingAt=disc_oldest)

    def _link(self, table: str) -> ChainLink | None:
        row = self._conn.execute(f"SELECT seq, hash FROM {table} WHERE tenant_id = ?",
                                 (self._tenant,)).fetchone()
        return ChainLink(seq=int(row[0]), hash=str(row[1])) if row else None

    def head(self) -> ChainLink | None:
        return self._link("audit_heads")

    def anchor(self) -> ChainLink | None:
        return self._link("audit_anchors")

    def prune_through(self, seq: int) -> int:
        row = self._conn.execute(
            "SELECT doc FROM auditlogs WHERE tenant_id = ? AND seq = ? "
            "AND projected_at IS NOT NULL", (self._tenant, seq)).fetchone()
        if row is None:
            return 0
        last = AuditRecord.model_validate(codec.loads(row[0]))
        # A savepoint works both inside a caller's transaction and on its own.
        self._conn.execute("SAVEPOINT prune")
        try:
            self._conn.execute(
                "INSERT INTO audit_anchors(tenant_id, seq, hash) VALUES (?, ?, ?) "
                "ON CONFLICT(tenant_id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash "
                "WHERE excluded.seq > audit_anchors.seq", (self._tenant, last.seq, last.hash))
            cur = self._conn.execute(
                "DELETE FROM auditlogs WHERE tenant_id = ? AND seq <= ? "
                "AND projected_at IS NOT NULL", (self._tenant, seq))
            self._conn.execute("RELEASE prune")
        except BaseException:
            self._conn.execute("ROLLBACK TO prune")
            self._conn.execute("RELEASE prune")
            raise
        return cur.rowcount

    def expired_discovery(self, before: datetime, limit: int, *,
                          exclude_users: Sequence[str] = (),
                          exclude_conversations: Sequence[str] = ()) -> list[DiscoveryRecord]:
        sql = ("SELECT doc FROM discoveryrecords WHERE tenant_id = ? AND ts < ? "
               "AND projected_at IS NOT NULL")
        args: list[Any] = [self._tenant, codec.encode_value(before)]
        for column, values in (("user_id", exclude_users),
                               ("conversation_id", exclude_conversations)):
            if values:
                marks = ",".join("?" for _ in values)
                sql += f" AND ({column} IS NULL OR {column} NOT IN ({marks}))"
                args += list(values)
        rows = self._conn.execute(sql + " ORDER BY ts, rowid LIMIT ?",
                                  [*args, limit]).fetchall()
        return [DiscoveryRecord.model_validate(codec.loads(r[0])) for r in rows]

    def delete_discovery(self, ids: Sequence[str]) -> int:
        if not ids:
            return 0
        marks = ",".join("?" for _ in ids)
        cur = self._conn.execute(
            f"DELETE FROM discoveryrecords WHERE tenant_id = ? AND id IN ({marks})",
            [self._tenant, *ids])
        return cur.rowcount

    def try_lease(self, purpose: str, owner: str, ttl_s: float) -> bool:
        now = time.time()
        cur = self._conn.execute(
            "INSERT INTO leases(name, owner, expires_at) VALUES (?, ?, ?) "
            "ON CONFLICT(name) DO UPDATE SET owner = excluded.owner, "
            "expires_at = excluded.expires_at "
            "WHERE leases.expires_at < ? OR leases.owner = excluded.owner",
            (f"{self._tenant}:{purpose}", owner, now + ttl_s, now))
        return cur.rowcount == 1

    def release_lease(self, purpose: str, owner: str) -> None:
        self._conn.execute("DELETE FROM leases WHERE name = ? AND owner = ?",
                           (f"{self._tenant}:{purpose}", owner))


class SqliteStoreAuditOps:
    """The store-wide side: which tenants have records."""

    def _connect(self) -> sqlite3.Connection:
        raise NotImplementedError  # provided by ``SqliteStore``

    def audit_tenants(self) -> list[str]:
        rows = self._connect().execute(
            "SELECT tenant_id FROM audit_heads UNION "
            "SELECT DISTINCT tenant_id FROM discoveryrecords ORDER BY 1").fetchall()
        return [str(r[0]) for r in rows]
