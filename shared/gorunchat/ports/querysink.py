"""The query sink port: an append-only, queryable copy of audit and discovery records.

BigQuery in Google Cloud, a file-backed table locally. Inserting is idempotent by row id
(BigQuery's ``insertId``): a row whose id the sink already holds is not added again, so the
projector can replay a batch after a crash.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel

from gorunchat.contracts.audit import Actor


class SinkRow(BaseModel):
    """A row of a sink table; ``id`` is the insert id."""

    id: str
    tenantId: str


class AuditRow(SinkRow):
    """A row of the ``audit`` table (metadata as JSON text, the BigQuery JSON type)."""

    seq: int
    ts: str
    action: str
    actor: Actor
    targetType: str | None = None
    targetId: str | None = None
    outcome: str | None = None
    metadata: str
    prevHash: str
    hash: str


class DiscoveryRow(SinkRow):
    ts: str
    kind: str
    userId: str | None = None
    conversationId: str | None = None
    messageId: str | None = None
    content: str


AUDIT_TABLE = "audit"
DISCOVERY_TABLE = "discovery"


class QuerySink(Protocol):
    def ensure(self) -> None:
        """Create the dataset and tables when they do not exist (idempotent)."""

    def insert(self, table: str, rows: Sequence[SinkRow]) -> None:
        """Add ``rows`` to ``table``, skipping ids it holds; ``ServiceUnavailable`` on failure."""
