"""The ``web`` Cloud Function's dispatcher: hand each request to the web Flask app.

functions-framework gives the entry point a Flask request; the web app is a whole Flask app
with its own URL rules, so the request's WSGI environ is dispatched into it. The app is
built on the first request (no I/O at import, per the house rules for cold starts).
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask, Request, Response

    from gorunchat.bootstrap import Container


class WebFunction:
    """Lazily builds ``create_app(root)`` and dispatches requests into it."""

    def __init__(self, root: Path | None = None, container: Container | None = None) -> None:
        self.root = root
        self.container = container
        self._app: Flask | None = None
        self._lock = threading.Lock()

    @property
    def app(self) -> Flask:
        if self._app is None:
            with self._lock:
                if self._app is None:
                    from gorunchat.web.app import create_app

                    self._app = create_app(self.root, self.container)
        return self._app

    def __call__(self, request: Request) -> Response:
        app = self.app
        with app.request_context(request.environ):
            return app.full_dispatch_request()
