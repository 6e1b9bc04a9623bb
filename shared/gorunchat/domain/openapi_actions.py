"""OpenAPI 3 specs as tools: one tool per operation (pure; no I/O).

An operation becomes a function the model may call: its name is the ``operationId`` (or
``method_path`` when absent), its parameters one JSON Schema object joining the path, query
and header parameters with the JSON request body's properties. Calling it rebuilds the HTTP
request from the arguments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import yaml

_METHODS = ("get", "post", "put", "patch", "delete")
_NAME = re.compile(r"[^A-Za-z0-9_-]+")


class SpecError(ValueError):
    """The text is not an OpenAPI 3 spec we can turn into tools."""


@dataclass(frozen=True)
class Operation:
    name: str
    method: str
    path: str
    description: str
    parameters: dict[str, Any]
    locations: dict[str, str] = field(default_factory=dict)  # argument → path/query/header/body


@dataclass(frozen=True)
class ActionSpec:
    server: str
    domain: str
    operations: tuple[Operation, ...]


def parse(raw: str) -> dict[str, Any]:
    """JSON or YAML text → the spec object."""
    try:
        data = json.loads(raw)
    except ValueError:
        try:
            data = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise SpecError(f"the spec is neither JSON nor YAML: {exc}") from exc
    if not isinstance(data, dict) or not str(data.get("openapi", "")).startswith("3."):
        raise SpecError("the spec must be an OpenAPI 3 document")
    return data


def _param_schema(param: dict[str, Any]) -> dict[str, Any]:
    schema = dict(param.get("schema") or {"type": "string"})
    if param.get("description"):
        schema["description"] = param["description"]
    return schema


def _operation(method: str, path: str, op: dict[str, Any]) -> Operation:
    name = _NAME.sub("_", op.get("operationId") or f"{method}_{path}").strip("_")[:64]
    props: dict[str, Any] = {}
    required: list[str] = []
    where: dict[str, str] = {}
    for param in op.get("parameters") or []:
        if not isinstance(param, dict) or param.get("in") not in ("path", "query", "header"):
            continue
        props[param["name"]] = _param_schema(param)
        where[param["name"]] = param["in"]
        if param.get("required") or param["in"] == "path":
            required.append(param["name"])
    body = (((op.get("requestBody") or {}).get("content") or {}).get("application/json")
            or {}).get("schema") or {}
    for key, schema in (body.get("properties") or {}).items():
        props[key] = schema
        where[key] = "body"
    required += [r for r in body.get("required") or [] if r in props]
    params = {"type": "object", "properties": props}
    if required:
        params["required"] = sorted(set(required))
    text = op.get("description") or op.get("summary") or f"{method.upper()} {path}"
    return Operation(name, method, path, str(text)[:1024], params, where)


def tools_of(raw: str) -> ActionSpec:
    """The server URL, its domain and one operation per path and method."""
    spec = parse(raw)
    servers = spec.get("servers") or []
    server = str(servers[0].get("url", "")) if servers and isinstance(servers[0], dict) else ""
    domain = urlsplit(server).hostname or ""
    if not domain:
        raise SpecError("the spec must name an absolute server URL (servers[0].url)")
    ops = [_operation(m, p, item[m]) for p, item in (spec.get("paths") or {}).items()
           if isinstance(item, dict) for m in _METHODS if isinstance(item.get(m), dict)]
    if not ops:
        raise SpecError("the spec has no operations")
    return ActionSpec(server.rstrip("/"), domain, tuple(ops))


def build_request(server: str, op: Operation, args: dict[str, Any]
                  ) -> tuple[str, str, dict[str, str], dict[str, Any], dict[str, Any] | None]:
    """(method, url, headers, query, json body) for calling ``op`` with ``args``."""
    path, headers, query, body = op.path, {}, {}, {}
    for key, value in args.items():
        place = op.locations.get(key)
        if place == "path":
            path = path.replace("{" + key + "}", quote(str(value), safe=""))
        elif place == "query":
            query[key] = value
        elif place == "header":
            headers[key] = str(value)
        elif place == "body":
            body[key] = value
    return op.method.upper(), server + path, headers, query, body or None
