"""Bind a request's JSON body and query string to DTOs: 400/413/415/422, never 500."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from gorunchat.contracts.errors import (
    BadRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)

if TYPE_CHECKING:
    from flask import Request

M = TypeVar("M", bound=BaseModel)


def _details(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"field": ".".join(str(p) for p in err["loc"]), "message": err["msg"],
         "type": err["type"]}
        for err in exc.errors(include_url=False, include_input=False)
    ]


def read_body(request: Request, limit: int) -> bytes:
    """The raw body, refusing more than ``limit`` bytes whatever Content-Length claims."""
    length = request.content_length
    if length is not None and length > limit:
        raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
    data = request.stream.read(limit + 1)
    if len(data) > limit:
        raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
    return data


def bind_json(request: Request, model: type[M], limit: int) -> M:
    """Parse a JSON body into ``model``."""
    mimetype = request.mimetype or ""
    raw = read_body(request, limit)
    if not raw.strip() and mimetype == "":
        raw = b"{}"
    elif mimetype != "application/json" and not mimetype.endswith("+json"):
        raise UnsupportedMediaType("Send the body as application/json.")
    try:
        data = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadRequest("The request body is not valid JSON.", code="MALFORMED_JSON") from exc
    return validate(model, data)


def bind_query(request: Request, model: type[M]) -> M:
    data: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        data[key] = values if len(values) > 1 else values[0]
    return validate(model, data)


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(details=_details(exc)) from exc
