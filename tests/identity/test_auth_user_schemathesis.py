"""Schemathesis over the auth and user OpenAPI, through the mounted functions: no 5xx.

Bounded (few examples per operation, generation only) so that it finishes inside
``scripts/test``; bad input must be answered 4xx, never 500.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings

from tests.identity.conftest import Identity, make_identity
from tests.routes.conftest import ROOT

DOC = json.loads((ROOT / "generated" / "openapi.json").read_text(encoding="utf-8"))
SCHEMA = schemathesis.openapi.from_dict(DOC).include(tag_regex="^(auth|user)$")


@pytest.fixture
def fuzzed(request: pytest.FixtureRequest, data_dir: Path, redis_url: str
           ) -> Iterator[tuple[Identity, dict[str, str]]]:
    for ident in make_identity(request, data_dir, redis_url):
        yield ident, ident.signed_up("fuzz@example.org")


@SCHEMA.parametrize()
@settings(max_examples=6, deadline=None, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_auth_and_user_routes_never_answer_5xx(
        case: schemathesis.Case, fuzzed: tuple[Identity, dict[str, str]]) -> None:
    ident, auth = fuzzed
    client = ident.user if case.path.startswith("/api/user") else ident.auth
    kwargs = case.as_transport_kwargs(base_url="http://localhost")
    headers = {**auth, **(kwargs.get("headers") or {})}
    response = client.open(kwargs["url"].replace("http://localhost", "", 1),
                           method=kwargs["method"], headers=headers,
                           query_string=kwargs.get("params"),
                           data=kwargs.get("data") or (json.dumps(kwargs["json"])
                                                       if "json" in kwargs else None))
    assert response.status_code < 500, (case.method, case.path, response.get_data()[:300])
