"""The SQLite schema.

Collection tables are declared by ``COLLECTIONS`` and brought up to date at every start
(missing tables, generated columns and indexes are added, idempotently). Everything else
changes through the versioned ``MIGRATIONS``, each run once, in order, in a transaction.
"""

from __future__ import annotations

import sqlite3

from gorunchat.adapters.collections import COLLECTIONS, CollectionSpec
from gorunchat.adapters.sqlite import auditops
from gorunchat.adapters.sqlite.search import ensure_search


def column(field: str) -> str:
    """The generated column that mirrors a queried document field."""
    return "c_" + field.lstrip("_")


def _generated(field: str) -> str:
    return f"{column(field)} GENERATED ALWAYS AS (json_extract(doc, '$.{field}')) VIRTUAL"


def _collection_ddl(conn: sqlite3.Connection, spec: CollectionSpec) -> list[str]:
    existing = {row[1] for row in conn.execute(f"PRAGMA table_xinfo({spec.name})")}
    ddl: list[str] = []
    if not existing:
        ddl.append(
            f"CREATE TABLE {spec.name} (tenant_id TEXT NOT NULL, id TEXT NOT NULL, "
            f"doc TEXT NOT NULL, PRIMARY KEY (tenant_id, id))"
        )
    ddl += [
        f"ALTER TABLE {spec.name} ADD COLUMN {_generated(f)}"
        for f in spec.indexed
        if column(f) not in existing
    ]
    for f in spec.indexed:
        ddl.append(
            f"CREATE INDEX IF NOT EXISTS ix_{spec.name}_{column(f)} "
            f"ON {spec.name}(tenant_id, {column(f)})"
        )
    for fields in spec.compound:
        name = "_".join(column(f) for f in fields)
        cols_list = ", ".join(column(f) for f in fields)
        ddl.append(
            f"CREATE INDEX IF NOT EXISTS ix_{spec.name}_{name} "
            f"ON {spec.name}(tenant_id, {cols_list}, id)"
        )
    return ddl


def _v1() -> list[str]:
    return [
        """CREATE TABLE IF NOT EXISTS auditlogs (
  tenant_id TEXT NOT NULL,
  seq INTEGER NOT NULL,
  id TEXT NOT NULL UNIQUE,
  ts TEXT NOT NULL,
  action TEXT NOT NULL,
  actor_user TEXT,
  target_type TEXT,
  target_id TEXT,
  doc TEXT NOT NULL,
  projected_at TEXT,
  PRIMARY KEY (tenant_id, seq)
)""",
        "CREATE INDEX IF NOT EXISTS ix_auditlogs_ts ON auditlogs(tenant_id, ts)",
        "CREATE INDEX IF NOT EXISTS ix_auditlogs_action ON auditlogs(tenant_id, action, seq)",
        "CREATE INDEX IF NOT EXISTS ix_auditlogs_unprojected ON auditlogs(projected_at, ts)",
        """CREATE TABLE IF NOT EXISTS audit_heads (
  tenant_id TEXT PRIMARY KEY,
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
)""",
        """CREATE TABLE IF NOT EXISTS discoveryrecords (
  tenant_id TEXT NOT NULL,
  id TEXT NOT NULL,
  ts TEXT NOT NULL,
  kind TEXT NOT NULL,
  user_id TEXT,
  conversation_id TEXT,
  message_id TEXT,
  doc TEXT NOT NULL,
  projected_at TEXT,
  PRIMARY KEY (tenant_id, id)
)""",
        "CREATE INDEX IF NOT EXISTS ix_discovery_user ON discoveryrecords(tenant_id, user_id, ts)",
        "CREATE INDEX IF NOT EXISTS ix_discovery_unprojected ON discoveryrecords(projected_at, ts)",
    ]


MIGRATIONS: tuple[list[str], ...] = (_v1(), auditops.MIGRATION)


def migrate(conn: sqlite3.Connection) -> int:
    """Bring the file to the latest schema version; returns that version."""
    conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()
    current = int(row[0] or 0)
    for version, statements in enumerate(MIGRATIONS, start=1):
        if version <= current:
            continue
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in statements:
                conn.execute(statement)
            conn.execute("INSERT INTO schema_version(version) VALUES (?)", (version,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        current = version
    ensure_collections(conn)
    return current


def ensure_collections(conn: sqlite3.Connection) -> None:
    """Create or extend every declared collection table and its indexes (idempotent)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for spec in COLLECTIONS.values():
            for statement in _collection_ddl(conn, spec):
                conn.execute(statement)
        ensure_search(conn)  # FTS5 tables and the triggers that keep them in step
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
