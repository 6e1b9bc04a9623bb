"""Cloud Function entry point for the web shell: pages, htmx fragments and static files.

The deployed bundle carries ``web/`` (templates and the built static files) beside this file;
in a checkout the package finds ``web/`` at the repository root.
"""

from pathlib import Path

import functions_framework
from flask import Request, Response, current_app, has_app_context, request

from gorunchat.web.function import WebFunction

_bundled = Path(__file__).resolve().parent / "web"
_app = WebFunction(_bundled if (_bundled / "templates").is_dir() else None)

if has_app_context():
    # functions-framework's own Flask app claims /static/<path> for ./static of the working
    # directory; this module runs inside that app's context, so hand /static to the web app.
    current_app.view_functions["static"] = lambda filename: _app(request)


@functions_framework.http
def handle(request: Request) -> Response:
    return _app(request)
