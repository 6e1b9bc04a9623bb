"""The local gateway: one ASGI app that mounts every deployable by the route table.

In Google Cloud the external load balancer's URL map (generated from the same table) sends
each path to its Cloud Function, the streaming service or the web function. Locally this
gateway does the same in one process: each function is loaded exactly as Cloud Functions
loads it (``functions_framework.create_app`` on ``functions/<group>/main.py``) and served
through a WSGI bridge; the streaming service's Starlette app is mounted as is.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

from gorunchat.contracts.routes import STREAMING, WEB, function_groups, group_for_path

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def repo_functions_dir() -> Path:
    """``functions/`` of the checkout this package was installed from (editable install)."""
    return Path(__file__).resolve().parents[3] / "functions"


def load_function_apps(functions_dir: Path) -> dict[str, ASGIApp]:
    """Every function group's app, loaded the way the Cloud Functions runtime loads it."""
    import functions_framework
    from a2wsgi import WSGIMiddleware

    apps: dict[str, ASGIApp] = {}
    for group in function_groups():
        source = functions_dir / group / "main.py"
        if not source.exists():
            raise FileNotFoundError(f"missing function entry point {source}")
        flask_app = functions_framework.create_app(  # type: ignore[no-untyped-call]
            target="handle", source=str(source))
        bridge: ASGIApp = WSGIMiddleware(flask_app, workers=16)  # type: ignore[assignment]
        apps[group] = bridge
    return apps


def load_web_app(functions_dir: Path) -> ASGIApp | None:
    """The web function (``functions/web/main.py``), loaded the same way; None if absent."""
    import functions_framework
    from a2wsgi import WSGIMiddleware

    source = functions_dir / WEB / "main.py"
    if not source.exists():
        return None
    flask_app = functions_framework.create_app(  # type: ignore[no-untyped-call]
        target="handle", source=str(source))
    bridge: ASGIApp = WSGIMiddleware(flask_app, workers=8)  # type: ignore[assignment]
    return bridge


class Gateway:
    """Route each request to the deployable that owns its path; 404 for unknown paths."""

    def __init__(self, apps: dict[str, ASGIApp], lifespan_app: ASGIApp | None = None) -> None:
        self.apps = apps
        self.lifespan_app = lifespan_app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            if self.lifespan_app is not None:
                await self.lifespan_app(scope, receive, send)
            else:
                await _empty_lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        group = group_for_path(scope["path"])
        app = self.apps.get(group or "") or self.apps.get(WEB)
        if app is None:
            await _not_found(send)
            return
        await app(scope, receive, send)


async def _empty_lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return


async def _not_found(send: Send) -> None:
    body = json.dumps({"error": {"code": "ROUTE_NOT_FOUND",
                                 "message": "No route matches this path.", "requestId": None}})
    await send({"type": "http.response.start", "status": 404,
                "headers": [(b"content-type", b"application/json"),
                            (b"x-content-type-options", b"nosniff")]})
    await send({"type": "http.response.body", "body": body.encode()})


def build_gateway(functions_dir: Path | None = None,
                  streaming_app: ASGIApp | None = None,
                  web_app: ASGIApp | None = None) -> Gateway:
    apps = load_function_apps(functions_dir or repo_functions_dir())
    if streaming_app is not None:
        apps[STREAMING] = streaming_app
    if web_app is not None:
        apps[WEB] = web_app
    return Gateway(apps, lifespan_app=streaming_app)
