"""Translate the port's filter subset into SQL over the document table."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from gorunchat.adapters.collections import CollectionSpec
from gorunchat.adapters.sqlite.codec import encode_value
from gorunchat.adapters.sqlite.schema import column
from gorunchat.contracts.errors import BadRequest

_FIELD = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_COMPARE = {"$lt": "<", "$lte": "<=", "$gt": ">", "$gte": ">="}


def field_sql(spec: CollectionSpec, field: str) -> str:
    """The SQL expression for a top-level document field."""
    if not _FIELD.match(field):
        raise BadRequest(f"cannot filter on field {field!r}", code="INVALID_FILTER")
    if field == spec.key:
        return "id"
    if field in spec.indexed:
        return column(field)
    return f"json_extract(doc, '$.{field}')"


def _equals(spec: CollectionSpec, field: str, value: Any, params: list[Any]) -> str:
    expr = field_sql(spec, field)
    if value is None:
        return f"{expr} IS NULL"
    if isinstance(value, list | tuple | Mapping):
        raise BadRequest("cannot compare a field with a list or object", code="INVALID_FILTER")
    if field in spec.arrays:
        params.extend([encode_value(value), encode_value(value)])
        return (
            f"(EXISTS (SELECT 1 FROM json_each(doc, '$.{field}') WHERE value = ?) "
            f"OR {expr} = ?)"
        )
    params.append(encode_value(value))
    return f"{expr} = ?"


def _values(values: Any) -> list[Any]:
    if isinstance(values, str | bytes | Mapping) or not hasattr(values, "__iter__"):
        raise BadRequest("$in and $nin take a list", code="INVALID_FILTER")
    return list(values)


def _condition(spec: CollectionSpec, field: str, cond: Any, params: list[Any]) -> str:
    if not isinstance(cond, Mapping):
        return _equals(spec, field, cond, params)
    parts: list[str] = []
    expr = field_sql(spec, field)
    for op, value in cond.items():
        if op in _COMPARE:
            if value is None or isinstance(value, list | tuple | Mapping):
                raise BadRequest(f"{op} takes a number, string or datetime",
                                 code="INVALID_FILTER")
            parts.append(f"{expr} {_COMPARE[op]} ?")
            params.append(encode_value(value))
        elif op == "$ne":
            # COALESCE: as in MongoDB, a null or absent field is "not equal" to a value.
            parts.append(f"NOT COALESCE({_equals(spec, field, value, params)}, 0)"
                         if value is not None else f"{expr} IS NOT NULL")
        elif op in ("$in", "$nin"):
            values = _values(value)
            if not values:
                parts.append("0" if op == "$in" else "1")
                continue
            ors = " OR ".join(_equals(spec, field, v, params) for v in values)
            parts.append(f"({ors})" if op == "$in" else f"NOT COALESCE(({ors}), 0)")
        elif op == "$exists":
            # As in MongoDB: a field stored as null exists; only an absent one does not.
            present = "1" if field == spec.key else f"json_type(doc, '$.{field}') IS NOT NULL"
            parts.append(present if value else f"NOT ({present})")
        else:
            raise BadRequest(f"unsupported filter operator {op!r}", code="INVALID_FILTER")
    return " AND ".join(parts) if parts else "1"


def where_sql(spec: CollectionSpec, where: Mapping[str, Any]) -> tuple[str, list[Any]]:
    """``(sql, params)`` for the tenant-less part of a filter (the caller adds the tenant)."""
    params: list[Any] = []
    parts = [_condition(spec, f, c, params) for f, c in where.items()]
    return (" AND ".join(parts) if parts else "1"), params


def order_sql(spec: CollectionSpec, sort: list[tuple[str, int]] | tuple[tuple[str, int], ...]
              ) -> str:
    if not sort:
        return ""
    terms = [f"{field_sql(spec, f)} {'DESC' if d < 0 else 'ASC'}" for f, d in sort]
    return " ORDER BY " + ", ".join(terms)
