"""Projection and retention operations on the MongoDB audit log (the ``AuditLog`` port's
projector side), mixed into ``MongoAuditLog`` and ``MongoStore``.

Unprojected records carry ``projectedAt: null``; the retention anchor lives on the tenant's
``audit_heads`` document (``anchorSeq``/``anchorHash``, fields the chain writer never sets);
leases are documents of ``leases`` keyed by ``<tenant>:<purpose>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo import ASCENDING, IndexModel
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from gorunchat.adapters.mongo.codec import from_stored, to_stored
from gorunchat.adapters.mongo.errors import translated
from gorunchat.adapters.mongo.indexes import AUDIT_HEADS, AUDITLOGS, DISCOVERY
from gorunchat.contracts.admin_audit import ChainLink, ProjectionBacklog
from gorunchat.contracts.audit import AuditRecord, DiscoveryRecord

LEASES = "leases"


def audit_ops_indexes() -> dict[str, list[IndexModel]]:
    """Indexes that find a tenant's backlog and expired records without a scan."""
    return {
        AUDITLOGS: [IndexModel([("tenantId", ASCENDING), ("projectedAt", ASCENDING),
                                ("seq", ASCENDING)], name="tenant_projected_seq")],
        DISCOVERY: [IndexModel([("tenantId", ASCENDING), ("projectedAt", ASCENDING),
                                ("ts", ASCENDING), ("_id", ASCENDING)],
                               name="tenant_projected_ts")],
    }


def _clean(raw: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = from_stored(raw)
    data.pop("_id", None)
    data.pop("projectedAt", None)
    return data


class MongoAuditOps:
    """The projector and retention side of ``MongoAuditLog`` (one tenant)."""

    _db: Database[Any]
    _tenant: str

    def _find(self, name: str, query: dict[str, Any], sort: list[tuple[str, int]],
              limit: int) -> list[dict[str, Any]]:
        with translated():
            return [_clean(raw) for raw in
                    self._db[name].find({"tenantId": self._tenant, **query})
                    .sort(sort).limit(limit)]

    def unprojected(self, limit: int) -> list[AuditRecord]:
        found = self._find(AUDITLOGS, {"projectedAt": None}, [("seq", ASCENDING)], limit)
        return [AuditRecord.model_validate(d) for d in found]

    def unprojected_discovery(self, limit: int) -> list[DiscoveryRecord]:
        found = self._find(DISCOVERY, {"projectedAt": None},
                           [("ts", ASCENDING), ("_id", ASCENDING)], limit)
        return [DiscoveryRecord.model_validate(d) for d in found]

    def _mark(self, name: str, ids: Sequence[str], at: datetime) -> int:
        if not ids:
            return 0
        with translated():
            result = self._db[name].update_many(
                {"tenantId": self._tenant, "id": {"$in": list(ids)}, "projectedAt": None},
                {"$set": {"projectedAt": to_stored(at)}})
        return int(result.modified_count)

    def mark_projected(self, ids: Sequence[str], at: datetime) -> int:
        return self._mark(AUDITLOGS, ids, at)

    def mark_discovery_projected(self, ids: Sequence[str], at: datetime) -> int:
        return self._mark(DISCOVERY, ids, at)

    def _pending(self, name: str) -> tuple[int, int, datetime | None]:
        coll = self._db[name]
        with translated():
            pending = coll.count_documents({"tenantId": self._tenant, "projectedAt": None})
            total = coll.count_documents({"tenantId": self._tenant})
            oldest = coll.find_one({"tenantId": self._tenant, "projectedAt": None},
                                   sort=[("ts", ASCENDING)])
        return pending, total, from_stored(oldest["ts"]) if oldest else None

    def backlog(self) -> ProjectionBacklog:
        audit_pending, audit_total, audit_oldest = self._pending(AUDITLOGS)
        disc_pending, disc_total, disc_oldest = self._pending(DISCOVERY)
        return ProjectionBacklog(
            auditPending=audit_pending, discoveryPending=disc_pending,
            auditTotal=audit_total, discoveryTotal=disc_total,
            oldestAuditPendingAt=audit_oldest, oldestDiscoveryPendingAt=disc_oldest)

    def _head_doc(self) -> dict[str, Any] | None:
        with translated():
            found: dict[str, Any] | None = self._db[AUDIT_HEADS].find_one(
                {"tenantId": self._tenant})
        return found

    def head(self) -> ChainLink | None:
        doc = self._head_doc()
        return ChainLink(seq=int(doc["seq"]), hash=str(doc["hash"])) if doc else None

    def anchor(self) -> ChainLink | None:
        doc = self._head_doc()
        if not doc or doc.get("anchorSeq") is None:
            return None
        return ChainLink(seq=int(doc["anchorSeq"]), hash=str(doc["anchorHash"]))

    def prune_through(self, seq: int) -> int:
        with translated():
            last = self._db[AUDITLOGS].find_one(
                {"tenantId": self._tenant, "seq": seq, "projectedAt": {"$ne": None}})
            if last is None:
                return 0
            # The anchor moves first: if the delete then fails, verification simply starts
            # after records that are still there.
            self._db[AUDIT_HEADS].update_one(
                {"tenantId": self._tenant,
                 "$or": [{"anchorSeq": None}, {"anchorSeq": {"$lt": seq}}]},
                {"$set": {"anchorSeq": seq, "anchorHash": str(last["hash"])}})
            result = self._db[AUDITLOGS].delete_many(
                {"tenantId": self._tenant, "seq": {"$lte": seq}, "projectedAt": {"$ne": None}})
        return int(result.deleted_count)

    def expired_discovery(self, before: datetime, limit: int, *,
                          exclude_users: Sequence[str] = (),
                          exclude_conversations: Sequence[str] = ()) -> list[DiscoveryRecord]:
        query: dict[str, Any] = {"projectedAt": {"$ne": None}, "ts": {"$lt": to_stored(before)}}
        if exclude_users:
            query["userId"] = {"$nin": list(exclude_users)}
        if exclude_conversations:
            query["conversationId"] = {"$nin": list(exclude_conversations)}
        found = self._find(DISCOVERY, query,
                           [("ts", ASCENDING), ("_id", ASCENDING)], limit)
        return [DiscoveryRecord.model_validate(d) for d in found]

    def delete_discovery(self, ids: Sequence[str]) -> int:
        if not ids:
            return 0
        with translated():
            result = self._db[DISCOVERY].delete_many(
                {"tenantId": self._tenant, "id": {"$in": list(ids)}})
        return int(result.deleted_count)

    def try_lease(self, purpose: str, owner: str, ttl_s: float) -> bool:
        now = datetime.now(UTC)
        name = f"{self._tenant}:{purpose}"
        try:
            with translated():
                self._db[LEASES].find_one_and_update(
                    {"_id": name, "$or": [{"expiresAt": {"$lt": now}}, {"owner": owner}]},
                    {"$set": {"owner": owner, "expiresAt": now + timedelta(seconds=ttl_s)}},
                    upsert=True)
        except DuplicateKeyError:
            return False  # the upsert met a live lease of another owner
        return True

    def release_lease(self, purpose: str, owner: str) -> None:
        with translated():
            self._db[LEASES].delete_one({"_id": f"{self._tenant}:{purpose}", "owner": owner})


class MongoStoreAuditOps:
    """The store-wide side: which tenants have records."""

    _db: Database[Any]

    def audit_tenants(self) -> list[str]:
        with translated():
            tenants = set(self._db[AUDIT_HEADS].distinct("tenantId"))
            tenants |= set(self._db[DISCOVERY].distinct("tenantId"))
        return sorted(str(t) for t in tenants)
