"""Agent versions: the snapshot kept after each change, and LibreChat's duplicate rule.

Every agent keeps in ``versions`` its state after creation and after each update, so the
last version is the current state. An update that would leave the agent exactly as its last
version is refused (LibreChat answers 409 "Duplicate version"). Pure functions, no store.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

#: Fields that are not part of what a version compares or restores.
META_FIELDS = frozenset({"_id", "id", "createdAt", "updatedAt", "author", "updatedBy",
                         "created_at", "updated_at", "__v", "versions", "actionsHash",
                         "tenantId", "hiddenAt", "hiddenBy"})
#: Versions kept per agent; older ones are dropped so a document stays bounded.
MAX_VERSIONS = 100


def snapshot(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The versioned fields of a stored agent document."""
    return {k: v for k, v in doc.items() if k not in META_FIELDS}


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def _same(a: Any, b: Any) -> bool:
    if not a and not b:  # None, "", [], {} and false all mean "not set"
        return True
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and sorted(map(_canonical, a)) == sorted(map(_canonical, b))
    return _canonical(a) == _canonical(b)


def is_duplicate(would_be: Mapping[str, Any], last: Mapping[str, Any],
                 actions_hash: str | None) -> bool:
    """Whether ``would_be`` (the agent after the update) equals the ``last`` version."""
    if actions_hash and last.get("actionsHash") != actions_hash:
        return False
    fields = (set(would_be) | set(last)) - META_FIELDS
    return all(_same(would_be.get(f), last.get(f)) for f in fields)


def duplicate_index(versions: list[dict[str, Any]], would_be: Mapping[str, Any],
                    actions_hash: str | None) -> int | None:
    """The index of the version ``would_be`` duplicates (only the last one counts)."""
    if versions and is_duplicate(would_be, versions[-1], actions_hash):
        return len(versions) - 1
    return None


def append(versions: list[dict[str, Any]], entry: dict[str, Any]) -> list[dict[str, Any]]:
    """``versions`` with ``entry`` added, the oldest dropped past ``MAX_VERSIONS``."""
    return [*versions, entry][-MAX_VERSIONS:]


def restorable(version: Mapping[str, Any], current: Mapping[str, Any],
               defaults: Mapping[str, Any]) -> dict[str, Any]:
    """The changes that put an agent back to ``version``: its fields, and the default (or
    ``None``) for the versioned fields it did not have."""
    target = snapshot(version)
    cleared = {k: defaults.get(k) for k in snapshot(current) if k not in target}
    return {**cleared, **target}
