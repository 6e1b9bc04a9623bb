"""``/api/agents/tools…`` through the mounted ``agents`` function, on real MCP servers."""

from __future__ import annotations

import pytest

from gorunchat.bootstrap import Container
from tests.routes.conftest import UserFactory, mounted


def test_tools_are_listed_called_stored_and_audited(container: Container,
                                                    make_user: UserFactory) -> None:
    user, auth = make_user()
    client = mounted("agents")
    listed = client.get("/api/agents/tools", headers=auth)
    assert listed.status_code == 200, listed.get_json()
    assert "echo_mcp_fx-http" in {t["pluginKey"] for t in listed.get_json()}

    called = client.post("/api/agents/tools/whoami_mcp_fx-http/call", headers=auth,
                         json={"conversationId": "c1", "arguments": {}})
    assert called.status_code == 200, called.get_json()
    body = called.get_json()
    assert (body["result"], body["success"]) == (user.id, True)  # {{LIBRECHAT_USER_ID}} header

    stdio = client.post("/api/agents/tools/whoami_mcp_fx-stdio/call", headers=auth,
                        json={"conversationId": "c1"}).get_json()
    assert stdio["result"] == user.email  # env placeholder filled per user

    calls = client.get("/api/agents/tools/calls?conversationId=c1", headers=auth).get_json()
    assert {c["toolId"] for c in calls} == {"whoami_mcp_fx-http", "whoami_mcp_fx-stdio"}
    audit = [r for r in container.store.audit_log("default").records()
             if r.action == "tool.call"]
    assert [r.metadata["server"] for r in audit] == ["fx-http", "fx-stdio"]


def test_failing_tool_is_reported_and_audited_as_failure(container: Container,
                                                         make_user: UserFactory) -> None:
    _, auth = make_user()
    response = mounted("agents").post("/api/agents/tools/add_mcp_fx-sse/call", headers=auth,
                                      json={"conversationId": "c2",
                                            "arguments": {"a": "not a number"}})
    assert response.status_code == 200
    assert response.get_json()["success"] is False
    audit = [r for r in container.store.audit_log("default").records()
             if r.action == "tool.call"]
    assert [r.outcome for r in audit] == ["failure"]


def test_unknown_tool_key_is_404(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    response = mounted("agents").post("/api/agents/tools/no-delimiter/call", headers=auth,
                                      json={})
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "TOOL_NOT_FOUND"


def test_tool_auth_reports_no_user_input_needed(container: Container,
                                                make_user: UserFactory) -> None:
    _, auth = make_user()
    response = mounted("agents").get("/api/agents/tools/echo_mcp_fx-sse/auth", headers=auth)
    assert response.get_json() == {"authenticated": True, "message": True}


def test_admin_api_key_is_sent_with_env_filled(container: Container, make_user: UserFactory,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FX_MCP_KEY", "admin-key-1")
    _, auth = make_user()
    answer = mounted("agents").post("/api/agents/tools/auth_header_mcp_fx-http/call",
                                    headers=auth, json={"conversationId": "c3"}).get_json()
    assert answer["result"] == "Bearer admin-key-1"
