"""``/api/mcp`` driven through the mounted ``mcp`` function against real MCP servers."""

from __future__ import annotations

from typing import Any

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.audit import AuditRecord
from tests.routes.conftest import UserFactory, mounted


def _keys(tools: list[dict[str, Any]]) -> set[str]:
    return {t["pluginKey"] for t in tools}


def test_tools_lists_every_transport(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("mcp")
    response = client.get("/api/mcp/tools", headers=auth)
    assert response.status_code == 200, response.get_json()
    keys = _keys(response.get_json())
    for server in ("fx-stdio", "fx-sse", "fx-http"):
        assert {f"add_mcp_{server}", f"echo_mcp_{server}", f"whoami_mcp_{server}"} <= keys


def test_status_reports_real_state_and_reinitialize_reconnects(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("mcp")
    before = client.get("/api/mcp/connection/status/fx-sse", headers=auth).get_json()
    assert before["connectionState"] == "disconnected"
    again = client.post("/api/mcp/fx-sse/reinitialize", headers=auth)
    assert again.status_code == 200, again.get_json()
    assert again.get_json()["success"] is True
    after = client.get("/api/mcp/connection/status", headers=auth).get_json()
    assert after["connectionStatus"]["fx-sse"]["connectionState"] == "connected"
    assert after["connectionStatus"]["fx-http"]["connectionState"] == "disconnected"
    missing = client.get("/api/mcp/connection/status/nope", headers=auth)
    assert missing.status_code == 404


def test_user_server_crud_is_shared_by_acl_and_audited(
        container: Container, make_user: UserFactory, http_url: str) -> None:
    owner, auth = make_user()
    _, other = make_user()
    client = mounted("mcp")
    created = client.post("/api/mcp/servers", headers=auth,
                          json={"config": {"title": "My Tools", "type": "streamable-http",
                                           "url": http_url}})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["serverName"] == "My_Tools"
    assert client.get("/api/mcp/servers/My_Tools", headers=other).status_code == 404
    for path in ("/api/mcp/My_Tools/reinitialize", "/api/mcp/oauth/cancel/My_Tools"):
        assert client.post(path, headers=other).status_code == 404
    assert client.get("/api/mcp/My_Tools/oauth/initiate", headers=other).status_code == 404
    names = {s["serverName"] for s in client.get("/api/mcp/servers", headers=auth).get_json()}
    assert names == {"fx-stdio", "fx-sse", "fx-http", "My_Tools"}
    assert "echo_mcp_My_Tools" in _keys(client.get("/api/mcp/tools", headers=auth).get_json())
    patched = client.patch("/api/mcp/servers/My_Tools", headers=auth,
                           json={"config": {"title": "Renamed", "url": http_url}})
    assert patched.get_json()["config"]["title"] == "Renamed"
    assert client.delete("/api/mcp/servers/My_Tools", headers=other).status_code == 404
    assert client.delete("/api/mcp/servers/My_Tools", headers=auth).status_code == 200
    assert client.get("/api/mcp/servers/My_Tools", headers=auth).status_code == 404
    records: list[AuditRecord] = container.store.audit_log("default").records()
    actions = [r.action for r in records if r.action.startswith("mcp.")]
    assert actions == ["mcp.server_create", "mcp.server_update", "mcp.server_delete"]


@pytest.mark.parametrize(("config", "code"), [
    ({"command": "python", "args": ["-c", "1"]}, "MCP_TRANSPORT_NOT_ALLOWED"),
    ({"type": "stdio", "command": "sh"}, "MCP_TRANSPORT_NOT_ALLOWED"),
    ({"url": "https://example.com/${SECRET}"}, "MCP_ENV_NOT_ALLOWED"),
    ({"url": "http://169.254.169.254/mcp"}, "URL_NOT_ALLOWED"),
    ({"url": "http://10.0.0.1/mcp"}, "URL_NOT_ALLOWED"),
    ({"url": "file:///etc/passwd"}, "URL_NOT_ALLOWED"),
])
def test_user_servers_are_http_only_without_env_and_pass_the_guard(
        container: Container, make_user: UserFactory, config: dict[str, Any],
        code: str) -> None:
    _, auth = make_user()
    response = mounted("mcp").post("/api/mcp/servers", headers=auth,
                                   json={"serverName": "bad", "config": config})
    assert response.status_code in (400, 422), response.get_json()
    if response.status_code == 400:
        assert response.get_json()["error"]["code"] == code


def test_yaml_servers_are_read_only(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    response = mounted("mcp").delete("/api/mcp/servers/fx-sse", headers=auth)
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "MCP_SERVER_READ_ONLY"
