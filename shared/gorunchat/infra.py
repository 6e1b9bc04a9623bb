"""The load balancer's route map, generated from the route table for Terraform.

``terraform_routes()`` turns ``route_table()`` into the ``routes`` variable of
``terraform/modules/lb``: the function groups to deploy, the catch-all backend and an ordered
list of URL-map route rules. ``write_tfvars(path)`` writes it as ``routes.auto.tfvars.json``;
``gorunchat routes --terraform`` calls it and a test fails when the committed file is stale.

Why prefixes and not one template per route (docs/adr/0002-url-map-and-serverless-deployment.md):
ownership of a path is decided by its leading static segments (``group_for_path``), never by
its ``:param`` segments, so the URL map needs one rule per owning prefix. Each rule matches
the prefix itself (``full_path_match``) and everything under it (``prefix_match`` of
``prefix + "/"``), which is exactly ``group_for_path``'s test. Rules are ordered longest
prefix first, so ``/api/agents/chat/...`` reaches the streaming service before
``/api/agents/...`` reaches the agents function. Route rules are evaluated in priority order,
first match wins, on the global external Application Load Balancer (``EXTERNAL_MANAGED``).
About thirty rules stay far below the URL map size quota, where a template per route (200+)
would not, and a path the table does not name still reaches the function that owns its
prefix, which answers with the function's JSON 404 rather than the web shell's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gorunchat.contracts.routes import (
    WEB,
    Route,
    function_groups,
    group_for_path,
    route_table,
)

#: The backend for every path no rule matches: the web function (pages, ``/static/*``).
DEFAULT_TARGET = WEB

#: Priorities are spaced so a hand-made rule can be slotted in while debugging.
_PRIORITY_STEP = 10


def _static_segments(path: str) -> list[str]:
    """The leading literal segments of ``path``, up to its first ``:param``."""
    segments: list[str] = []
    for segment in path.strip("/").split("/"):
        if not segment or segment.startswith(":"):
            break
        segments.append(segment)
    return segments


def owning_prefix(route: Route) -> str:
    """The shortest static prefix of ``route.path`` that its own group owns.

    ``/api/agents/chat/stream/:streamId`` gives ``/api/agents/chat`` (``/api/agents`` belongs
    to the agents function); ``/api/convos/:conversationId`` gives ``/api/convos``.
    """
    segments = _static_segments(route.path)
    for end in range(1, len(segments) + 1):
        prefix = "/" + "/".join(segments[:end])
        if group_for_path(prefix) == route.group:
            return prefix
    raise ValueError(f"no static prefix of {route.path} is owned by {route.group}")


def _rule_order(prefix: str) -> tuple[int, str]:
    return (-prefix.count("/"), prefix)


def terraform_routes() -> dict[str, Any]:
    """The ``routes`` Terraform variable: deterministic and JSON-serializable.

    ``rules`` hold ``priority`` (lower first), ``backend`` (a function group,
    ``streaming-service`` or ``web``), ``full_path`` and ``prefix`` (``full_path + "/"``).
    """
    owners: dict[str, str] = {}
    for route in route_table():
        prefix = owning_prefix(route)
        previous = owners.setdefault(prefix, route.group)
        if previous != route.group:  # pragma: no cover - group_for_path is a function
            raise ValueError(f"{prefix} is owned by both {previous} and {route.group}")
    rules = [
        {
            "priority": (index + 1) * _PRIORITY_STEP,
            "backend": owners[prefix],
            "full_path": prefix,
            "prefix": prefix + "/",
        }
        for index, prefix in enumerate(sorted(owners, key=_rule_order))
    ]
    functions = sorted({*function_groups(), WEB})
    return {
        "default_backend": DEFAULT_TARGET,
        "functions": functions,
        "backends": sorted({*functions, *(r.group for r in route_table())}),
        "rules": rules,
    }


def resolve(routes: dict[str, Any], path: str) -> str:
    """The backend the URL map sends ``path`` to, by the load balancer's own rules.

    Route rules are tried in priority order and the first whose match rule fits wins; a
    ``full_path_match`` must equal the path, a ``prefix_match`` must start it.
    """
    for rule in sorted(routes["rules"], key=lambda r: int(r["priority"])):
        if path == rule["full_path"] or path.startswith(rule["prefix"]):
            return str(rule["backend"])
    return str(routes["default_backend"])


def render_tfvars() -> str:
    """The text of ``routes.auto.tfvars.json``: sorted keys, two-space indent, final newline."""
    return json.dumps({"routes": terraform_routes()}, indent=2, sort_keys=True) + "\n"


def write_tfvars(path: str | Path) -> Path:
    """Write ``routes.auto.tfvars.json`` to ``path`` (a file, or a directory to hold it)."""
    target = Path(path)
    if target.is_dir():
        target = target / "routes.auto.tfvars.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_tfvars(), encoding="utf-8")
    return target
