"""The web function's Flask app: page shells, htmx fragments and static files.

``create_app(root)`` builds it (an app factory, so tests pass their own root and container).
Pages are public shells with no user data: the browser signs in through the JSON API and keeps
its access token in memory. Fragments under ``/ui`` are authenticated at the level the route
table names, with the same code the API uses, and render what the API answers in-process
(``gorunchat.web.api``). Unsafe requests pass the CSRF check first.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, render_template, request
from jinja2 import FileSystemLoader, select_autoescape

from gorunchat.contracts.errors import GoRunChatError
from gorunchat.contracts.routes import Auth
from gorunchat.edge import errors as error_table
from gorunchat.web import security
from gorunchat.web.assets import Assets, repo_web_root
from gorunchat.web.devices import describe_device
from gorunchat.web.routing import register_views, web_routes

if TYPE_CHECKING:
    from gorunchat.bootstrap import Container

log = logging.getLogger("gorunchat.web")


def create_app(root: Path | None = None, container: Container | None = None) -> Flask:
    """The web app serving ``root`` (``web/`` of the checkout by default)."""
    from gorunchat.web import fragments_admin, fragments_convos, fragments_settings, pages

    del fragments_admin, fragments_convos, fragments_settings, pages  # they register views
    web_root = root or repo_web_root()
    app = Flask("gorunchat.web", static_folder=None, template_folder=None)
    app.jinja_loader = FileSystemLoader(str(web_root / "templates"))
    app.jinja_options = {"autoescape": select_autoescape(default=True),
                         "trim_blocks": True, "lstrip_blocks": True}
    assets = Assets.load(web_root)
    app.extensions["gorunchat.assets"] = assets
    app.extensions["gorunchat.container"] = container
    app.jinja_env.globals.update(asset=assets.url)
    app.jinja_env.filters["device"] = describe_device
    register_views(app)
    app.add_url_rule("/", endpoint="web.root", view_func=_root_view, methods=["GET"])
    app.before_request(_authenticate)
    app.after_request(_finish)
    app.register_error_handler(GoRunChatError, _typed_error)
    app.register_error_handler(404, _not_found)
    app.register_error_handler(405, _not_found)
    return app


def _root_view() -> Any:
    from gorunchat.web.pages import chat_page

    return chat_page(None)


def _container() -> Container:
    from flask import current_app

    explicit: Container | None = current_app.extensions.get("gorunchat.container")
    if explicit is not None:
        return explicit
    from gorunchat.bootstrap import container

    return container()


def _authenticate() -> None:
    """CSRF first, then the table's auth level for this route (fragments need a token)."""
    security.check_csrf(request)
    token, fresh = security.csrf_token(request)
    g.csrf_token, g.csrf_fresh = token, fresh
    route = web_routes().get(request.endpoint or "")
    g.principal = None
    if route is None or route.auth is Auth.PUBLIC:
        return
    from gorunchat.edge.auth import authenticate

    g.principal = authenticate(_container(), route.auth, request.headers.get("Authorization"),
                               None, request.host)


def _secure() -> bool:
    return request.is_secure or request.headers.get("X-Forwarded-Proto") == "https"


def _finish(response: Response) -> Response:
    security.apply_headers(response, _secure())
    if not request.path.startswith("/static/"):
        response.headers.setdefault("Cache-Control", "no-store")
        response.headers.setdefault("Vary", "HX-Request")
    if getattr(g, "csrf_fresh", False) and response.mimetype == "text/html":
        security.set_csrf_cookie(response, g.csrf_token, _secure())
    return response


def is_fragment() -> bool:
    return request.headers.get("HX-Request") == "true" or request.path.startswith("/ui/")


def _typed_error(exc: GoRunChatError) -> Response:
    status = getattr(exc, "status", None) or error_table.status_for(exc)
    if is_fragment():
        body = render_template("fragments/toast.html", kind="error", message=exc.message,
                               code=exc.code)
        # 4xx answers are swapped into the toast region (htmx responseHandling in base.html).
        return Response(body, status=status, headers={"HX-Retarget": "#toasts",
                                                      "HX-Reswap": "beforeend"})
    if status >= 500:
        log.warning("page error", extra={"fields": {"code": exc.code}})
    body = render_template("error.html", status=status, message=exc.message, site={},
                           app_title="GoRunChat", csrf_token=getattr(g, "csrf_token", ""))
    return Response(body, status=status, mimetype="text/html")


def _not_found(exc: Exception) -> Response:
    status = getattr(exc, "code", 404) or 404
    if request.path.startswith("/api/"):
        # The load balancer sends every unowned path here; API clients get the API's envelope.
        body = json.dumps({"error": {"code": "ROUTE_NOT_FOUND" if status == 404 else
                                     "METHOD_NOT_ALLOWED", "message": "No route matches this "
                                     "path." if status == 404 else "Method not allowed.",
                                     "requestId": request.headers.get("X-Request-Id")}})
        return Response(body, status=status, mimetype="application/json")
    message = ("This page does not exist." if status == 404
               else "This method is not allowed here.")
    body = render_template("error.html", status=status, message=message, site={},
                           app_title="GoRunChat", csrf_token=getattr(g, "csrf_token", ""))
    return Response(body, status=status, mimetype="text/html")
