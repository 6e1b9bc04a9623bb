"""Who a service acts for: the signed-in principal plus the request facts audit needs."""

from __future__ import annotations

from dataclasses import dataclass

from gorunchat.contracts.audit import Actor
from gorunchat.contracts.identity import Principal


@dataclass(frozen=True)
class Caller:
    principal: Principal
    actor: Actor

    @property
    def tenant_id(self) -> str:
        return self.principal.tenantId

    @property
    def user_id(self) -> str:
        return self.principal.userId
