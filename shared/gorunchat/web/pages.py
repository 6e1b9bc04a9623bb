"""Page shells and static files of the web function.

A page holds no user data: it is the same for every visitor, so it is safe to render without
a token. The browser signs in (``POST /api/auth/refresh`` with the httpOnly cookie) and then
loads the user's data through the API and the ``/ui`` fragments. The public startup config
(``/api/config``: title, sign-in options, terms) is read in-process and cached briefly.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from flask import Response, abort, current_app, g, render_template, request

from gorunchat.web.api import Api, ApiError
from gorunchat.web.assets import Assets
from gorunchat.web.routing import view

ADMIN_SECTIONS = ("users", "roles", "groups", "audit", "holds", "exports", "retention")
AUTH_PAGES = {"login": "Sign in", "login_2fa": "Two-step verification",
              "register": "Create your account", "forgot_password": "Reset your password",
              "reset_password": "Choose a new password"}
_CONFIG_TTL_S = 30.0


class ConfigCache:
    """The public startup config, kept a few seconds per app (one per web function)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.value: dict[str, Any] | None = None
        self.at = 0.0


def public_config() -> dict[str, Any]:
    """``GET /api/config`` as an anonymous caller, cached for a few seconds per app."""
    cache: ConfigCache = current_app.extensions.setdefault("gorunchat.config", ConfigCache())
    with cache.lock:
        if cache.value is not None and time.monotonic() - cache.at < _CONFIG_TTL_S:
            return dict(cache.value)
    try:
        anonymous = request.headers.get("Authorization") is None
        value = Api(request).get("/api/config") if anonymous else {}
    except ApiError:
        value = {}
    if value:
        with cache.lock:
            cache.value, cache.at = value, time.monotonic()
    return dict(value)


def render_page(template: str, **context: Any) -> Response:
    config = public_config()
    html = render_template(template, site=config, app_title=config.get("appTitle")
                           or "GoRunChat", csrf_token=g.csrf_token,
                           theme=_theme(), **context)
    return Response(html, mimetype="text/html")


def _theme() -> str:
    """The theme the browser chose (a plain cookie set by the page), applied before paint."""
    value = request.cookies.get("grc_theme", "system")
    return value if value in ("light", "dark", "system") else "system"


def chat_page(conversation_id: str | None) -> Response:
    return render_page("chat.html", page="chat", conversation_id=conversation_id or "")


@view("web.chat")
def chat(conversationId: str) -> Response:  # noqa: N803 - the route's parameter name
    return chat_page(None if conversationId == "new" else conversationId)


def _auth_page(mode: str) -> Response:
    return render_page("auth.html", page="auth", mode=mode, heading=AUTH_PAGES[mode])


@view("web.login")
def login() -> Response:
    return _auth_page("login")


@view("web.login_2fa")
def login_2fa() -> Response:
    return _auth_page("login_2fa")


@view("web.register")
def register() -> Response:
    return _auth_page("register")


@view("web.forgot_password")
def forgot_password() -> Response:
    return _auth_page("forgot_password")


@view("web.reset_password")
def reset_password() -> Response:
    return _auth_page("reset_password")


@view("web.settings")
def settings() -> Response:
    return render_page("settings.html", page="settings")


@view("web.admin")
def admin() -> Response:
    return render_page("admin.html", page="admin", section="users", sections=ADMIN_SECTIONS)


@view("web.admin_section")
def admin_section(section: str) -> Response:
    if section not in ADMIN_SECTIONS:
        abort(404)
    return render_page("admin.html", page="admin", section=section, sections=ADMIN_SECTIONS)


@view("web.share")
def share(shareId: str) -> Response:  # noqa: N803 - the route's parameter name
    """A shared conversation, read through the share API as this visitor.

    A page load carries no token, so without ``ALLOW_SHARED_LINKS_PUBLIC`` the API asks for
    sign-in: the page says so and the shell island signs in and loads the link itself.
    """
    shared, error, sign_in = None, "", False
    try:
        shared = Api(request).get(f"/api/share/{shareId}")
    except ApiError as exc:
        sign_in = exc.status == 401
        error = ("Sign in to view this shared conversation." if sign_in
                 else "This shared link does not exist or was removed.")
    response = render_page("share.html", page="share", shared=shared, share_error=error,
                           share_id=shareId, share_sign_in=sign_in)
    if shared is None:
        response.status_code = 401 if sign_in else 404
    return response


@view("web.static")
def static(asset: str) -> Response:
    """A static file; text assets gzip-compressed when the browser accepts it."""
    from flask import send_file

    assets: Assets = current_app.extensions["gorunchat.assets"]
    path = assets.find(asset)
    if path is None:
        abort(404)
    mimetype = assets.content_type(path)
    if assets.compressible(path) and "gzip" in request.headers.get("Accept-Encoding", ""):
        response = Response(assets.gzipped(path), mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
        response.set_etag(f"{assets.etag(path)}-gz")
        response.make_conditional(request)
    else:
        response = send_file(path, mimetype=mimetype, conditional=True, etag=True,
                             max_age=None)
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = assets.cache_control(asset)
    return response
