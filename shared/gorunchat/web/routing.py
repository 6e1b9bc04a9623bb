"""Bind the web function's views to the route table.

Every view is registered by its route id (``web.chat``, ``web.ui_rename``...): its method,
path and auth level come from ``contracts.routes``, so the table the load balancer and the
gateway use is also what the web function serves, and the auth level a fragment demands is
the one written there.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from gorunchat.contracts.routes import WEB, Route, routes_for

if TYPE_CHECKING:
    from flask import Flask

View = Callable[..., Any]
VIEWS: dict[str, View] = {}


def view(route_id: str) -> Callable[[View], View]:
    """Register ``fn`` as the view of the web route ``route_id``."""

    def register(fn: View) -> View:
        VIEWS[route_id] = fn
        return fn

    return register


def web_routes() -> dict[str, Route]:
    return {r.id: r for r in routes_for(WEB)}


def flask_rule(route: Route) -> str:
    """The werkzeug rule; a static asset path may hold slashes (``dist/chat.js``)."""
    rule = route.werkzeug_rule
    return rule.replace("<asset>", "<path:asset>")


def register_views(app: Flask) -> None:
    """Add a URL rule for every web route; a route without a view is a programming error."""
    routes = web_routes()
    missing = sorted(set(routes) - set(VIEWS))
    if missing:
        raise RuntimeError(f"web routes without a view: {missing}")
    for route_id, route in routes.items():
        app.add_url_rule(flask_rule(route), endpoint=route_id, view_func=VIEWS[route_id],
                         methods=[route.method], strict_slashes=False)
