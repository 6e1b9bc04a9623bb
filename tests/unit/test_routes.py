"""The route table: unique ids, LibreChat parity, groups, audit actions."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from gorunchat.cli import main as cli_main
from gorunchat.contracts.routes import (
    MUTATING_METHODS,
    STREAMING,
    WEB,
    Auth,
    function_groups,
    group_for_path,
    route_table,
)

ROOT = Path(__file__).resolve().parents[2]
PARITY = ROOT.parent / "shared" / "parity" / "librechat-routes.tsv"


def _normalise(path: str) -> str:
    return re.sub(r":[A-Za-z_][A-Za-z0-9_]*", ":p", path)


def test_route_ids_and_method_paths_are_unique() -> None:
    routes = route_table()
    assert len({r.id for r in routes}) == len(routes)
    assert len({(r.method, _normalise(r.path)) for r in routes}) == len(routes)


@pytest.mark.skipif(not PARITY.exists(), reason="../shared/parity is not beside the checkout")
def test_every_first_scope_librechat_route_is_in_the_table() -> None:
    with PARITY.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t") if r["scope"] == "first"]
    ours = {(r.method, _normalise(r.path)) for r in route_table()}
    missing = sorted((r["method"], r["path"]) for r in rows
                     if (r["method"], _normalise(r["path"])) not in ours)
    assert len(rows) == 214
    assert missing == []


# POSTs that LibreChat uses for reads: they change nothing, so they record no audit action.
READ_ONLY_POSTS = {"files.usage", "chat.resume"}


def test_every_mutation_names_its_audit_action() -> None:
    unaudited = [r.id for r in route_table()
                 if r.method in MUTATING_METHODS and r.audit is None and r.auth is not Auth.TASK
                 and r.id not in READ_ONLY_POSTS]
    assert unaudited == []


def test_chat_routes_belong_to_the_streaming_service() -> None:
    chat = [r for r in route_table() if r.path.startswith("/api/agents/chat")]
    assert len(chat) == 7
    assert {r.target for r in chat} == {STREAMING}
    assert group_for_path("/api/agents/chatty") == "agents"


def test_groups_are_the_function_folders() -> None:
    folders = sorted(p.name for p in (ROOT / "functions").iterdir() if p.is_dir()
                     and (p / "main.py").exists())
    assert folders == sorted([*function_groups(), WEB])  # the web function serves the pages


def test_admin_routes_need_at_least_admin() -> None:
    loose = [r.id for r in route_table() if r.path.startswith("/api/admin")
             and r.auth not in (Auth.ADMIN, Auth.SUPER_ADMIN)]
    assert loose == []


def test_routes_json_prints_the_whole_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_main(["routes", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == len(route_table())
    first = rows[0]
    assert set(first) == {"id", "method", "path", "target", "auth", "audit", "summary", "group"}
    assert (first["method"], first["path"], first["target"]) == ("GET", "/health",
                                                                 "function:config")
