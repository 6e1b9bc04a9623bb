"""Access tokens: short-lived HS256 JWTs shared by the functions and the streaming service."""

from __future__ import annotations

import time

import jwt

from gorunchat.contracts.errors import Unauthorized
from gorunchat.contracts.identity import AccessClaims, Principal

ALGORITHM = "HS256"


def issue_access_token(
    secret: str, *, user_id: str, tenant_id: str, role: str, session_id: str | None,
    email: str | None = None, ttl_s: int = 900, now: float | None = None,
) -> str:
    issued = int(now if now is not None else time.time())
    claims = {
        "sub": user_id, "id": user_id, "tid": tenant_id, "role": role, "sid": session_id,
        "email": email, "iat": issued, "exp": issued + ttl_s, "typ": "access",
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def verify_access_token(secret: str, token: str) -> Principal:
    """The principal of a valid, unexpired access token; ``Unauthorized`` otherwise."""
    try:
        raw = jwt.decode(token, secret, algorithms=[ALGORITHM],
                         options={"require": ["exp", "iat", "sub"]})
        claims = AccessClaims.model_validate(raw)
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("The access token has expired.", code="TOKEN_EXPIRED") from exc
    except (jwt.InvalidTokenError, ValueError) as exc:
        raise Unauthorized("The access token is not valid.", code="TOKEN_INVALID") from exc
    if claims.typ != "access":
        raise Unauthorized("The access token is not valid.", code="TOKEN_INVALID")
    return Principal(userId=claims.sub, tenantId=claims.tid, role=claims.role,
                     sessionId=claims.sid, email=claims.email)
