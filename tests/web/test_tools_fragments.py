"""The Tools settings panel (/ui/settings/tools): every MCP server with its state, the
user's own values (custom variables, their API key) saved and forgotten through
``POST /api/user/plugins``, and their own servers added and deleted — all through the API
in-process, so its validation and audit apply."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from flask.testing import FlaskClient

from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.settings import Settings
from gorunchat.services.tools import manager_for
from tests.web.conftest import Maker, csrf

CONFIG = {
    "mcpServers": {
        "fx-vars": {"type": "streamable-http", "url": "http://127.0.0.1:9/mcp",
                    "title": "Team tools", "headers": {"X-User": "{{TEAM}}"},
                    "customUserVars": {"TEAM": {"title": "Team name",
                                                "description": "Your team's short name"}}},
        "fx-userkey": {"type": "streamable-http", "url": "http://127.0.0.1:9/mcp",
                       "apiKey": {"source": "user", "authorization_type": "bearer"}},
        "fx-oauth": {"type": "streamable-http", "url": "http://127.0.0.1:9/mcp",
                     "requiresOAuth": True},
    },
}


@pytest.fixture
def container(data_dir: Path) -> Iterator[Container]:
    path = data_dir / "gorunchat.yaml"
    path.write_text(yaml.safe_dump(CONFIG))
    env = {"GORUNCHAT_DATA_DIR": str(data_dir), "JWT_SECRET": "web-secret-" + "w" * 40,
           "GORUNCHAT_TASKS_SECRET": "task-secret-for-tests", "GORUNCHAT_ENV": "test",
           "GORUNCHAT_CONFIG": str(path)}
    c = Container(Settings.load(env=env, cwd=data_dir))
    set_container(c)
    yield c
    set_container(None)
    manager_for(c).close()
    c.close()


def _post(web: FlaskClient, path: str, bearer: str, data: dict[str, str]) -> object:
    token = csrf(web)
    return web.post(path, data=data, headers={"Authorization": bearer, "X-CSRF-Token": token,
                                              "Origin": "http://localhost"})


def _item(html: str, name: str) -> str:
    match = re.search(rf'<li class="mcp-server" data-mcp-server="{name}">(.*?)</li>', html,
                      re.S)
    assert match is not None, html
    return match.group(1)


def test_the_panel_needs_a_signed_in_caller(web: FlaskClient) -> None:
    assert web.get("/ui/settings/tools").status_code == 401


def test_the_panel_lists_each_server_with_what_it_needs(web: FlaskClient,
                                                       make_user: Maker) -> None:
    _, bearer = make_user()
    html = web.get("/ui/settings/tools", headers={"Authorization": bearer}).text
    team = _item(html, "fx-vars")
    assert "Team tools" in team and "Needs your values" in team and "Not connected" in team
    assert 'name="var.TEAM" type="password"' in team
    assert "Team name" in team and "Your team&#39;s short name" in team
    assert ">not set<" in team and "Forget" not in team
    assert 'hx-post="/ui/settings/tools/fx-vars/values"' in team
    key = _item(html, "fx-userkey")
    assert 'name="var.MCP_API_KEY"' in key and "API key" in key
    oauth = _item(html, "fx-oauth")
    assert "Sign-in needed" in oauth
    assert 'data-mcp-sign-in="fx-oauth"' in oauth and 'data-mcp-sign-out="fx-oauth"' in oauth
    assert 'data-mcp-reconnect="fx-oauth"' in oauth and "var." not in oauth
    assert "Delete" not in html  # no server of the user's own yet
    assert 'hx-post="/ui/settings/tools/servers"' in html
    assert "127.0.0.1:9" not in html  # an admin's server address is not shown


def test_values_are_saved_shown_as_set_and_forgotten(web: FlaskClient, make_user: Maker,
                                                    container: Container) -> None:
    _, bearer = make_user()
    empty = _post(web, "/ui/settings/tools/fx-vars/values", bearer, {"var.TEAM": "  "})
    assert empty.status_code == 422  # type: ignore[attr-defined]
    assert 'class="toast toast-error"' in empty.text  # type: ignore[attr-defined]

    saved = _post(web, "/ui/settings/tools/fx-vars/values", bearer, {"var.TEAM": "blue-team"})
    assert saved.status_code == 200  # type: ignore[attr-defined]
    team = _item(saved.text, "fx-vars")  # type: ignore[attr-defined]
    assert "Your values for fx-vars were saved." in saved.text  # type: ignore[attr-defined]
    assert ">set<" in team and "Needs your values" not in team and "Forget" in team
    assert "blue-team" not in saved.text  # type: ignore[attr-defined]
    audit = [r for r in container.store.audit_log("default").records()
             if r.action == "user.plugins_update"]
    assert audit and audit[-1].metadata["saved"] == ["TEAM"]

    forgotten = _post(web, "/ui/settings/tools/fx-vars/forget", bearer, {})
    assert forgotten.status_code == 200  # type: ignore[attr-defined]
    assert ">not set<" in _item(forgotten.text, "fx-vars")  # type: ignore[attr-defined]


def test_own_servers_are_added_and_deleted_and_errors_are_toasts(
        web: FlaskClient, make_user: Maker) -> None:
    _, bearer = make_user()
    _, other = make_user()
    added = _post(web, "/ui/settings/tools/servers", bearer, {
        "title": "My tools", "url": "https://mcp.example.com/mcp", "type": "sse"})
    assert added.status_code == 200, added.text  # type: ignore[attr-defined]
    mine = _item(added.text, "My_tools")  # type: ignore[attr-defined]
    assert "Yours" in mine and "https://mcp.example.com/mcp" in mine
    assert 'hx-post="/ui/settings/tools/My_tools/delete"' in mine
    assert "My_tools" not in web.get("/ui/settings/tools", headers={"Authorization": other}).text

    refused = _post(web, "/ui/settings/tools/My_tools/delete", other, {})
    assert refused.status_code == 404  # type: ignore[attr-defined]
    assert 'class="toast toast-error"' in refused.text  # type: ignore[attr-defined]
    stdio = _post(web, "/ui/settings/tools/servers", bearer, {
        "title": "Bad", "url": "https://x.example.com", "type": "stdio"})
    assert stdio.status_code == 422  # type: ignore[attr-defined]
    taken = _post(web, "/ui/settings/tools/servers", bearer, {
        "title": "fx-vars", "url": "https://mcp.example.com/mcp", "type": "sse"})
    assert taken.status_code >= 400  # type: ignore[attr-defined]
    assert 'class="toast toast-error"' in taken.text  # type: ignore[attr-defined]

    gone = _post(web, "/ui/settings/tools/My_tools/delete", bearer, {})
    assert gone.status_code == 200  # type: ignore[attr-defined]
    assert "The server My_tools was removed." in gone.text  # type: ignore[attr-defined]
    assert 'data-mcp-server="My_tools"' not in gone.text  # type: ignore[attr-defined]
