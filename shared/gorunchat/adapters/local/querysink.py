"""The local query sink: a file-backed table per sink table (SQLite), deduplicated by id.

It stands where BigQuery stands in Google Cloud: the projector writes the same rows to it,
and a row id already present is ignored, as BigQuery's ``insertId`` does.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.ports.querysink import AUDIT_TABLE, DISCOVERY_TABLE, SinkRow

TABLES = (AUDIT_TABLE, DISCOVERY_TABLE)


class LocalQuerySink:
    """``QuerySink`` in one SQLite file (``<data>/querysink.sqlite3``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, isolation_level=None, timeout=10.0,
                                   check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            self._local.conn = conn
        return conn

    def ensure(self) -> None:
        for table in TABLES:
            self._conn().execute(
                f"CREATE TABLE IF NOT EXISTS {table} (id TEXT PRIMARY KEY, "
                "tenant_id TEXT NOT NULL, row TEXT NOT NULL)")

    def insert(self, table: str, rows: Sequence[SinkRow]) -> None:
        if table not in TABLES:
            raise ValueError(f"unknown sink table {table}")
        try:
            self.ensure()
            conn = self._conn()
            conn.execute("BEGIN IMMEDIATE")
            conn.executemany(
                f"INSERT OR IGNORE INTO {table}(id, tenant_id, row) VALUES (?, ?, ?)",
                [(r.id, r.tenantId, r.model_dump_json()) for r in rows])
            conn.execute("COMMIT")
        except sqlite3.Error as exc:
            if self._conn().in_transaction:
                self._conn().execute("ROLLBACK")
            raise ServiceUnavailable("The query sink is unavailable.",
                                     code="QUERY_SINK_UNAVAILABLE") from exc

    def count(self, table: str, tenant_id: str | None = None) -> int:
        """Rows held (all tenants, or one): for tests, the benchmark and operators."""
        self.ensure()
        sql, args = f"SELECT COUNT(*) FROM {table}", []
        if tenant_id is not None:
            sql, args = sql + " WHERE tenant_id = ?", [tenant_id]
        return int(self._conn().execute(sql, args).fetchone()[0])

    def ids(self, table: str) -> list[str]:
        self.ensure()
        rows: list[Any] = self._conn().execute(f"SELECT id FROM {table} ORDER BY id").fetchall()
        return [str(r[0]) for r in rows]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
