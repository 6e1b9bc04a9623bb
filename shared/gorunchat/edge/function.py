"""Dispatch one Cloud Function's part of the route table.

``functions/<group>/main.py`` creates a ``FunctionApp(group)`` and hands every request to it.
The app matches the request against the group's routes, authenticates it for the route's
auth level, binds the DTOs, calls the registered handler and renders its DTO, mapping every
typed error to its status in one place. A route in the table without a handler answers 501
``NOT_IMPLEMENTED``. Nothing here does I/O until the first request.
"""

from __future__ import annotations

import importlib
import json
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from gorunchat.contracts.errors import GoRunChatError, MethodNotAllowed, NotFound
from gorunchat.contracts.errors import NotImplementedYet as NotImplementedYetError
from gorunchat.contracts.routes import Route, routes_for
from gorunchat.edge import errors as error_table

if TYPE_CHECKING:
    from flask import Request, Response
    from werkzeug.routing import MapAdapter

    from gorunchat.bootstrap import Container
    from gorunchat.edge.context import RequestContext
    from gorunchat.edge.registry import Handler

# Handlers, JWT verification, metrics and logging load on the first request, not at import:
# the Cloud Functions cold start pays only for what this module needs to exist.

log = logging.getLogger("gorunchat.edge")

API_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Cross-Origin-Resource-Policy": "same-origin",
}


class FunctionApp:
    """The request dispatcher of one function group (``convos``, ``auth``...)."""

    def __init__(self, group: str, container: Container | None = None) -> None:
        self.group = group
        self._container = container
        self._adapter: MapAdapter | None = None
        self._routes: dict[str, Route] = {}
        self._lock = threading.Lock()

    @property
    def container(self) -> Container:
        if self._container is None:
            from gorunchat.bootstrap import container

            return container()
        return self._container

    def _map(self) -> MapAdapter:
        if self._adapter is None:
            with self._lock:
                if self._adapter is None:
                    self._adapter = self._build_map()
        return self._adapter

    def _build_map(self) -> MapAdapter:
        from werkzeug.routing import Map, Rule

        from gorunchat.edge.observability import configure_logging

        configure_logging()
        importlib.import_module(f"gorunchat.edge.handlers.{self.group}")
        rules = []
        for route in routes_for(self.group):
            self._routes[route.id] = route
            rules.append(Rule(route.werkzeug_rule, methods=[route.method], endpoint=route.id,
                              strict_slashes=False, merge_slashes=False))
        return Map(rules).bind("gorunchat")

    def __call__(self, request: Request) -> Response:
        from gorunchat.edge.observability import observe, request_id

        started = time.perf_counter()
        rid = request_id(request.headers.get("X-Cloud-Trace-Context"),
                         request.headers.get("X-Request-Id"))
        route_label, ctx = "unmatched", None
        try:
            if request.method == "OPTIONS":
                response = self._preflight(request)
            else:
                route, params = self._match(request)
                route_label = route.id
                ctx = self._context(request, rid, route, params)
                response = self._invoke(ctx)
        except GoRunChatError as exc:
            response = self._error(exc, rid)
        self._finish(request, response, rid)
        elapsed = time.perf_counter() - started
        observe(route_label, request.method, response.status_code, elapsed)
        self._log(request, response, rid, route_label, ctx, elapsed)
        return response

    def _match(self, request: Request) -> tuple[Route, dict[str, Any]]:
        from werkzeug.exceptions import MethodNotAllowed as WzMethod
        from werkzeug.exceptions import NotFound as WzNotFound

        try:
            route_id, params = self._map().match(request.path, method=request.method)
        except WzMethod as exc:
            raise MethodNotAllowed() from exc
        except WzNotFound as exc:
            raise NotFound("No route matches this path.", code="ROUTE_NOT_FOUND") from exc
        return self._routes[route_id], dict(params)

    def _context(self, request: Request, rid: str, route: Route, params: dict[str, Any]
                 ) -> RequestContext:
        from gorunchat.edge.auth import TASK_SECRET_HEADER, authenticate
        from gorunchat.edge.context import RequestContext

        container = self.container
        principal = authenticate(container, route.auth, request.headers.get("Authorization"),
                                 request.headers.get(TASK_SECRET_HEADER), request.host)
        return RequestContext(request=request, route=route, container=container,
                              request_id=rid,
                              client_ip=client_ip(request,
                                                  container.settings.trusted_proxy_hops),
                              params={k: str(v) for k, v in params.items()},
                              principal=principal)

    def _invoke(self, ctx: RequestContext) -> Response:
        from gorunchat.edge.binding import bind_json, bind_query
        from gorunchat.edge.registry import HANDLERS

        handler = HANDLERS.get(ctx.route.id)
        if handler is None:
            raise NotImplementedYetError(
                f"{ctx.route.method} {ctx.route.path} is not available in this release.")
        args: list[Any] = [ctx]
        limit = handler.max_body_bytes or ctx.container.settings.max_body_bytes
        if handler.body is not None:
            args.append(bind_json(ctx.request, handler.body, limit))
        if handler.query is not None:
            args.append(bind_query(ctx.request, handler.query))
        response = render(handler.fn(*args), handler)
        if ctx.route.audit and response.status_code < 400:
            from gorunchat.edge.projection import request_projection

            request_projection(ctx)  # keeps the audit projection close behind (GCP)
        return response

    def _error(self, exc: GoRunChatError, rid: str) -> Response:
        from flask import Response

        status = error_table.status_for(exc)
        body = json.dumps(error_table.envelope(exc, rid))
        return Response(body, status=status, mimetype="application/json",
                        headers=error_table.headers_for(exc))

    def _preflight(self, request: Request) -> Response:
        from flask import Response

        return Response(status=204)

    def _finish(self, request: Request, response: Response, rid: str) -> None:
        for name, value in API_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers["X-Request-Id"] = rid
        origin = request.headers.get("Origin")
        allowed = self.container.settings.cors_origins if origin else ()
        if origin and origin in allowed:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Vary"] = "Origin"
            if request.method == "OPTIONS":
                response.headers["Access-Control-Allow-Methods"] = (
                    "GET, POST, PUT, PATCH, DELETE")
                response.headers["Access-Control-Allow-Headers"] = (
                    "Authorization, Content-Type, X-Request-Id")
                response.headers["Access-Control-Max-Age"] = "600"

    def _log(self, request: Request, response: Response, rid: str, route: str,
             ctx: RequestContext | None, elapsed: float) -> None:
        principal = ctx.principal if ctx else None
        log.info("request", extra={"fields": {
            "requestId": rid, "route": route, "method": request.method,
            "status": response.status_code, "latencyMs": round(elapsed * 1000, 2),
            "tenantId": principal.tenantId if principal else None,
            "userId": principal.userId if principal else None,
        }})


def render(result: Any, handler: Handler) -> Response:
    """A handler's DTO (or ready Response) as the HTTP response."""
    from flask import Response

    if isinstance(result, Response):
        return result
    if isinstance(result, BaseModel):
        body = result.model_dump_json(by_alias=True)
    elif result is None:
        body = "null"
    elif isinstance(result, list):
        body = "[" + ",".join(
            item.model_dump_json(by_alias=True) if isinstance(item, BaseModel)
            else json.dumps(item) for item in result) + "]"
    else:
        raise TypeError(f"handler {handler.route_id} returned {type(result).__name__}")
    return Response(body, status=handler.status, mimetype="application/json")


def client_ip(request: Request, trusted_hops: int) -> str | None:
    """The caller's address: ``X-Forwarded-For`` is believed only for the trusted proxy hops.

    Each trusted proxy (the Google load balancer, the Functions front end) appends the
    address it saw, so the client is ``trusted_hops`` entries from the right; anything left
    of that is client-supplied and ignored.
    """
    forwarded = request.headers.get("X-Forwarded-For")
    if trusted_hops and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= trusted_hops:
            return hops[-trusted_hops]
    return request.remote_addr
