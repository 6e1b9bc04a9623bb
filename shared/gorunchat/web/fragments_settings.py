"""Settings fragments: sessions and devices, API keys (BYOK), balance, archived chats, 2FA.

Sign-out of every device and the 2FA enrolment run in the page (``islands/settings.js``)
against ``/api/auth/*`` directly, because they change the refresh cookie; everything here is
read or changed through the API in-process with the caller's token.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, render_template, request

from gorunchat.contracts.errors import ValidationFailed
from gorunchat.web.api import Api, ApiError
from gorunchat.web.routing import view

PANELS = ("sessions", "keys", "balance", "archived", "twofa")


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


def panel_context(api: Api, panel: str) -> dict[str, Any]:
    if panel == "sessions":
        return {"sessions": api.get("/api/auth/sessions")}
    if panel == "keys":
        return {"keys": _keys(api)}
    if panel == "balance":
        return {"balance": _balance(api)}
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
