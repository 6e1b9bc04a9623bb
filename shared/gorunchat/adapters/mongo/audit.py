"""The hash-chained audit log and discovery journal in MongoDB.

Records live in ``auditlogs`` (unique ``(tenantId, seq)`` and ``id``), the last link of each
tenant's chain in ``audit_heads``, discovery records in ``discoveryrecords``; each carries a
``projectedAt`` (``None`` until a projector copies it elsewhere).

Appending: read the head, chain the events after it, insert the records, then move the head
forward with a compare-and-set. The unique ``(tenantId, seq)`` index is what makes two
writers never claim the same link: the loser recomputes from the new head and retries a few
times, then gives up with ``AuditUnavailable``. Records found beyond a stale head (a writer
that stopped between inserting and moving the head) are adopted as the head, so one crash
never blocks a tenant. Without a transaction a record can therefore exist for a change that
then failed to apply, never the reverse: that is the fail-closed direction.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from gorunchat.adapters.mongo.auditops import MongoAuditOps
from gorunchat.adapters.mongo.codec import from_stored, json_native, to_stored
from gorunchat.adapters.mongo.errors import translated
from gorunchat.adapters.mongo.indexes import AUDIT_HEADS, AUDITLOGS, DISCOVERY
from gorunchat.contracts.audit import AuditEvent, AuditRecord, DiscoveryEvent, DiscoveryRecord
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.errors import AuditUnavailable
from gorunchat.domain.audit import chain, discovery_records
from gorunchat.domain.hashchain import GENESIS
from gorunchat.ports.store import Filter

ATTEMPTS = 5


class ChainContended(Exception):
    """Another writer took the next link inside a transaction; replay the transaction."""


class AuditWriter:
    """Appends one tenant's records to the chain (``session`` set: inside a transaction)."""

    def __init__(self, db: Database[Any], tenant_id: str) -> None:
        self._db = db
        self._tenant = tenant_id

    def write(self, events: Sequence[AuditEvent], journal: Sequence[DiscoveryEvent],
              session: ClientSession | None) -> list[AuditRecord]:
        """Write the audit and discovery records; ``PyMongoError`` propagates to the caller."""
        # The hash covers the metadata as JSON, so store exactly that JSON.
        pending = [e.model_copy(update={"metadata": json_native(e.metadata)}) for e in events]
        now = utcnow()
        records: list[AuditRecord] = []
        for attempt in range(ATTEMPTS):
            if not pending:
                break
            written, head_seq = self._append(pending, session, now)
            records += written
            pending = pending[len(written):]
            if not pending:
                self._advance(head_seq, records[-1], session)
                break
            time.sleep(random.uniform(0.005, 0.02) * (attempt + 1))
        if pending:
            raise AuditUnavailable("The audit log is busy; try again.")
        found = discovery_records(journal, tenant_id=self._tenant, now=now)
        if found:
            self._db[DISCOVERY].insert_many(
                [{**to_stored(d.model_dump()), "projectedAt": None} for d in found],
                session=session)
        return records

    def _head(self, session: ClientSession | None) -> tuple[int | None, int, str]:
        """``(seq in audit_heads or None, seq, hash)`` of the last link of the chain."""
        head = self._db[AUDIT_HEADS].find_one({"tenantId": self._tenant}, session=session)
        head_seq = int(head["seq"]) if head else None
        seq, prev = (int(head["seq"]), str(head["hash"])) if head else (0, GENESIS)
        beyond = self._db[AUDITLOGS].find_one(
            {"tenantId": self._tenant, "seq": {"$gt": seq}}, sort=[("seq", DESCENDING)],
            session=session)
        if beyond is not None:
            seq, prev = int(beyond["seq"]), str(beyond["hash"])
        return head_seq, seq, prev

    def _append(self, events: Sequence[AuditEvent], session: ClientSession | None,
                now: datetime) -> tuple[list[AuditRecord], int | None]:
        """Insert as many records as this writer can claim; stops at the first taken seq."""
        head_seq, seq, prev = self._head(session)
        records = chain(events, tenant_id=self._tenant, head_seq=seq, head_hash=prev, now=now)
        for index, record in enumerate(records):
            try:
                self._db[AUDITLOGS].insert_one(
                    {**to_stored(record.model_dump()), "projectedAt": None}, session=session)
            except DuplicateKeyError:
                if session is not None:
                    raise ChainContended(self._tenant) from None
                return records[:index], head_seq
        return records, head_seq

    def _advance(self, expected: int | None, last: AuditRecord,
                 session: ClientSession | None) -> None:
        """Compare-and-set the head from ``expected`` to ``last``; only ever forward."""
        fields = {"seq": last.seq, "hash": last.hash, "projectedAt": None}
        heads = self._db[AUDIT_HEADS]
        if expected is None:
            try:
                heads.insert_one({"tenantId": self._tenant, **fields}, session=session)
                return
            except DuplicateKeyError:
                if session is not None:
                    raise ChainContended(self._tenant) from None
        # A failed compare means another writer already moved the head past our records.
        heads.find_one_and_update({"tenantId": self._tenant, "seq": {"$lt": last.seq}},
                                  {"$set": fields}, session=session)


_AUDIT_FIELDS = {"action": "action", "actorUserId": "actor.userId",
                 "targetType": "targetType", "targetId": "targetId"}
_DISCOVERY_FIELDS = frozenset({"userId", "conversationId", "messageId", "kind"})


def _record(raw: dict[str, Any]) -> AuditRecord:
    data = from_stored(raw)
    data.pop("_id", None)
    data.pop("projectedAt", None)
    return AuditRecord.model_validate(data)


class MongoAuditLog(MongoAuditOps):
    """``AuditLog`` over ``auditlogs`` and ``discoveryrecords`` for one tenant."""

    def __init__(self, db: Database[Any], tenant_id: str) -> None:
        self._db = db
        self._tenant = tenant_id

    def records(self, *, after_seq: int = 0, limit: int = 1000, where: Filter | None = None,
                descending: bool = False) -> list[AuditRecord]:
        query: dict[str, Any] = {"tenantId": self._tenant}
        if descending:
            if after_seq:
                query["seq"] = {"$lt": after_seq}
        else:
            query["seq"] = {"$gt": after_seq}
        ts: dict[str, Any] = {}
        for field, value in (where or {}).items():
            if field in _AUDIT_FIELDS:
                query[_AUDIT_FIELDS[field]] = value
            elif field == "since":
                ts["$gte"] = to_stored(value)
            elif field == "until":
                ts["$lt"] = to_stored(value)
        if ts:
            query["ts"] = ts
        order = DESCENDING if descending else ASCENDING
        with translated():
            raws = list(self._db[AUDITLOGS].find(query).sort("seq", order).limit(limit))
        return [_record(raw) for raw in raws]

    def get(self, record_id: str) -> AuditRecord | None:
        with translated():
            raw = self._db[AUDITLOGS].find_one({"tenantId": self._tenant, "id": record_id})
        return _record(raw) if raw is not None else None

    def discovery(self, *, limit: int = 1000, where: Filter | None = None
                  ) -> list[DiscoveryRecord]:
        query: dict[str, Any] = {"tenantId": self._tenant}
        query.update({k: v for k, v in (where or {}).items() if k in _DISCOVERY_FIELDS})
        with translated():
            # ``_id`` (an ObjectId made in insertion order) keeps a unit's journal order.
            raws = list(self._db[DISCOVERY].find(query)
                        .sort([("ts", ASCENDING), ("_id", ASCENDING)]).limit(limit))
        out = []
        for raw in raws:
            data = from_stored(raw)
            data.pop("_id", None)
            data.pop("projectedAt", None)
            out.append(DiscoveryRecord.model_validate(data))
        return out
