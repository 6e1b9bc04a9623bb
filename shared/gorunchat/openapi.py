"""Generated contract artifacts: JSON Schema for every DTO and the functions' OpenAPI 3.1.

``gorunchat contracts export`` writes them; ``--check`` (and a test) fails when the
committed files differ from what the code would generate.
"""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import re
import typing
from pathlib import Path
from typing import Any

from pydantic import BaseModel

import gorunchat.contracts as contracts_pkg
from gorunchat import __version__
from gorunchat.contracts.errors import ErrorEnvelope
from gorunchat.contracts.routes import Auth, function_groups, route_table

REF_TEMPLATE = "#/components/schemas/{model}"


def dto_classes() -> list[type[BaseModel]]:
    """Every pydantic model defined in ``gorunchat.contracts``, sorted by qualified name."""
    found: dict[str, type[BaseModel]] = {}
    for info in pkgutil.iter_modules(contracts_pkg.__path__):
        module = importlib.import_module(f"gorunchat.contracts.{info.name}")
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, BaseModel)
                    and obj.__module__ == module.__name__ and name.isidentifier()
                    and not name.startswith("_")
                    and not getattr(obj, "__pydantic_generic_metadata__", {}).get("parameters")):
                found[f"{info.name}.{name}"] = obj
    return [found[k] for k in sorted(found)]


def _handlers() -> dict[str, Any]:
    from gorunchat.edge.registry import HANDLERS

    for group in function_groups():
        importlib.import_module(f"gorunchat.edge.handlers.{group}")
    return HANDLERS


def _response_model(fn: Any) -> Any:
    hints = typing.get_type_hints(fn)
    return hints.get("return")


def _schema_ref(model: Any, components: dict[str, Any]) -> dict[str, Any] | None:
    args = typing.get_args(model)
    optional = type(None) in args
    if optional:
        model = next(a for a in args if a is not type(None))
    if not (inspect.isclass(model) and issubclass(model, BaseModel)):
        return None
    schema = model.model_json_schema(ref_template=REF_TEMPLATE, by_alias=True)
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    ref: dict[str, Any] = {"$ref": REF_TEMPLATE.format(model=model.__name__)}
    return {"oneOf": [ref, {"type": "null"}]} if optional else ref


def _operation(route: Any, handler: Any, components: dict[str, Any]) -> dict[str, Any]:
    params = [{"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
              for p in re.findall(r":([A-Za-z_][A-Za-z0-9_]*)", route.path)]
    if handler.query is not None:
        for name, field in handler.query.model_fields.items():
            params.append({"name": field.alias or name, "in": "query",
                           "required": field.is_required(), "schema": {"type": "string"}})
    error = {"description": "Error", "content": {"application/json": {
        "schema": {"$ref": REF_TEMPLATE.format(model="ErrorEnvelope")}}}}
    op: dict[str, Any] = {
        "operationId": route.id, "tags": [route.group], "parameters": params,
        "responses": {"default": error},
    }
    if route.auth is not Auth.PUBLIC:
        op["security"] = [{"bearerAuth": []}] if route.auth is not Auth.TASK else [
            {"taskSecret": []}]
    if handler.body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": _schema_ref(handler.body, components)}}}
    response = _schema_ref(_response_model(handler.fn), components)
    ok: dict[str, Any] = {"description": "OK"}
    if response is not None:
        ok["content"] = {"application/json": {"schema": response}}
    op["responses"][str(handler.status)] = ok
    if route.audit:
        op["x-audit-action"] = route.audit
    return op


def openapi_document() -> dict[str, Any]:
    """OpenAPI 3.1 for every function route that has a handler in this release."""
    handlers = _handlers()
    components: dict[str, Any] = {}
    _schema_ref(ErrorEnvelope, components)
    paths: dict[str, dict[str, Any]] = {}
    for route in route_table():
        handler = handlers.get(route.id)
        if not route.is_function or handler is None:
            continue
        path = re.sub(r":([A-Za-z_][A-Za-z0-9_]*)", r"{\1}", route.path)
        paths.setdefault(path, {})[route.method.lower()] = _operation(route, handler,
                                                                      components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "GoRunChat functions API", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "taskSecret": {"type": "apiKey", "in": "header",
                               "name": "X-GoRunChat-Task-Secret"},
            },
        },
    }


def artifacts() -> dict[str, str]:
    """Relative path → file content of every generated artifact."""
    files = {"openapi.json": _dump(openapi_document())}
    for cls in dto_classes():
        module = cls.__module__.rsplit(".", 1)[-1]
        files[f"jsonschema/{module}.{cls.__name__}.json"] = _dump(
            cls.model_json_schema(by_alias=True))
    return files


def _dump(value: Any) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def export(out: Path) -> list[str]:
    files = artifacts()
    for stale in set(_existing(out)) - set(files):
        (out / stale).unlink()
    for name, content in files.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")
    return sorted(files)


def check(out: Path) -> list[str]:
    """Names of generated files that are missing, different or no longer generated."""
    files = artifacts()
    stale = [n for n, c in files.items()
             if not (out / n).exists() or (out / n).read_text(encoding="utf-8") != c]
    stale += [n for n in _existing(out) if n not in files]
    return sorted(stale)


def _existing(out: Path) -> list[str]:
    if not out.exists():
        return []
    return [str(p.relative_to(out)) for p in out.rglob("*.json")]
