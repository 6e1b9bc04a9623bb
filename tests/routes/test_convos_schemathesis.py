"""Schemathesis over the OpenAPI of the library routes: generated requests never get a 5xx.

Each operation of the ``convos``, ``messages``, ``tags`` and ``files`` functions (and
``/api/search/enable``) is called with requests generated from its schema, as a signed-in
user, against the mounted function apps on SQLite. Bounded so the run takes seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from gorunchat.bootstrap import Container
from gorunchat.openapi import openapi_document
from tests.fixtures.library import BRANCHED, seed
from tests.routes.conftest import ROOT, user_factory

GROUPS = ("convos", "messages", "tags", "files")
EXAMPLES = 12


def _library_document() -> dict[str, Any]:
    doc = openapi_document()
    paths = {}
    for path, operations in doc["paths"].items():
        kept = {m: op for m, op in operations.items()
                if op["tags"][0] in GROUPS or op["operationId"] == "config.search_enable"}
        if kept:
            paths[path] = kept
    return {**doc, "paths": paths}


def _app(group: str) -> Any:
    import functions_framework

    return functions_framework.create_app(target="handle",  # type: ignore[no-untyped-call]
                                          source=str(Path(ROOT) / "functions" / group /
                                                     "main.py"))


def _fuzz(operation: Any, app: Any, auth: dict[str, str], statuses: list[int],
          failures: list[str]) -> None:
    """Call one operation with ``EXAMPLES`` generated requests, noting every 5xx."""

    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def call(case: Any) -> None:
        response = case.call(app=app, headers=auth)
        statuses.append(response.status_code)
        if response.status_code >= 500:
            failures.append(f"{case.method} {case.formatted_path} -> "
                            f"{response.status_code}: {response.text[:200]}")

    call()


@pytest.mark.slow
def test_generated_requests_never_get_a_server_error(sqlite_container: Container) -> None:
    import schemathesis

    user, auth = user_factory(sqlite_container)()
    seed(sqlite_container, user.id, tree=BRANCHED, title="Fuzz target")
    schema = schemathesis.openapi.from_dict(_library_document())
    apps = {group: _app(group) for group in (*GROUPS, "config")}
    failures: list[str] = []
    statuses: list[int] = []
    checked = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        _fuzz(operation, apps[operation.definition.raw["tags"][0]], auth, statuses, failures)
        checked += 1
    assert checked >= 30
    assert len(statuses) >= checked * 3
    assert {s // 100 for s in statuses} >= {2, 4}  # both accepted and refused requests
    assert failures == []
