"""The per-request context a handler receives."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gorunchat.contracts.audit import Actor
from gorunchat.contracts.errors import Unauthorized
from gorunchat.contracts.identity import Principal
from gorunchat.contracts.routes import Route

if TYPE_CHECKING:
    from flask import Request

    from gorunchat.bootstrap import Container


@dataclass
class RequestContext:
    """What the edge knows about a request once it is routed and authenticated."""

    request: Request
    route: Route
    container: Container
    request_id: str
    client_ip: str | None
    params: dict[str, str] = field(default_factory=dict)
    principal: Principal | None = None

    @property
    def tenant_id(self) -> str:
        return self.principal.tenantId if self.principal else self.container.settings.tenant_id

    @property
    def user(self) -> Principal:
        """The signed-in principal; routes with a user auth level always have one."""
        if self.principal is None:
            raise Unauthorized()
        return self.principal

    @property
    def actor(self) -> Actor:
        p = self.principal
        return Actor(userId=p.userId if p else None, role=p.role if p else None,
                     ip=self.client_ip, requestId=self.request_id)
