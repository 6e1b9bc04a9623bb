"""Settings fragments: sessions and devices, API keys (BYOK), balance, archived chats, 2FA,
and the MCP tools (servers, their state, the user's own values and servers).

Sign-out of every device and the 2FA enrolment run in the page (``islands/settings.js``)
against ``/api/auth/*`` directly, because they change the refresh cookie; so do an MCP
server's sign-in, sign-out and reconnect (``/api/mcp/*``), because the sign-in binds the
OAuth flow to this browser with a cookie. Everything here is read or changed through the API
in-process with the caller's token.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, abort, render_template, request

from gorunchat.contracts.errors import ValidationFailed
from gorunchat.web.api import Api, ApiError
from gorunchat.web.routing import view

PANELS = ("sessions", "keys", "balance", "archived", "twofa", "tools")
USER_KEY_FIELD = "MCP_API_KEY"  # the field of a user-entered MCP API key


def _render(panel: str, **context: Any) -> Response:
    html = render_template(f"fragments/settings_{panel}.html", **context)
    return Response(html, mimetype="text/html")


def _keys(api: Api) -> list[dict[str, Any]]:
    """Every endpoint whose key the user provides, with the stored key's expiry if any."""
    endpoints: dict[str, Any] = api.get("/api/endpoints")
    rows = []
    for name, info in endpoints.items():
        if not isinstance(info, dict) or not info.get("userProvide"):
            continue
        try:
            stored = api.get("/api/keys", name=name)
        except ApiError:
            stored = None
        rows.append({"name": name, "label": info.get("modelDisplayLabel") or name,
                     "stored": bool(stored), "expiresAt": (stored or {}).get("expiresAt")})
    return rows


def _balance(api: Api) -> dict[str, Any] | None:
    try:
        balance: dict[str, Any] = api.get("/api/balance")
    except ApiError as exc:
        if exc.status == 404:
            return None
        raise
    return balance


def _server_path(name: str, rest: str = "") -> str:
    return f"/api/mcp/{quote(name, safe='')}{rest}"


def _fields(api: Api, name: str, config: dict[str, Any]) -> list[dict[str, Any]]:
    """The values the user gives this server (custom variables, their own API key)."""
    variables = config.get("customUserVars") or {}
    user_key = (config.get("apiKey") or {}).get("source") == "user"
    if not variables and not user_key:
        return []
    flags = api.get(_server_path(name, "/auth-values")).get("authValueFlags") or {}
    out = []
    for field, is_set in flags.items():
        found = variables.get(field)
        meta: dict[str, Any] = found if isinstance(found, dict) else {}
        title = meta.get("title") or ("API key" if field == USER_KEY_FIELD else field)
        out.append({"name": field, "title": title, "description": meta.get("description"),
                    "set": bool(is_set)})
    return out


def _tools(api: Api) -> list[dict[str, Any]]:
    """Every MCP server the caller may use, with its connection state and their values."""
    servers: list[dict[str, Any]] = api.get("/api/mcp/servers")
    try:
        states = api.get("/api/mcp/connection/status").get("connectionStatus") or {}
    except ApiError:
        states = {}
    rows = []
    for server in sorted(servers, key=lambda s: str(s.get("serverName", "")).lower()):
        name = server["serverName"]
        config = server.get("config") or {}
        state = states.get(name) or {}
        fields = _fields(api, name, config)
        rows.append({"name": name, "title": config.get("title") or name,
                     "description": config.get("description"), "source": server.get("source"),
                     "url": config.get("url") if server.get("source") == "user" else None,
                     "state": state.get("connectionState") or "disconnected",
                     "error": state.get("error"),
                     "oauth": bool(state.get("requiresOAuth") or config.get("requiresOAuth")),
                     "fields": fields, "missing": any(not f["set"] for f in fields)})
    return rows


def panel_context(api: Api, panel: str) -> dict[str, Any]:
    if panel == "sessions":
        return {"sessions": api.get("/api/auth/sessions")}
    if panel == "keys":
        return {"keys": _keys(api)}
    if panel == "balance":
        return {"balance": _balance(api)}
    if panel == "tools":
        return {"servers": _tools(api)}
    if panel == "archived":
        page = api.get("/api/convos", limit=100, isArchived="true")
        return {"conversations": page["conversations"]}
    return {"user": api.get("/api/user")}


@view("web.ui_settings")
def settings_panel(panel: str) -> Response:
    if panel not in PANELS:
        abort(404)
    return _render(panel, **panel_context(Api(request), panel))


@view("web.ui_session_revoke")
def revoke_session(sessionId: str) -> Response:  # noqa: N803
    api = Api(request)
    api.send("DELETE", f"/api/auth/sessions/{sessionId}")
    return _render("sessions", notice="The device was signed out.",
                   **panel_context(api, "sessions"))


@view("web.ui_key_put")
def put_key() -> Response:
    name = request.form.get("name", "").strip()
    value = request.form.get("value", "")
    if not value.strip():
        raise ValidationFailed("Paste the key first.", code="KEY_REQUIRED")
    api = Api(request)
    body: dict[str, Any] = {"name": name, "value": value.strip()}
    expires = request.form.get("expiresAt", "").strip()
    if expires:
        body["expiresAt"] = f"{expires}T23:59:59Z" if len(expires) == 10 else expires
    api.send("PUT", "/api/keys", body)
    return _render("keys", notice=f"The key for {name} was saved.", **panel_context(api, "keys"))


@view("web.ui_key_delete")
def delete_key(name: str) -> Response:
    api = Api(request)
    api.send("DELETE", f"/api/keys/{name}")
    return _render("keys", notice=f"The key for {name} was removed.",
                   **panel_context(api, "keys"))


def _tools_panel(api: Api, notice: str) -> Response:
    return _render("tools", notice=notice, **panel_context(api, "tools"))


@view("web.ui_mcp_values_put")
def put_mcp_values(serverName: str) -> Response:  # noqa: N803
    values = {key.removeprefix("var."): value.strip() for key, value in request.form.items()
              if key.startswith("var.") and value.strip()}
    if not values:
        raise ValidationFailed("Fill in a value first.", code="VALUE_REQUIRED")
    api = Api(request)
    api.send("POST", "/api/user/plugins", {"pluginKey": f"mcp_{serverName}",
                                          "action": "install", "auth": values})
    return _tools_panel(api, f"Your values for {serverName} were saved.")


@view("web.ui_mcp_values_forget")
def forget_mcp_values(serverName: str) -> Response:  # noqa: N803
    api = Api(request)
    api.send("POST", "/api/user/plugins", {"pluginKey": f"mcp_{serverName}",
                                          "action": "uninstall", "auth": {}})
    return _tools_panel(api, f"Your values for {serverName} were removed.")


@view("web.ui_mcp_server_create")
def create_mcp_server() -> Response:
    title = request.form.get("title", "").strip()
    url = request.form.get("url", "").strip()
    kind = request.form.get("type", "streamable-http")
    if not title or not url:
        raise ValidationFailed("Give the server a name and a URL.", code="SERVER_REQUIRED")
    if kind not in ("streamable-http", "sse"):
        raise ValidationFailed("Choose streamable HTTP or SSE.", code="TRANSPORT_REQUIRED")
    api = Api(request)
    created = api.send("POST", "/api/mcp/servers",
                       {"config": {"title": title, "url": url, "type": kind}})
    return _tools_panel(api, f"The server {created.get('serverName', title)} was added.")


@view("web.ui_mcp_server_delete")
def delete_mcp_server(serverName: str) -> Response:  # noqa: N803
    api = Api(request)
    api.send("DELETE", f"/api/mcp/servers/{quote(serverName, safe='')}")
    return _tools_panel(api, f"The server {serverName} was removed.")
