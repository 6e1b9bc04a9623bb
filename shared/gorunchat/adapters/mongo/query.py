"""Translate the port's filter subset into a MongoDB query, always scoped by tenant.

Only whitelisted operators on plain top-level field names pass, so a filter built from user
input can never smuggle in ``$where``, ``$expr`` or a dotted path. String values that look like
an ``ObjectId`` also match that ``ObjectId``, because LibreChat stores some references that way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gorunchat.adapters.mongo.codec import id_variants, to_stored
from gorunchat.contracts.errors import BadRequest

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_COMPARE = frozenset({"$lt", "$lte", "$gt", "$gte"})


def check_field(field: str) -> str:
    """``field`` if it is a plain top-level field name; ``BadRequest`` otherwise."""
    if not _FIELD.match(field):
        raise BadRequest(f"cannot filter on field {field!r}", code="INVALID_FILTER")
    return field


def _scalar(value: Any) -> Any:
    if isinstance(value, list | tuple | set | Mapping):
        raise BadRequest("cannot compare a field with a list or object", code="INVALID_FILTER")
    return value


def _equals(value: Any) -> Any:
    variants = id_variants(_scalar(value))
    return variants[0] if len(variants) == 1 else {"$in": variants}


def _values(values: Any) -> list[Any]:
    if isinstance(values, str | bytes | Mapping) or not hasattr(values, "__iter__"):
        raise BadRequest("$in and $nin take a list", code="INVALID_FILTER")
    out: list[Any] = []
    for value in values:
        out.extend(id_variants(_scalar(value)))
    return out


def _condition(cond: Any) -> Any:
    if not isinstance(cond, Mapping):
        return _equals(cond)
    out: dict[str, Any] = {}
    for op, value in cond.items():
        if op in _COMPARE:
            if value is None:
                raise BadRequest(f"{op} takes a number, string or datetime",
                                 code="INVALID_FILTER")
            out[op] = to_stored(_scalar(value))
        elif op == "$ne":
            variants = id_variants(_scalar(value))
            if len(variants) == 1:
                out["$ne"] = variants[0]
            else:
                out["$nin"] = [*out.get("$nin", []), *variants]
        elif op in ("$in", "$nin"):
            out[op] = [*out.get(op, []), *_values(value)]
        elif op == "$exists":
            out[op] = bool(value)
        else:
            raise BadRequest(f"unsupported filter operator {op!r}", code="INVALID_FILTER")
    return out


def translate(where: Mapping[str, Any]) -> dict[str, Any]:
    """The MongoDB form of a port filter (without the tenant)."""
    return {check_field(field): _condition(cond) for field, cond in where.items()}


def scoped(tenant_id: str, where: Mapping[str, Any], *extra: Mapping[str, Any]
           ) -> dict[str, Any]:
    """``where`` (and any ``extra`` raw clauses) restricted to one tenant.

    A filter that names ``tenantId`` itself is ANDed with the tenant rather than merged, so
    it can narrow the result but never widen it to another tenant.
    """
    clauses: list[Mapping[str, Any]] = [translate(where), *extra]
    clauses = [c for c in clauses if c]
    if not clauses:
        return {"tenantId": tenant_id}
    if len(clauses) == 1 and "tenantId" not in clauses[0]:
        return {**clauses[0], "tenantId": tenant_id}
    return {"$and": [{"tenantId": tenant_id}, *clauses]}


def key_filter(tenant_id: str, key_field: str, key: str) -> dict[str, Any]:
    """The filter for one document by its key (string or ``ObjectId`` form)."""
    return {"tenantId": tenant_id, key_field: _equals(key)}


def after(field: str, key_field: str, value: Any, key: Any, *, descending: bool
          ) -> dict[str, Any]:
    """Documents strictly after ``(value, key)`` in ``(field, key)`` order.

    MongoDB sorts null (and missing) before every other value and compares only values of the
    same type, so null sort values need their own branches in both directions.
    """
    op = "$lt" if descending else "$gt"
    tie = {field: None if value is None else value, key_field: {op: key}}
    if value is None:
        if descending:
            return tie
        return {"$or": [{field: {"$ne": None}}, tie]}
    beyond: list[dict[str, Any]] = [{field: {op: value}}]
    if descending:
        beyond.append({field: None})
    return {"$or": [*beyond, tie]}
