"""The ``web`` Cloud Function's dispatcher: hand each request to the web Flask app.

functions-framework gives the entry point a Flask request; the web app is a whole Flask app
with its own URL rules, so the request's WSGI environ is dispatched into it. The app is
built on the first request (no I/O at import, per the house rules for cold starts).
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask, Request, Response

    from gorunchat.bootstrap import Container


#: Forms of the web shell are small; anything larger is refused before it is read twice.
MAX_BODY_BYTES = 256 * 1024


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
        """Dispatch into the web app with its own copy of the (bounded) body.

        functions-framework reads the body again after the response, so the web app gets a
        fresh input stream over the bytes read here instead of consuming the shared one.
        """
        from flask import Response

        app = self.app
        if (request.content_length or 0) > MAX_BODY_BYTES:
            return Response("Request body too large.", status=413, mimetype="text/plain")
        data = request.get_data(cache=True)[: MAX_BODY_BYTES + 1]
        if len(data) > MAX_BODY_BYTES:
            return Response("Request body too large.", status=413, mimetype="text/plain")
        environ = dict(request.environ)
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        with app.request_context(environ):
            return app.full_dispatch_request()
