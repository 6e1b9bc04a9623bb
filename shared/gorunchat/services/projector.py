"""The audit projector: copy audit and discovery records to the query sink and the archive.

Per tenant, under a lease (one projector per tenant at a time, so records go out in order):

1. read the oldest unprojected records (audit by ``seq``, discovery in journal order);
2. insert them into the ``QuerySink`` with each record's id as insert id;
3. archive the batch as one write-once JSONL object named after its first record;
4. mark them projected.

Every step is safe to repeat, so a crash anywhere is repaired by running again: the sink
ignores ids it holds, and an archive object that already exists is read back and only the
records it lacks are archived in a new object. Nothing is marked before it is in both places.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

from gorunchat.contracts.audit import AuditRecord, DiscoveryRecord
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.contracts.tasks import ProjectionResult
from gorunchat.ports.archive import Archive
from gorunchat.ports.querysink import (
    AUDIT_TABLE,
    DISCOVERY_TABLE,
    AuditRow,
    DiscoveryRow,
    QuerySink,
)
from gorunchat.ports.store import Store

LEASE = "projection"
JSONL = "application/x-ndjson"


@dataclass(frozen=True)
class Projector:
    """What a projection run needs; ``owner`` names this worker in the tenant lease."""

    store: Store
    sink: QuerySink
    archive: Archive
    batch_size: int = 500
    lease_ttl_s: float = 120.0
    owner: str = field(default_factory=lambda: f"projector-{uuid.uuid4().hex[:12]}")


@dataclass
class _Tally:
    audit: int = 0
    discovery: int = 0
    archived: list[str] = field(default_factory=list)
    busy: list[str] = field(default_factory=list)
    more: bool = False


def audit_row(record: AuditRecord) -> AuditRow:
    return AuditRow(id=record.id, tenantId=record.tenantId, seq=record.seq,
                    ts=record.ts.isoformat(), action=record.action, actor=record.actor,
                    targetType=record.targetType, targetId=record.targetId,
                    outcome=record.outcome,
                    metadata=json.dumps(record.metadata, sort_keys=True, ensure_ascii=False),
                    prevHash=record.prevHash, hash=record.hash)


def discovery_row(record: DiscoveryRecord) -> DiscoveryRow:
    return DiscoveryRow(id=record.id, tenantId=record.tenantId, ts=record.ts.isoformat(),
                        kind=record.kind, userId=record.userId,
                        conversationId=record.conversationId, messageId=record.messageId,
                        content=json.dumps(record.content, sort_keys=True, ensure_ascii=False))


def archive_key(kind: str, tenant_id: str, first_ts: datetime, name: str) -> str:
    """``audit/<tenant>/<yyyy>/<mm>/<dd>/<first record>.jsonl``: found by tenant and day."""
    return f"{kind}/{quote(tenant_id, safe='')}/{first_ts:%Y/%m/%d}/{name}.jsonl"


def archive_batch(archive: Archive, records: Sequence[AuditRecord | DiscoveryRecord],
                  key_for: Callable[[AuditRecord | DiscoveryRecord], str]) -> list[str]:
    """Archive ``records`` write-once; returns the keys written (none when all were there).

    After a crash the object of the batch's first record may exist already: its records
    are skipped and the rest go to a new object named after the first record it lacks.
    """
    remaining, written = list(records), []
    while remaining:
        key = key_for(remaining[0])
        body = "".join(r.model_dump_json() + "\n" for r in remaining).encode()
        if archive.put_once(key, body, JSONL):
            written.append(key)
            break
        held = {json.loads(line)["id"] for line in archive.get(key).splitlines() if line}
        rest = [r for r in remaining if r.id not in held]
        if len(rest) == len(remaining):
            raise ServiceUnavailable(f"The archive object {key} does not hold this batch.",
                                     code="ARCHIVE_CONFLICT")
        remaining = rest
    return written


def _audit_key(record: AuditRecord | DiscoveryRecord) -> str:
    seq = getattr(record, "seq", 0)
    return archive_key("audit", record.tenantId, record.ts, f"{seq:012d}")


def _discovery_key(record: AuditRecord | DiscoveryRecord) -> str:
    return archive_key("discovery", record.tenantId, record.ts, record.id)


def _project_tenant(p: Projector, tenant_id: str, tally: _Tally) -> None:
    log = p.store.audit_log(tenant_id)
    if not log.try_lease(LEASE, p.owner, p.lease_ttl_s):
        tally.busy.append(tenant_id)
        return
    try:
        audit = log.unprojected(p.batch_size)
        if audit:
            p.sink.insert(AUDIT_TABLE, [audit_row(r) for r in audit])
            tally.archived += archive_batch(p.archive, audit, _audit_key)
            log.mark_projected([r.id for r in audit], utcnow())
            tally.audit += len(audit)
        found = log.unprojected_discovery(p.batch_size)
        if found:
            p.sink.insert(DISCOVERY_TABLE, [discovery_row(r) for r in found])
            tally.archived += archive_batch(p.archive, found, _discovery_key)
            log.mark_discovery_projected([r.id for r in found], utcnow())
            tally.discovery += len(found)
        tally.more = tally.more or len(audit) == p.batch_size or len(found) == p.batch_size
    finally:
        log.release_lease(LEASE, p.owner)


def project(p: Projector, tenant_ids: Sequence[str] | None = None) -> ProjectionResult:
    """One batch per tenant (every tenant with records when ``tenant_ids`` is ``None``).

    ``more`` says a tenant filled its batch: the caller schedules another run.
    """
    tenants = list(tenant_ids) if tenant_ids is not None else p.store.audit_tenants()
    tally = _Tally()
    for tenant in tenants:
        _project_tenant(p, tenant, tally)
    return ProjectionResult(tenants=len(tenants), auditProjected=tally.audit,
                            discoveryProjected=tally.discovery, archived=tally.archived,
                            skippedBusy=tally.busy, more=tally.more)


def drain(p: Projector, tenant_ids: Sequence[str] | None = None, max_runs: int = 1000
          ) -> ProjectionResult:
    """Run until no tenant has a full batch left (bounded by ``max_runs``)."""
    audit = discovery = runs = 0
    archived: list[str] = []
    result = project(p, tenant_ids)
    while True:
        audit, discovery = audit + result.auditProjected, discovery + result.discoveryProjected
        archived += result.archived
        runs += 1
        if not result.more or runs >= max_runs:
            break
        result = project(p, tenant_ids)
    return result.model_copy(update={"auditProjected": audit, "discoveryProjected": discovery,
                                     "archived": archived})
