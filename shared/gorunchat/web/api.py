"""Call the JSON API in-process, as the signed-in browser would over HTTP.

The web function renders a fragment by calling the same API route the browser could call,
through that route's own function dispatcher (``edge.function.FunctionApp``), with the
caller's ``Authorization`` header, address and request id. Authentication, role checks,
DTO binding, rate limits and audit records are therefore exactly the API's: the web
function holds no data access of its own and cannot widen what a caller may do.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from gorunchat.contracts.errors import GoRunChatError
from gorunchat.contracts.routes import STREAMING, WEB, group_for_path

if TYPE_CHECKING:
    from flask import Flask, Request

_FORWARDED = ("Authorization", "User-Agent", "X-Request-Id", "X-Forwarded-For",
              "X-Cloud-Trace-Context", "Accept-Language")
_apps: dict[str, Flask] = {}
_lock = threading.Lock()


class ApiError(GoRunChatError):
    """An API answer of 4xx/5xx, carrying the API's own status, code and message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message, code=code)
        self.status = status


@dataclass(frozen=True)
class ApiAnswer:
    status: int
    body: Any
    content_type: str


def _group_app(group: str) -> Flask:
    """A WSGI app around ``FunctionApp(group)``: what functions-framework builds in Cloud."""
    with _lock:
        app = _apps.get(group)
        if app is None:
            from flask import Flask
            from flask import request as current

            from gorunchat.edge.function import FunctionApp

            dispatcher = FunctionApp(group)
            app = Flask(f"gorunchat-api-{group}")
            methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
            app.add_url_rule("/", "api", lambda **_: dispatcher(current), methods=methods)
            app.add_url_rule("/<path:rest>", "api_path", lambda **_: dispatcher(current),
                             methods=methods)
            _apps[group] = app
    return app


class Api:
    """The API as seen by the browser request ``forward`` (its token, address, id)."""

    def __init__(self, forward: Request) -> None:
        self.forward = forward

    def _headers(self) -> dict[str, str]:
        return {h: v for h in _FORWARDED if (v := self.forward.headers.get(h)) is not None}

    def call(self, method: str, path: str, *, body: Any = None,
             query: dict[str, Any] | None = None) -> ApiAnswer:
        """The API's answer to ``method path``; raises ``ApiError`` for 4xx/5xx."""
        from werkzeug.test import EnvironBuilder, run_wsgi_app

        group = group_for_path(path)
        if group is None or group in (STREAMING, WEB):
            raise ValueError(f"{path} is not a function route")
        builder = EnvironBuilder(
            path=path, method=method, headers=list(self._headers().items()),
            query_string={k: v for k, v in (query or {}).items() if v not in (None, "")},
            data=None if body is None else json.dumps(body),
            content_type=None if body is None else "application/json",
            environ_base={"REMOTE_ADDR": self.forward.remote_addr or "127.0.0.1"})
        try:
            environ = builder.get_environ()
        finally:
            builder.close()
        chunks, status, headers = run_wsgi_app(_group_app(group), environ)
        raw = b"".join(chunks)
        code = int(status.split(" ", 1)[0])
        content_type = headers.get("Content-Type", "")
        parsed: Any = raw
        if content_type.startswith("application/json") and raw:
            parsed = json.loads(raw)
        if code >= 400:
            raise _error(code, parsed)
        return ApiAnswer(code, parsed, content_type)

    def get(self, path: str, **query: Any) -> Any:
        return self.call("GET", path, query=query).body

    def send(self, method: str, path: str, body: Any = None) -> Any:
        return self.call(method, path, body=body).body


def _error(status: int, parsed: Any) -> ApiError:
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if isinstance(error, dict):
        message = str(error.get("message") or "The request failed.")
        details = error.get("details")
        if isinstance(details, list) and details and isinstance(details[0], dict):
            field = details[0].get("field")
            message = f"{message} ({field}: {details[0].get('message')})"
        return ApiError(status, str(error.get("code") or "ERROR"), message)
    return ApiError(status, "ERROR", "The request failed.")
