"""Retention rules: cutoffs, and which prefix of an audit chain may be removed.

Pure functions: the retention service reads records and holds, asks these what may go, and
writes the tombstones and deletes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from gorunchat.contracts.admin_audit import RetentionSettings
from gorunchat.contracts.audit import AuditRecord


def cutoff(now: datetime, days: int | None) -> datetime | None:
    """Records older than this are past retention (``None``: keep forever)."""
    return now - timedelta(days=days) if days is not None else None


def effective(defaults: RetentionSettings, override: RetentionSettings | None
              ) -> RetentionSettings:
    """The tenant's own policy when it has one, else the configured defaults."""
    return override or defaults


def prunable_prefix(records: Sequence[AuditRecord], *, before: datetime,
                    first_unprojected_seq: int | None, held_users: frozenset[str],
                    held_targets: frozenset[str]) -> list[AuditRecord]:
    """The leading records (in ``seq`` order) that may be removed.

    The chain is cut only at its start, so the walk stops at the first record that must
    stay: one not past retention, not yet projected (so not yet archived), or touching held
    data (its actor is a custodian, or its target a held user or conversation).
    """
    prefix: list[AuditRecord] = []
    for record in records:
        if record.ts >= before:
            break
        if first_unprojected_seq is not None and record.seq >= first_unprojected_seq:
            break
        if record.actor.userId in held_users or record.targetId in held_targets:
            break
        prefix.append(record)
    return prefix
