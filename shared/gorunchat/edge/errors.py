"""The one table that maps typed errors to HTTP statuses, and the error envelope."""

from __future__ import annotations

from typing import Any

from gorunchat.contracts import errors as e

STATUS: dict[type[e.GoRunChatError], int] = {
    e.BadRequest: 400,
    e.Unauthorized: 401,
    e.Forbidden: 403,
    e.NotFound: 404,
    e.MethodNotAllowed: 405,
    e.Conflict: 409,
    e.LegalHoldActive: 409,
    e.PayloadTooLarge: 413,
    e.UnsupportedMediaType: 415,
    e.ValidationFailed: 422,
    e.RateLimited: 429,
    e.NotImplementedYet: 501,
    e.AuditUnavailable: 503,
    e.ServiceUnavailable: 503,
}


def status_for(exc: e.GoRunChatError) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 500


def envelope(exc: e.GoRunChatError, request_id: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"code": exc.code, "message": exc.message, "requestId": request_id}
    if exc.details:
        body["details"] = exc.details
    return {"error": body}


def headers_for(exc: e.GoRunChatError) -> dict[str, str]:
    if isinstance(exc, e.RateLimited):
        return {"Retry-After": str(exc.retry_after)}
    return {}


def internal_envelope(request_id: str | None) -> dict[str, Any]:
    return {"error": {"code": "INTERNAL", "message": "Something went wrong on our side.",
                      "requestId": request_id}}
