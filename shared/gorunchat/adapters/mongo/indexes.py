"""Indexes created at start, idempotently, from ``COLLECTIONS`` and the audit collections.

Every index is prefixed by ``tenantId`` because every query is scoped by tenant. Names are
fixed so that a second start is a no-op. An index that already exists with the same keys
under another name (``IndexOptionsConflict``) is kept as it is: it serves the same queries.
"""

from __future__ import annotations

from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import OperationFailure

from gorunchat.adapters.collections import COLLECTIONS, CollectionSpec

AUDITLOGS = "auditlogs"
AUDIT_HEADS = "audit_heads"
DISCOVERY = "discoveryrecords"
_INDEX_OPTIONS_CONFLICT = 85


def _collection_indexes(spec: CollectionSpec) -> list[IndexModel]:
    models = [IndexModel([("tenantId", ASCENDING), (spec.key, ASCENDING)], unique=True,
                         name=f"tenant_{spec.key}_unique")]
    models += [
        IndexModel([("tenantId", ASCENDING), (field, ASCENDING), (spec.key, ASCENDING)],
                   name=f"tenant_{field}")
        for field in spec.indexed
    ]
    models += [
        IndexModel([("tenantId", ASCENDING), *((f, ASCENDING) for f in fields),
                    (spec.key, ASCENDING)], name="tenant_" + "_".join(fields))
        for fields in spec.compound
    ]
    return models


def _audit_indexes() -> dict[str, list[IndexModel]]:
    return {
        AUDITLOGS: [
            IndexModel([("tenantId", ASCENDING), ("seq", ASCENDING)], unique=True,
                       name="tenant_seq_unique"),
            IndexModel([("id", ASCENDING)], unique=True, name="id_unique"),
            IndexModel([("tenantId", ASCENDING), ("ts", ASCENDING)], name="tenant_ts"),
            IndexModel([("tenantId", ASCENDING), ("action", ASCENDING), ("seq", ASCENDING)],
                       name="tenant_action_seq"),
            IndexModel([("projectedAt", ASCENDING), ("ts", ASCENDING)], name="unprojected"),
        ],
        AUDIT_HEADS: [IndexModel([("tenantId", ASCENDING)], unique=True, name="tenant_unique")],
        DISCOVERY: [
            IndexModel([("tenantId", ASCENDING), ("id", ASCENDING)], unique=True,
                       name="tenant_id_unique"),
            IndexModel([("tenantId", ASCENDING), ("userId", ASCENDING), ("ts", ASCENDING)],
                       name="tenant_user_ts"),
            IndexModel([("tenantId", ASCENDING), ("ts", ASCENDING), ("_id", ASCENDING)],
                       name="tenant_ts"),
            IndexModel([("projectedAt", ASCENDING), ("ts", ASCENDING)], name="unprojected"),
        ],
    }


def ensure_indexes(db: Database[Any]) -> None:
    """Create every index this adapter relies on (safe to run at every start)."""
    from gorunchat.adapters.mongo.auditops import audit_ops_indexes

    wanted = {spec.name: _collection_indexes(spec) for spec in COLLECTIONS.values()}
    wanted.update(_audit_indexes())
    for name, extra in audit_ops_indexes().items():
        wanted[name] = [*wanted[name], *extra]
    for name, models in wanted.items():
        for model in models:
            try:
                db[name].create_indexes([model])
            except OperationFailure as exc:
                if exc.code != _INDEX_OPTIONS_CONFLICT:
                    raise
