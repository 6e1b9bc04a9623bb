"""The streaming service's ASGI app: ``create_app`` for ``uvicorn --factory`` and the gateway.

It routes the full public paths (``/api/agents/chat...``) so that Cloud Run behind the load
balancer and the local gateway serve it unchanged, plus ``/livez`` and ``/readyz``. Creating
it does no I/O; the lifespan opens the store, starts the runtime's loops and hooks SIGTERM to
drain generations before the server stops.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gorunchat.bootstrap import Container
from gorunchat.contracts.errors import GoRunChatError, MethodNotAllowed, NotFound
from gorunchat.edge.observability import configure_logging
from gorunchat.streaming.http import error_response
from gorunchat.streaming.routes import ChatRoutes, ServiceState
from gorunchat.streaming.shutdown import install_drain_on_sigterm

CHAT = "/api/agents/chat"


def tune_gc() -> None:
    """Keep collector pauses out of the frame latency.

    Everything alive once the app has started (modules, pydantic schemas, the store) is
    frozen out of the collector's scans, and young collections run less often: a stream
    allocates many short-lived objects, and every collection of a large old generation
    stalls every stream of the process at once (seen as the p99 of the latency benchmark).
    """
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, HTTPException) else 500
    if status == 405:
        return await error_response(request, MethodNotAllowed())
    if status == 404:
        return await error_response(request, NotFound("No route matches this path.",
                                                      code="ROUTE_NOT_FOUND"))
    return await error_response(request, exc)


def create_app(container: Container | None = None) -> Starlette:
    """The streaming service. ``container`` defaults to the process's (built on first use)."""
    state = ServiceState(container)
    chat = ChatRoutes(state)

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        configure_logging()
        runtime = state.runtime
        await to_thread.run_sync(lambda: state.container.store)  # open and migrate once
        await runtime.ensure_started()
        tune_gc()
        restore = install_drain_on_sigterm(runtime)
        try:
            yield
        finally:
            restore()
            await runtime.stop()

    routes = [
        Route("/livez", chat.livez, methods=["GET"]),
        Route("/readyz", chat.readyz, methods=["GET"]),
        Route(CHAT, chat.start, methods=["POST"]),
        Route(f"{CHAT}/abort", chat.abort, methods=["POST"]),
        Route(f"{CHAT}/resume", chat.resume, methods=["POST"]),
        Route(f"{CHAT}/active", chat.active, methods=["GET"]),
        Route(f"{CHAT}/status/{{conversationId}}", chat.status, methods=["GET"]),
        Route(f"{CHAT}/stream/{{streamId}}", chat.stream, methods=["GET"]),
        Route(f"{CHAT}/{{endpoint}}", chat.start, methods=["POST"]),
    ]
    app = Starlette(routes=routes, lifespan=lifespan, exception_handlers={
        GoRunChatError: error_response, HTTPException: _http_error, Exception: error_response})
    app.state.streaming = state
    return app
