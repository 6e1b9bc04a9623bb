"""Cloud Function entry point for the ``roles`` routes (functions-framework, HTTP)."""

import functions_framework
from flask import Request, Response

from gorunchat.edge.function import FunctionApp

_app = FunctionApp("roles")


@functions_framework.http
def handle(request: Request) -> Response:
    return _app(request)
