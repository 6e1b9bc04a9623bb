"""The one exception tree of GoRunChat, and the error envelope a client sees.

Services raise these typed errors; the edge maps each class to one HTTP status in one table
(``gorunchat.edge.errors``). Every error carries a stable machine code (``CONVERSATION_NOT_FOUND``)
and a sentence a person can read. Driver errors are translated at the adapter boundary with
``raise ... from exc`` so that nothing below a service leaks into a response.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class ErrorBody(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    message: str
    requestId: str | None = None
    details: list[dict[str, Any]] | None = None


class ErrorEnvelope(BaseModel):
    """``{"error": {"code", "message", "requestId"}}``: the body of every non-2xx answer."""

    model_config = ConfigDict(frozen=True)

    error: ErrorBody


class GoRunChatError(Exception):
    """Base of every error a service may raise on purpose."""

    default_code = "INTERNAL"
    default_message = "Something went wrong."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: list[dict[str, Any]] | None = None,
    ) -> None:
        self.code = code or self.default_code
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)


class BadRequest(GoRunChatError):
    default_code = "BAD_REQUEST"
    default_message = "The request is not valid."


class ValidationFailed(GoRunChatError):
    default_code = "VALIDATION_FAILED"
    default_message = "The request body does not match what this route expects."


class PayloadTooLarge(GoRunChatError):
    default_code = "PAYLOAD_TOO_LARGE"
    default_message = "The request body is too large."


class UnsupportedMediaType(GoRunChatError):
    default_code = "UNSUPPORTED_MEDIA_TYPE"
    default_message = "This route expects a different content type."


class Unauthorized(GoRunChatError):
    default_code = "UNAUTHORIZED"
    default_message = "Sign in to continue."


class Forbidden(GoRunChatError):
    default_code = "FORBIDDEN"
    default_message = "You do not have permission to do this."


class NotFound(GoRunChatError):
    default_code = "NOT_FOUND"
    default_message = "Not found."


class MethodNotAllowed(GoRunChatError):
    default_code = "METHOD_NOT_ALLOWED"
    default_message = "This method is not allowed on this route."


class Conflict(GoRunChatError):
    default_code = "CONFLICT"
    default_message = "The request conflicts with the current state."


class LegalHoldActive(Conflict):
    """A legal hold covers the data this request would destroy; nothing was changed."""

    default_code = "LEGAL_HOLD_ACTIVE"
    default_message = "A legal hold preserves this data, so it cannot be deleted."


class RateLimited(GoRunChatError):
    default_code = "RATE_LIMITED"
    default_message = "Too many requests; try again later."

    def __init__(self, message: str | None = None, *, retry_after: int = 60,
                 code: str | None = None) -> None:
        super().__init__(message, code=code)
        self.retry_after = retry_after


class AuditUnavailable(GoRunChatError):
    """The audit or discovery records could not be written, so nothing was written."""

    default_code = "AUDIT_UNAVAILABLE"
    default_message = "The change was not saved because the audit log is unavailable."


class ServiceUnavailable(GoRunChatError):
    default_code = "SERVICE_UNAVAILABLE"
    default_message = "A service this request needs is unavailable; try again shortly."


class NotImplementedYet(GoRunChatError):
    """A route that is in the table (LibreChat parity) but is not served by this release."""

    default_code = "NOT_IMPLEMENTED"
    default_message = "This route is part of the API but is not available in this release."
