"""HTTP glue of the streaming service: request ids, auth, body binding, JSON and error answers.

Errors use the one status table and envelope of ``gorunchat.edge.errors``. Authentication is
the functions' own (``edge.auth.current_principal``): the access token is verified and the
user's existence, ban and session are read from the store, run in a worker thread.
"""

from __future__ import annotations

import json
import logging
from typing import TypeVar

from anyio import to_thread
from pydantic import BaseModel, ValidationError
from starlette.requests import Request
from starlette.responses import Response

from gorunchat.bootstrap import Container
from gorunchat.contracts.audit import Actor
from gorunchat.contracts.errors import (
    BadRequest,
    GoRunChatError,
    PayloadTooLarge,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from gorunchat.edge.auth import bearer_token, current_principal
from gorunchat.edge.errors import envelope, headers_for, internal_envelope, status_for
from gorunchat.edge.observability import request_id
from gorunchat.services.caller import Caller

log = logging.getLogger("gorunchat.streaming.http")
M = TypeVar("M", bound=BaseModel)
_JSON_HEADERS = {"x-content-type-options": "nosniff", "cache-control": "no-store"}


def request_id_of(request: Request) -> str:
    rid: str | None = getattr(request.state, "request_id", None)
    if rid is None:
        rid = request_id(request.headers.get("x-cloud-trace-context"),
                         request.headers.get("x-request-id"))
        request.state.request_id = rid
    return rid


def client_ip(request: Request) -> str | None:
    """The peer address; behind the load balancer uvicorn's ``--proxy-headers`` sets it."""
    return request.client.host if request.client else None


async def caller_of(request: Request, container: Container) -> Caller:
    """The signed-in caller, or ``Unauthorized`` (401) / ``Forbidden`` (403)."""
    token = bearer_token(request.headers.get("authorization"))
    if token is None:
        raise Unauthorized()
    principal = await to_thread.run_sync(current_principal, container, token)
    actor = Actor(userId=principal.userId, role=principal.role,
                  ip=client_ip(request),
                  requestId=request_id_of(request))
    return Caller(principal, actor)


async def read_body(request: Request, model: type[M], limit: int) -> M:
    """The JSON body bound to ``model``: 413 past ``limit``, 415 if not JSON, 400/422 if bad."""
    content_type = request.headers.get("content-type", "")
    if content_type.split(";")[0].strip().lower() != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge()
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge()
    try:
        raw = json.loads(body or b"{}")
    except ValueError as exc:
        raise BadRequest("The body is not valid JSON.", code="INVALID_JSON") from exc
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        details = [{"loc": ".".join(str(p) for p in err["loc"]), "msg": err["msg"]}
                   for err in exc.errors(include_url=False, include_input=False)]
        raise ValidationFailed(details=details) from exc


def json_response(request: Request, model: BaseModel, status: int = 200) -> Response:
    return Response(model.model_dump_json(exclude_none=True), status_code=status,
                    media_type="application/json",
                    headers={**_JSON_HEADERS, "x-request-id": request_id_of(request)})


async def error_response(request: Request, exc: Exception) -> Response:
    """Every error a route raises, as the envelope with the status from the one table."""
    rid = request_id_of(request)
    if isinstance(exc, GoRunChatError):
        status, body, extra = status_for(exc), envelope(exc, rid), headers_for(exc)
    else:
        log.error("unhandled error", exc_info=exc, extra={"fields": {"requestId": rid}})
        status, body, extra = 500, internal_envelope(rid), {}
    return Response(json.dumps(body), status_code=status, media_type="application/json",
                    headers={**_JSON_HEADERS, **extra, "x-request-id": rid})
