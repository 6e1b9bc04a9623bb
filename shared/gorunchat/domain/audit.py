"""Turn recorded audit events into hash-chained records."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from gorunchat.contracts.audit import AuditEvent, AuditRecord, DiscoveryEvent, DiscoveryRecord
from gorunchat.domain.hashchain import record_hash
from gorunchat.domain.ids import sortable_id


def chain(
    events: Sequence[AuditEvent], *, tenant_id: str, head_seq: int, head_hash: str,
    now: datetime,
) -> list[AuditRecord]:
    """Records for ``events`` continuing the chain after ``(head_seq, head_hash)``."""
    records: list[AuditRecord] = []
    prev, seq = head_hash, head_seq
    # Millisecond precision: BSON dates keep no more, and the hash must survive a round trip.
    now = now.replace(microsecond=now.microsecond // 1000 * 1000)
    for event in events:
        seq += 1
        fields = {
            "id": sortable_id(),
            "tenantId": tenant_id,
            "seq": seq,
            "ts": now,
            "action": event.action,
            "actor": event.actor.model_dump(),
            "targetType": event.targetType,
            "targetId": event.targetId,
            "outcome": event.outcome,
            "metadata": event.metadata,
            "prevHash": prev,
        }
        digest = record_hash(AuditRecord.model_validate({**fields, "hash": ""}).model_dump())
        record = AuditRecord.model_validate({**fields, "hash": digest})
        records.append(record)
        prev = digest
    return records


def discovery_records(
    events: Sequence[DiscoveryEvent], *, tenant_id: str, now: datetime
) -> list[DiscoveryRecord]:
    return [
        DiscoveryRecord(id=sortable_id(), tenantId=tenant_id, ts=now, **event.model_dump())
        for event in events
    ]
