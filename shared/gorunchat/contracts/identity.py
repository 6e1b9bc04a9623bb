"""Who is calling: the principal the edge derives from a verified access token."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Role(StrEnum):
    USER = "USER"
    ADMIN = "ADMIN"
    SUPER_ADMIN = "SUPER_ADMIN"


ROLE_RANK = {Role.USER: 0, Role.ADMIN: 1, Role.SUPER_ADMIN: 2}


class Principal(BaseModel):
    """The signed-in caller. ``role`` is read from the store on each request, not the token."""

    model_config = ConfigDict(frozen=True)

    userId: str
    tenantId: str
    role: str = Role.USER
    sessionId: str | None = None
    email: str | None = None

    def has_role(self, needed: Role) -> bool:
        try:
            mine = ROLE_RANK[Role(self.role)]
        except ValueError:
            mine = 0
        return mine >= ROLE_RANK[needed]


class AccessClaims(BaseModel):
    """Claims of the short-lived access JWT (HS256)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    sub: str
    id: str
    tid: str
    role: str = Role.USER
    sid: str | None = None
    email: str | None = None
    iat: int
    exp: int
    typ: str = "access"
