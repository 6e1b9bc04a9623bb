"""Full-text search on SQLite: one FTS5 table per searchable collection, kept by triggers.

The triggers run inside the statement that changes a document, so the index is written in
the same transaction as the change and can never disagree with a committed state. Each FTS
row carries an ``owner`` column ("<tenant> <user>") that the query matches as a phrase, so
the index itself narrows a search to one user before ranking. ``fts_keys`` maps a document
(collection, tenant, key) to its FTS row, which keeps deletes and updates O(log n).

Words are matched as prefixes (``unicode61`` tokenizer, diacritics folded): "straß" finds
"Straße", "resume" finds "résumé". Scripts written without spaces (Chinese, Japanese) are
indexed per run of characters, so only a prefix of such a run matches.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from gorunchat.ports.search import SEARCHABLE

_WORD = re.compile(r"\w+", re.UNICODE)
_MAX_WORDS = 12


def _table(collection: str) -> str:
    return f"fts_{collection}"


def _field_text(row: str, field: str) -> str:
    if field == "content":
        return (
            f"coalesce((SELECT group_concat(CASE json_type(value, '$.text') "
            f"WHEN 'object' THEN json_extract(value, '$.text.value') "
            f"ELSE json_extract(value, '$.text') END, ' ') "
            f"FROM json_each({row}.doc, '$.content') "
            f"WHERE json_extract(value, '$.type') = 'text'), '')")
    return f"coalesce(json_extract({row}.doc, '$.{field}'), '')"


def _body(collection: str, row: str) -> str:
    return " || ' ' || ".join(_field_text(row, f) for f in SEARCHABLE[collection])


def _owner(row: str) -> str:
    return f"{row}.tenant_id || ' ' || coalesce(json_extract({row}.doc, '$.user'), '')"


def _key_of(collection: str, row: str) -> str:
    return (f"(SELECT fts_rowid FROM fts_keys WHERE coll = '{collection}' "
            f"AND tenant_id = {row}.tenant_id AND id = {row}.id)")


def _triggers(collection: str) -> list[str]:
    fts = _table(collection)
    insert = (f"INSERT INTO {fts}(body, owner, tenant_id, owner_user, doc_key) VALUES "
              f"({_body(collection, 'new')}, {_owner('new')}, new.tenant_id, "
              f"json_extract(new.doc, '$.user'), new.id); "
              f"INSERT OR REPLACE INTO fts_keys(coll, tenant_id, id, fts_rowid) VALUES "
              f"('{collection}', new.tenant_id, new.id, last_insert_rowid());")
    forget = (f"DELETE FROM {fts} WHERE rowid = {_key_of(collection, 'old')}; "
              f"DELETE FROM fts_keys WHERE coll = '{collection}' "
              f"AND tenant_id = old.tenant_id AND id = old.id;")
    return [
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {collection} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {collection} BEGIN {forget} END",
        f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF doc ON {collection} "
        f"BEGIN {forget} {insert} END",
    ]


def _backfill(collection: str) -> list[str]:
    fts = _table(collection)
    return [
        f"INSERT INTO {fts}(rowid, body, owner, tenant_id, owner_user, doc_key) "
        f"SELECT m.rowid, {_body(collection, 'm')}, {_owner('m')}, m.tenant_id, "
        f"json_extract(m.doc, '$.user'), m.id FROM {collection} m",
        f"INSERT OR REPLACE INTO fts_keys(coll, tenant_id, id, fts_rowid) "
        f"SELECT '{collection}', tenant_id, id, rowid FROM {collection}",
    ]


def search_ddl(conn: sqlite3.Connection) -> list[str]:
    """Statements that create (and, the first time, fill) the FTS tables and triggers."""
    existing = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    ddl = ["CREATE TABLE IF NOT EXISTS fts_keys (coll TEXT NOT NULL, tenant_id TEXT NOT NULL, "
           "id TEXT NOT NULL, fts_rowid INTEGER NOT NULL, PRIMARY KEY (coll, tenant_id, id))"]
    for collection in SEARCHABLE:
        fts = _table(collection)
        if fts not in existing:
            ddl.append(f"CREATE VIRTUAL TABLE {fts} USING fts5(body, owner, "
                       "tenant_id UNINDEXED, owner_user UNINDEXED, doc_key UNINDEXED, "
                       "tokenize = 'unicode61 remove_diacritics 2')")
            ddl += _backfill(collection)
        ddl += _triggers(collection)
    return ddl


def ensure_search(conn: sqlite3.Connection) -> None:
    """Run ``search_ddl`` inside the caller's open transaction (the schema's ensure step)."""
    for statement in search_ddl(conn):
        conn.execute(statement)


def match_expression(owner: str, text: str) -> str | None:
    """An FTS5 query: the owner phrase AND every word of ``text`` as a prefix."""
    words = _WORD.findall(text)[:_MAX_WORDS]
    if not words:
        return None
    quoted = " ".join('"' + w.replace('"', '""') + '"*' for w in words)
    owner_phrase = '"' + owner.replace('"', '""') + '"'
    return f"owner : {owner_phrase} AND body : ({quoted})"


class SqliteTextSearch:
    """``TextSearch`` over the FTS tables of one SQLite file (read on its own connection)."""

    def __init__(self, path: Path) -> None:
        self._path = path

    def search(self, tenant_id: str, collection: str, text: str, *, user: str, limit: int
               ) -> list[str]:
        if collection not in SEARCHABLE:
            raise ValueError(f"{collection} is not searchable")
        expression = match_expression(f"{tenant_id} {user}", text)
        if expression is None:
            return []
        fts = _table(collection)
        conn = sqlite3.connect(self._path, timeout=10.0)
        try:
            # The join on the document's primary key leaves out hidden documents (a legal
            # hold kept them); the index itself does not know about hiding.
            rows = conn.execute(
                f"SELECT {fts}.doc_key FROM {fts} JOIN {collection} d "
                f"ON d.tenant_id = {fts}.tenant_id AND d.id = {fts}.doc_key "
                f"WHERE {fts} MATCH ? AND {fts}.tenant_id = ? AND {fts}.owner_user = ? "
                f"AND json_extract(d.doc, '$.hiddenAt') IS NULL ORDER BY {fts}.rank LIMIT ?",
                (expression, tenant_id, user, limit)).fetchall()
        finally:
            conn.close()
        return [str(r[0]) for r in rows]
