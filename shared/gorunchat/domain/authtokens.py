"""Short-lived signed tokens of the sign-in flows, and opaque refresh tokens.

* The 2FA temporary token proves the password step passed; ``verify-temp`` exchanges it,
  with a TOTP or backup code, for a session. It lives five minutes.
* The OAuth flow token carries state, nonce and PKCE verifier from ``/oauth/<provider>`` to
  its callback in an httpOnly cookie, so any function instance can finish the flow.
* Refresh tokens are random and opaque; only their SHA-256 digest is stored.

Each signed token names its purpose in ``typ``, so one can never stand in for another (or
for an access token, which is ``typ: access``).
"""

from __future__ import annotations

import hashlib
import secrets
import time
from typing import Any

import jwt
from pydantic import BaseModel, ConfigDict, ValidationError

from gorunchat.contracts.errors import Unauthorized

ALGORITHM = "HS256"
TEMP_TOKEN_TTL_S = 300
FLOW_TOKEN_TTL_S = 600


def new_refresh_token() -> str:
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """The stored form of a refresh, verification or reset token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _encode(secret: str, typ: str, ttl_s: int, claims: dict[str, Any]) -> str:
    now = int(time.time())
    return jwt.encode({**claims, "typ": typ, "iat": now, "exp": now + ttl_s}, secret,
                      algorithm=ALGORITHM)


def _decode(secret: str, token: str, typ: str) -> dict[str, Any]:
    try:
        raw: dict[str, Any] = jwt.decode(token, secret, algorithms=[ALGORITHM],
                                         options={"require": ["exp", "iat", "typ"]})
    except jwt.InvalidTokenError as exc:
        raise Unauthorized("The token is invalid or has expired.",
                           code="TOKEN_INVALID") from exc
    if raw.get("typ") != typ:
        raise Unauthorized("The token is invalid or has expired.", code="TOKEN_INVALID")
    return raw


class TempClaims(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    sub: str
    tid: str


def issue_temp_token(secret: str, *, user_id: str, tenant_id: str) -> str:
    return _encode(secret, "2fa_temp", TEMP_TOKEN_TTL_S, {"sub": user_id, "tid": tenant_id})


def verify_temp_token(secret: str, token: str) -> TempClaims:
    try:
        return TempClaims.model_validate(_decode(secret, token, "2fa_temp"))
    except ValidationError as exc:
        raise Unauthorized("The token is invalid or has expired.",
                           code="TOKEN_INVALID") from exc


class FlowState(BaseModel):
    """What the OAuth callback must check: provider, state, nonce and PKCE verifier."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    provider: str
    state: str
    nonce: str
    verifier: str


def issue_flow_token(secret: str, flow: FlowState) -> str:
    return _encode(secret, "oauth_flow", FLOW_TOKEN_TTL_S, flow.model_dump())


def verify_flow_token(secret: str, token: str) -> FlowState:
    try:
        return FlowState.model_validate(_decode(secret, token, "oauth_flow"))
    except ValidationError as exc:
        raise Unauthorized("The sign-in flow is invalid or has expired.",
                           code="OAUTH_FLOW_INVALID") from exc
