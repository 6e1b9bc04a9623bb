"""The audit log for administrators: list, read, export as CSV, verify the chain, lag.

Reading the log is not audited; exporting it is (an export moves evidence out), and the
export's own record is written before any row is handed out, so a failing audit store
refuses the export (fail closed).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from gorunchat.contracts.admin_audit import (
    AuditExportQuery,
    AuditPage,
    AuditQuery,
    ChainReport,
    ProjectionLag,
)
from gorunchat.contracts.audit import AuditEvent, AuditRecord
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.errors import NotFound
from gorunchat.domain.hashchain import GENESIS, first_break
from gorunchat.ports.store import AuditLog, Store
from gorunchat.services.caller import Caller

VERIFY_BATCH = 1000
CSV_COLUMNS = ("id", "seq", "ts", "action", "actorUserId", "actorRole", "actorIp",
               "requestId", "targetType", "targetId", "outcome", "metadata", "prevHash", "hash")
_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _where(query: AuditQuery | AuditExportQuery) -> dict[str, Any]:
    fields = ("action", "actorUserId", "targetType", "targetId", "since", "until")
    return {f: getattr(query, f) for f in fields if getattr(query, f) is not None}


def list_records(store: Store, caller: Caller, query: AuditQuery) -> AuditPage:
    """A page of the tenant's records, newest first; the cursor is the last ``seq`` seen."""
    after = int(query.cursor) if query.cursor else 0
    found = store.audit_log(caller.tenant_id).records(
        after_seq=after, limit=query.limit + 1, where=_where(query), descending=True)
    items = found[:query.limit]
    more = len(found) > query.limit
    return AuditPage(items=items, nextCursor=str(items[-1].seq) if more and items else None)


def get_record(store: Store, caller: Caller, record_id: str) -> AuditRecord:
    found = store.audit_log(caller.tenant_id).get(record_id)
    if found is None:
        raise NotFound("No audit record has this id.", code="AUDIT_RECORD_NOT_FOUND")
    return found


def _cell(value: str) -> str:
    # A cell that a spreadsheet would run as a formula is quoted as text (CSV injection).
    return "'" + value if value.startswith(_FORMULA_PREFIXES) else value


def _row(record: AuditRecord) -> list[str]:
    values = [record.id, str(record.seq), record.ts.isoformat(), record.action,
              record.actor.userId or "", record.actor.role or "", record.actor.ip or "",
              record.actor.requestId or "", record.targetType or "", record.targetId or "",
              record.outcome, json.dumps(record.metadata, sort_keys=True, ensure_ascii=False),
              record.prevHash, record.hash]
    return [_cell(v) for v in values]


def export_csv(store: Store, caller: Caller, query: AuditExportQuery) -> str:
    """The matching records as CSV (oldest first); records the export first."""
    with store.unit_of_work(caller.tenant_id) as uow:
        uow.record(AuditEvent(action="admin.audit_export", actor=caller.actor,
                              targetType="auditlog",
                              metadata={"filters": _where(query), "limit": query.limit}))
        uow.commit()
    records = store.audit_log(caller.tenant_id).records(limit=query.limit, where=_where(query))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_row(r) for r in records)
    return out.getvalue()


def verify_chain(log: AuditLog) -> ChainReport:
    """Walk the chain from the retention anchor to the head; name the first broken link."""
    anchor = log.anchor()
    start = anchor.seq if anchor else 0
    anchor_hash = prev = anchor.hash if anchor else GENESIS
    after, checked = start, 0
    while True:
        batch = log.records(after_seq=after, limit=VERIFY_BATCH)
        if not batch:
            break
        broken = first_break([r.model_dump() for r in batch], prev=prev,
                             expected_seq=after + 1)
        if broken is not None:
            index, record, reason = broken
            return _report(start, anchor_hash, log, checked + index, str(record.get("id")),
                           int(record.get("seq") or 0), reason)
        checked += len(batch)
        prev, after = batch[-1].hash, batch[-1].seq
    head = log.head()
    if head is not None and (head.seq, head.hash) != (after, prev):
        reason = (f"the chain ends at seq {after} but its head is seq {head.seq}: "
                  "records at the end are missing or altered")
        return _report(start, anchor_hash, log, checked, None, after + 1, reason)
    return ChainReport(ok=True, checked=checked, startSeq=start, headSeq=after,
                       anchorHash=anchor_hash)


def _report(start: int, anchor_hash: str, log: AuditLog, checked: int, record_id: str | None,
            seq: int, reason: str) -> ChainReport:
    head = log.head()
    return ChainReport(ok=False, checked=checked, startSeq=start,
                       headSeq=head.seq if head else 0, anchorHash=anchor_hash,
                       firstBrokenId=record_id, firstBrokenSeq=seq, reason=reason)


def verify(store: Store, caller: Caller) -> ChainReport:
    return verify_chain(store.audit_log(caller.tenant_id))


def lag(store: Store, tenant_id: str, now: datetime | None = None) -> ProjectionLag:
    """How far the projection is behind: the age of the oldest unprojected record."""
    now = now or utcnow()
    backlog = store.audit_log(tenant_id).backlog()
    pending = [t for t in (backlog.oldestAuditPendingAt, backlog.oldestDiscoveryPendingAt)
               if t is not None]
    oldest = min(pending) if pending else None
    seconds = max(0.0, (now - oldest).total_seconds()) if oldest else 0.0
    return ProjectionLag(lagSeconds=round(seconds, 3), oldestPendingAt=oldest,
                         auditPending=backlog.auditPending,
                         discoveryPending=backlog.discoveryPending,
                         auditTotal=backlog.auditTotal, discoveryTotal=backlog.discoveryTotal,
                         measuredAt=now)
