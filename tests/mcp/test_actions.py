"""Actions: an OpenAPI 3 spec imported for an agent becomes tools that call a real API on
loopback, with the API key sealed, the domain checked by the guard and the allow-list."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.actions import ActionDoc
from gorunchat.contracts.agents import Agent
from gorunchat.services.tools import manager_for
from tests.mcp.conftest import make_agent, make_container
from tests.routes.conftest import mounted, user_factory

SEEN: list[dict[str, Any]] = []


class _Api(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        SEEN.append({"path": self.path, "auth": self.headers.get("Authorization"),
                     "body": body})
        answer = json.dumps({"sum": body.get("a", 0) + body.get("b", 0)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args: Any) -> None:
        return


@pytest.fixture
def api() -> Iterator[int]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield httpd.server_address[1]
    httpd.shutdown()
    httpd.server_close()


def _spec(port: int, host: str = "127.0.0.1") -> str:
    return json.dumps({
        "openapi": "3.0.0", "info": {"title": "calc", "version": "1"},
        "servers": [{"url": f"http://{host}:{port}"}],
        "paths": {"/sum/{mode}": {"post": {
            "operationId": "addNumbers", "summary": "Add two numbers",
            "parameters": [{"name": "mode", "in": "path", "schema": {"type": "string"}}],
            "requestBody": {"content": {"application/json": {"schema": {
                "type": "object", "required": ["a", "b"],
                "properties": {"a": {"type": "number"}, "b": {"type": "number"}}}}}}}}},
    })


def _container(data_dir: Path, actions: dict[str, Any]) -> Iterator[Container]:
    c = make_container(data_dir, {"actions": actions})
    set_container(c)
    yield c
    set_container(None)
    manager_for(c).close()
    c.close()


@pytest.fixture
def allowed(data_dir: Path) -> Iterator[Container]:
    yield from _container(data_dir, {"allowedDomains": ["127.0.0.1"],
                                     "allowedAddresses": ["127.0.0.1"]})


@pytest.fixture
def strict(data_dir: Path) -> Iterator[Container]:
    yield from _container(data_dir, {"allowedDomains": ["api.example.com"]})


def test_spec_becomes_a_tool_that_calls_the_api_with_a_sealed_key(
        allowed: Container, api: int) -> None:
    user, auth = user_factory(allowed)()
    agent_id = make_agent(allowed, user.id)
    client = mounted("agents")
    saved = client.post(f"/api/agents/actions/{agent_id}", headers=auth, json={"metadata": {
        "raw_spec": _spec(api), "api_key": "sk-action-secret",
        "auth": {"type": "service_http", "authorization_type": "bearer"}}})
    assert saved.status_code == 200, saved.get_json()
    action = saved.get_json()
    assert action["tools"] == ["addNumbers_action_127_0_0_1"]
    assert "api_key" not in action["metadata"]
    with allowed.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.repo(ActionDoc).get(action["action_id"])
    assert stored is not None and "sk-action-secret" not in json.dumps(stored.metadata)

    SEEN.clear()
    called = client.post("/api/agents/tools/addNumbers_action_127_0_0_1/call", headers=auth,
                         json={"conversationId": "c9",
                               "arguments": {"mode": "fast", "a": 2, "b": 40}})
    assert called.get_json()["success"] is True
    assert json.loads(called.get_json()["result"]) == {"sum": 42}
    assert SEEN == [{"path": "/sum/fast", "auth": "Bearer sk-action-secret",
                     "body": {"a": 2, "b": 40}}]
    listed = client.get("/api/agents/actions", headers=auth).get_json()
    assert [a["action_id"] for a in listed] == [action["action_id"]]
    audit = [r.action for r in allowed.store.audit_log("default").records()]
    assert [a for a in audit if a.startswith(("action.", "tool."))] == ["action.save",
                                                                       "tool.call"]
    with allowed.store.unit_of_work("default", readonly=True) as uow:
        linked = uow.repo(Agent).find_one({"id": agent_id})
    assert linked is not None
    assert linked.actions == [f"127.0.0.1_action_{action['action_id']}"]
    gone = client.delete(f"/api/agents/actions/{agent_id}/{action['action_id']}", headers=auth)
    assert gone.status_code == 200
    assert client.get("/api/agents/actions", headers=auth).get_json() == []


def test_domain_outside_allowed_domains_is_refused(strict: Container, api: int) -> None:
    user, auth = user_factory(strict)()
    refused = mounted("agents").post(f"/api/agents/actions/{make_agent(strict, user.id)}",
                                     headers=auth,
                                     json={"metadata": {"raw_spec": _spec(api)}})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "URL_NOT_ALLOWED"


@pytest.mark.parametrize("host", ["169.254.169.254", "10.0.0.7", "[::1]", "localhost"])
def test_internal_action_servers_are_refused(data_dir: Path, host: str) -> None:
    for c in _container(data_dir, {}):
        user, auth = user_factory(c)()
        refused = mounted("agents").post(f"/api/agents/actions/{make_agent(c, user.id)}",
                                         headers=auth,
                                         json={"metadata": {"raw_spec": _spec(80, host)}})
        assert refused.status_code == 400, refused.get_json()
        assert refused.get_json()["error"]["code"] == "URL_NOT_ALLOWED"


def test_invalid_spec_is_a_clear_400(allowed: Container) -> None:
    _, auth = user_factory(allowed)()
    response = mounted("agents").post("/api/agents/actions/agent_1", headers=auth,
                                      json={"metadata": {"raw_spec": "swagger: '2.0'"}})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "ACTION_SPEC_INVALID"


def test_actions_need_edit_on_an_existing_agent(allowed: Container, api: int) -> None:
    owner, _ = user_factory(allowed)()
    _, stranger = user_factory(allowed)()
    agent_id = make_agent(allowed, owner.id)
    body = {"metadata": {"raw_spec": _spec(api)}}
    client = mounted("agents")
    for target in (agent_id, "agent_missing"):
        refused = client.post(f"/api/agents/actions/{target}", headers=stranger, json=body)
        assert refused.status_code == 404, refused.get_json()
        assert refused.get_json()["error"]["code"] == "AGENT_NOT_FOUND"
    with allowed.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(ActionDoc).find({}) == []
