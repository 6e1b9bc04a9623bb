"""The load balancer's URL map covers exactly the route table (gorunchat.infra)."""

from __future__ import annotations

import json
import re

import pytest

from gorunchat.contracts.routes import WEB, group_for_path, route_table
from gorunchat.infra import owning_prefix, render_tfvars, resolve, terraform_routes
from tests.infra.hcl import MODULES, TERRAFORM, first, load_module

COMMITTED = TERRAFORM / "routes.auto.tfvars.json"


def concrete(path: str) -> str:
    """A request path for a route: every ``:param`` replaced by a sample value."""
    return re.sub(r":[A-Za-z_][A-Za-z0-9_]*", "x-1", path)


@pytest.fixture(scope="module")
def routes() -> dict[str, object]:
    return terraform_routes()


def test_committed_tfvars_is_fresh() -> None:
    assert COMMITTED.read_text(encoding="utf-8") == render_tfvars(), (
        "terraform/routes.auto.tfvars.json is stale: run "
        "python -c \"from gorunchat.infra import write_tfvars; write_tfvars('terraform')\""
    )


def test_generation_is_deterministic() -> None:
    assert render_tfvars() == render_tfvars()
    assert json.loads(render_tfvars()) == {"routes": terraform_routes()}


@pytest.mark.parametrize("route", route_table(), ids=lambda r: f"{r.method} {r.path}")
def test_every_route_reaches_its_target(route: object, routes: dict[str, object]) -> None:
    assert resolve(routes, concrete(route.path)) == route.group  # type: ignore[attr-defined]


def test_backends_are_exactly_the_route_targets_and_the_web_default(
    routes: dict[str, object],
) -> None:
    targets = {r.group for r in route_table()}
    rule_backends = {rule["backend"] for rule in routes["rules"]}  # type: ignore[index]
    assert rule_backends == targets
    assert routes["default_backend"] == WEB
    assert set(routes["backends"]) == targets | {WEB}  # type: ignore[arg-type]


def test_every_rule_is_used_by_some_route(routes: dict[str, object]) -> None:
    used = {owning_prefix(r) for r in route_table()}
    assert {rule["full_path"] for rule in routes["rules"]} == used  # type: ignore[index]


def test_longer_prefixes_win_over_shorter_ones(routes: dict[str, object]) -> None:
    rules = sorted(routes["rules"], key=lambda r: r["priority"])  # type: ignore[index]
    priorities = [rule["priority"] for rule in rules]
    assert len(set(priorities)) == len(priorities)
    depth = [rule["full_path"].count("/") for rule in rules]
    assert depth == sorted(depth, reverse=True)
    chat, agents = (
        next(r["priority"] for r in rules if r["full_path"] == p)
        for p in ("/api/agents/chat", "/api/agents")
    )
    assert chat < agents


@pytest.mark.parametrize(
    ("path", "backend"),
    [
        ("/api/agents/chat", "streaming-service"),
        ("/api/agents/chat/stream/abc", "streaming-service"),
        ("/api/agents/chatbot", "agents"),  # a sibling of the prefix, not under it
        ("/api/agents/chat-1/versions", "agents"),
        ("/api/convos", "convos"),
        ("/api/convosx", WEB),
        ("/", WEB),
        ("/c/new", WEB),
        ("/static/app.js", WEB),
    ],
)
def test_paths_outside_the_table_follow_prefix_ownership(
    path: str, backend: str, routes: dict[str, object]
) -> None:
    assert resolve(routes, path) == backend
    owner = group_for_path(path)
    assert resolve(routes, path) == (owner or WEB)


def test_functions_are_the_route_table_groups_and_web(routes: dict[str, object]) -> None:
    function_targets = {r.group for r in route_table() if r.is_function}
    assert set(routes["functions"]) == function_targets | {WEB}  # type: ignore[arg-type]


def test_lb_module_builds_route_rules_from_the_variable() -> None:
    url_map = load_module(MODULES / "lb").resources_of("google_compute_url_map")["main"]
    matcher = first(url_map, "path_matcher")
    dynamic = matcher["dynamic"][0]["route_rules"]
    assert dynamic["for_each"] == "${var.routes.rules}"
    content = dynamic["content"][0]
    assert content["priority"] == "${route_rules.value.priority}"
    assert [m for rule in content["match_rules"] for m in rule] == [
        "full_path_match", "prefix_match"
    ]
    assert matcher["default_service"] == (
        "${google_compute_backend_service.serverless[var.routes.default_backend].id}"
    )


def test_stack_gives_every_backend_a_serverless_neg() -> None:
    stack = load_module(MODULES / "stack")
    backends = stack.module_calls["lb"]["backends"]
    # functions by name from the route table, plus the Cloud Run streaming service
    assert "var.routes.functions" in backends
    assert '"streaming-service" = {kind = "run"' in backends.replace("  ", " ")
