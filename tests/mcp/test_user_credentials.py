"""Users' own MCP credentials: ``customUserVars`` and user-entered API keys, saved through
``POST /api/user/plugins``, reported by ``GET /api/mcp/:serverName/auth-values`` and sent to
real MCP servers (the fixture echoes the headers it received)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.plugins import PluginAuth
from gorunchat.services.tools import manager_for
from tests.mcp.conftest import make_container
from tests.routes.conftest import UserFactory, mounted, user_factory


def _config(http_url: str, allowed: list[str]) -> dict[str, Any]:
    port_and_path = http_url.removeprefix("http://127.0.0.1")
    return {
        "mcpServers": {
            "fx-vars": {"type": "streamable-http", "url": http_url,
                        "headers": {"X-User": "{{TEAM}}"},
                        "customUserVars": {"TEAM": {"title": "Team name"}}},
            "fx-userkey": {"type": "streamable-http", "url": http_url,
                           "apiKey": {"source": "user", "authorization_type": "bearer"}},
            # The host comes from the user's value: it must not inherit the admin's trust.
            "fx-hostvar": {"type": "streamable-http", "url": "http://{{HOST}}" + port_and_path,
                           "customUserVars": {"HOST": {"title": "Host"}}},
        },
        "mcpSettings": {"allowedAddresses": allowed},
    }


@pytest.fixture
def creds_container(data_dir: Path, http_url: str) -> Iterator[Container]:
    c = make_container(data_dir, _config(http_url, []))
    set_container(c)
    yield c
    set_container(None)
    manager_for(c).close()
    c.close()


@pytest.fixture
def users(creds_container: Container) -> UserFactory:
    return user_factory(creds_container)


def _call(auth: dict[str, str], key: str) -> dict[str, Any]:
    response = mounted("agents").post(f"/api/agents/tools/{key}/call", headers=auth,
                                      json={"conversationId": "c1", "arguments": {}})
    assert response.status_code == 200, response.get_json()
    body: dict[str, Any] = response.get_json()
    return body


def _install(auth: dict[str, str], plugin_key: str, values: dict[str, str],
             action: str = "install") -> Any:
    return mounted("user").post("/api/user/plugins", headers=auth,
                                json={"pluginKey": plugin_key, "action": action,
                                      "auth": values})


def test_custom_user_vars_are_saved_sealed_and_reach_the_server(
        creds_container: Container, users: UserFactory) -> None:
    user, auth = users()
    mcp = mounted("mcp")
    flags = mcp.get("/api/mcp/fx-vars/auth-values", headers=auth).get_json()
    assert flags == {"success": True, "serverName": "fx-vars",
                     "authValueFlags": {"TEAM": False}}
    before = _call(auth, "whoami_mcp_fx-vars")
    assert before["success"] is False and "TEAM" in before["result"]
    assert mounted("agents").get("/api/agents/tools/whoami_mcp_fx-vars/auth",
                                 headers=auth).get_json()["authenticated"] is False

    saved = _install(auth, "mcp_fx-vars", {"TEAM": "blue-team"})
    assert saved.status_code == 200, saved.get_json()
    assert saved.get_json()["saved"] == ["TEAM"]
    assert "mcp_fx-vars" in saved.get_json()["plugins"]

    flags = mcp.get("/api/mcp/fx-vars/auth-values", headers=auth).get_json()
    assert flags["authValueFlags"] == {"TEAM": True}
    after = _call(auth, "whoami_mcp_fx-vars")
    assert (after["result"], after["success"]) == ("blue-team", True)
    assert mounted("agents").get("/api/agents/tools/whoami_mcp_fx-vars/auth",
                                 headers=auth).get_json()["authenticated"] is True
    with creds_container.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.repo(PluginAuth).find({"userId": user.id})
    assert [d.authField for d in stored] == ["TEAM"]
    assert "blue-team" not in stored[0].value
    audit = [r for r in creds_container.store.audit_log("default").records()
             if r.action == "user.plugins_update"]
    assert audit[-1].metadata["saved"] == ["TEAM"]
    assert "blue-team" not in str(audit[-1].model_dump())


def test_values_are_per_user_and_changing_them_reconnects(
        creds_container: Container, users: UserFactory) -> None:
    _, alice = users()
    _, bob = users()
    _install(alice, "mcp_fx-vars", {"TEAM": "alpha"})
    _install(bob, "mcp_fx-vars", {"TEAM": "bravo"})
    assert _call(alice, "whoami_mcp_fx-vars")["result"] == "alpha"
    assert _call(bob, "whoami_mcp_fx-vars")["result"] == "bravo"
    _install(alice, "mcp_fx-vars", {"TEAM": "alpha-2"})
    assert _call(alice, "whoami_mcp_fx-vars")["result"] == "alpha-2"


def test_user_api_key_is_sent_as_bearer(creds_container: Container,
                                        users: UserFactory) -> None:
    _, auth = users()
    flags = mounted("mcp").get("/api/mcp/fx-userkey/auth-values", headers=auth).get_json()
    assert flags["authValueFlags"] == {"MCP_API_KEY": False}
    assert _install(auth, "mcp_fx-userkey", {"MCP_API_KEY": "sk-user-1"}).status_code == 200
    assert _call(auth, "auth_header_mcp_fx-userkey")["result"] == "Bearer sk-user-1"


def test_uninstall_with_empty_auth_removes_every_value(creds_container: Container,
                                                       users: UserFactory) -> None:
    user, auth = users()
    _install(auth, "mcp_fx-vars", {"TEAM": "x"})
    gone = _install(auth, "mcp_fx-vars", {}, action="uninstall")
    assert gone.status_code == 200, gone.get_json()
    assert gone.get_json()["removed"] == ["TEAM"]
    assert "mcp_fx-vars" not in gone.get_json()["plugins"]
    flags = mounted("mcp").get("/api/mcp/fx-vars/auth-values", headers=auth).get_json()
    assert flags["authValueFlags"] == {"TEAM": False}
    assert _call(auth, "whoami_mcp_fx-vars")["success"] is False


def test_an_empty_value_clears_that_field(creds_container: Container,
                                          users: UserFactory) -> None:
    _, auth = users()
    _install(auth, "mcp_fx-vars", {"TEAM": "x"})
    cleared = _install(auth, "mcp_fx-vars", {"TEAM": "  "})
    assert cleared.get_json()["removed"] == ["TEAM"]
    flags = mounted("mcp").get("/api/mcp/fx-vars/auth-values", headers=auth).get_json()
    assert flags["authValueFlags"] == {"TEAM": False}


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"pluginKey": "mcp_fx-vars", "action": "install", "auth": {"OTHER": "x"}}, 400,
     "PLUGIN_AUTH_FIELD_UNKNOWN"),
    ({"pluginKey": "mcp_nope", "action": "install", "auth": {"TEAM": "x"}}, 404,
     "MCP_SERVER_NOT_FOUND"),
    ({"pluginKey": "dalle", "action": "install", "auth": {"KEY": "x"}}, 400,
     "PLUGIN_AUTH_NOT_SUPPORTED"),
    ({"pluginKey": "mcp_fx-vars", "action": "explode"}, 422, None),
    ({"pluginKey": "", "action": "install"}, 422, None),
    ({"pluginKey": "mcp_fx-vars", "action": "install", "auth": {"TEAM": "x" * 9000}}, 422,
     None),
    ({"pluginKey": "mcp_fx-vars", "action": "install",
      "auth": {"TEAM": "x\r\nX-Admin: yes"}}, 422, None),
])
def test_bad_plugin_updates_are_refused_and_change_nothing(
        creds_container: Container, users: UserFactory, body: dict[str, Any], status: int,
        code: str | None) -> None:
    user, auth = users()
    response = mounted("user").post("/api/user/plugins", headers=auth, json=body)
    assert response.status_code == status, response.get_json()
    if code:
        assert response.get_json()["error"]["code"] == code
    with creds_container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(PluginAuth).find({"userId": user.id}) == []
        found = uow.users.get(user.id)
    assert found is not None and found.plugins == []


def test_plugin_install_without_auth_only_records_the_plugin(
        creds_container: Container, users: UserFactory) -> None:
    _, auth = users()
    response = mounted("user").post("/api/user/plugins", headers=auth,
                                    json={"pluginKey": "web_search", "action": "install"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["plugins"] == ["web_search"]
    me = mounted("user").get("/api/user", headers=auth).get_json()
    assert me["plugins"] == ["web_search"]


def test_a_host_from_user_values_gets_no_admin_trust(creds_container: Container,
                                                     users: UserFactory) -> None:
    _, auth = users()
    _install(auth, "mcp_fx-hostvar", {"HOST": "127.0.0.1"})
    called = _call(auth, "echo_mcp_fx-hostvar")
    assert called["success"] is False
    assert "loopback address" in called["result"]


def test_saving_credentials_fails_closed_when_audit_is_down(creds_container: Container,
                                                            users: UserFactory) -> None:
    from tests.fixtures.spine import fail_audit_writes

    user, auth = users()
    fail_audit_writes(creds_container)
    refused = _install(auth, "mcp_fx-vars", {"TEAM": "never-kept"})
    assert refused.status_code == 503
    assert refused.get_json()["error"]["code"] == "AUDIT_UNAVAILABLE"
    with creds_container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(PluginAuth).find({"userId": user.id}) == []
        found = uow.users.get(user.id)
    assert found is not None and found.plugins == []


def test_installed_plugins_are_bounded(creds_container: Container, users: UserFactory,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from gorunchat.services import plugin_auth

    monkeypatch.setattr(plugin_auth, "MAX_PLUGINS", 2)
    _, auth = users()
    client = mounted("user")
    for key in ("a", "b", "b"):
        assert client.post("/api/user/plugins", headers=auth,
                           json={"pluginKey": key, "action": "install"}).status_code == 200
    refused = client.post("/api/user/plugins", headers=auth,
                          json={"pluginKey": "c", "action": "install"})
    assert refused.status_code == 400
    assert refused.get_json()["error"]["code"] == "PLUGINS_LIMIT"
    assert client.get("/api/user", headers=auth).get_json()["plugins"] == ["a", "b"]
