"""The authorization matrix: every served route whose path names a resource, on both stores.

For each route in the table that has a handler and path parameters (all groups, whoever
builds them), the resource is seeded for its owner in tenant ``default`` and then asked
for by:

* a stranger in the same tenant: 404 (for admin routes, 403 from the role gate), unless
  granted, after which the answer is no longer 404;
* a user and an admin of another tenant (two admins, for admin routes): always 404,
  never 403, so an id reveals nothing;
* the owner, last: not 404, which proves the seed really addresses the resource.

Seeders and the reviewed exemptions live in ``authz_seeds``; a new route with a resource
id and neither fails ``test_every_resource_route_is_covered``.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.routes import Auth, Route, function_groups, route_table
from gorunchat.edge.registry import HANDLERS, Handler
from tests.routes import authz_seeds as seeds
from tests.routes.conftest import mounted, user_factory

_PARAM = re.compile(r":([A-Za-z_][A-Za-z0-9_]*)")


def served_resource_routes() -> list[Route]:
    for group in function_groups():
        importlib.import_module(f"gorunchat.edge.handlers.{group}")
    return [r for r in route_table()
            if r.is_function and r.id in HANDLERS and _PARAM.search(r.path)]


def _params(route: Route) -> frozenset[str]:
    return frozenset(_PARAM.findall(route.path))


def covered_routes() -> list[Route]:
    return [r for r in served_resource_routes() if r.id not in seeds.EXEMPT]


def test_every_resource_route_is_covered() -> None:
    missing = [r.id for r in covered_routes()
               if seeds.seeder_for(r.id, r.path, _params(r)) is None]
    assert missing == [], "add a seeder (or a reviewed exemption) in tests/routes/authz_seeds"


def test_exemptions_name_served_routes_with_a_reason() -> None:
    served = {r.id for r in route_table()}
    stale = [rid for rid, why in seeds.EXEMPT.items() if rid not in served or len(why) < 20]
    assert stale == []


def _sample(schema: dict[str, Any], defs: dict[str, Any]) -> Any:
    """A small valid value for a JSON schema (for bodies the seeder does not give)."""
    if "$ref" in schema:
        return _sample(defs[schema["$ref"].rsplit("/", 1)[-1]], defs)
    if "const" in schema or "enum" in schema:
        return schema.get("const", (schema.get("enum") or [None])[0])
    if "default" in schema:
        return schema["default"]
    if "anyOf" in schema:
        options = [s for s in schema["anyOf"] if s.get("type") != "null"]
        return _sample(options[0], defs) if options else None
    kind = schema.get("type")
    if kind == "object":
        return {name: _sample(sub, defs) for name, sub in schema.get("properties", {}).items()
                if name in schema.get("required", [])}
    if kind == "array":
        return [_sample(schema.get("items", {}), defs)] * schema.get("minItems", 0)
    if kind in ("integer", "number"):
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    return "m" * max(schema.get("minLength", 1), 6)


def _request(route: Route, handler: Handler, seeded: seeds.Seeded, headers: dict[str, str]
             ) -> Any:
    path = _PARAM.sub(lambda m: seeded.params[m.group(1)], route.path)
    kwargs: dict[str, Any] = {"headers": headers, "query_string": dict(seeded.query)}
    if handler.query is not None and not seeded.query:
        schema = handler.query.model_json_schema()
        kwargs["query_string"] = _sample(schema, schema.get("$defs", {}))
    if handler.body is not None:
        # The seeder's body may serve several routes: keep the fields this DTO has, and
        # fill what it requires from its schema.
        schema = handler.body.model_json_schema(by_alias=True)
        body = _sample(schema, schema.get("$defs", {}))
        if isinstance(seeded.body, dict):
            known = schema.get("properties", {})
            body.update({k: v for k, v in seeded.body.items() if k in known})
        kwargs["json"] = body
    return mounted(route.group).open(path, method=route.method, **kwargs)


def _prober_role(route: Route) -> str:
    return "SUPER_ADMIN" if route.auth is Auth.SUPER_ADMIN else "ADMIN"


@pytest.mark.parametrize("route", covered_routes(), ids=lambda r: r.id)
def test_resource_route_answers_404_to_strangers_and_other_tenants(
        container: Container, route: Route) -> None:
    make = user_factory(container)
    admin_route = route.auth in (Auth.ADMIN, Auth.SUPER_ADMIN)
    owner, owner_auth = make(role="SUPER_ADMIN" if admin_route else "USER")
    seeder = seeds.seeder_for(route.id, route.path, _params(route))
    assert seeder is not None
    seeded = seeder(container, owner)
    handler = HANDLERS[route.id]
    stranger, stranger_auth = make(role="USER")
    # Admin routes: only admins pass the role gate, so the outsiders are admins there.
    roles = [_prober_role(route), "SUPER_ADMIN"] if admin_route else ["USER", "ADMIN"]
    outsiders = [make(role=role, tenant="acme")[1] for role in roles]

    stranger_status = _request(route, handler, seeded, stranger_auth).status_code
    outsider_statuses = [_request(route, handler, seeded, h).status_code for h in outsiders]
    granted_status = None
    if seeded.grant is not None:
        seeded.grant(stranger)
        granted_status = _request(route, handler, seeded, stranger_auth).status_code
    owner_status = _request(route, handler, seeded, owner_auth).status_code

    expected, _ = seeds.STRANGER_STATUS.get(route.id, (403 if admin_route else 404, ""))
    assert stranger_status == expected
    assert outsider_statuses == [404, 404]
    if granted_status is not None:  # a role may still forbid the action (403), but it exists
        assert granted_status != 404 and granted_status < 500
    assert owner_status not in (404, 405, 501) and owner_status < 500

