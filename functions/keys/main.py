"""Cloud Function entry point for the ``keys`` routes (functions-framework, HTTP)."""

import functions_framework
from flask import Request, Response

from gorunchat.edge.function import FunctionApp

_app = FunctionApp("keys")


@functions_framework.http
def handle(request: Request) -> Response:
    return _app(request)
