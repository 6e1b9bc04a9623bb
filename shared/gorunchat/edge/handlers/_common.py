"""What every handler of the library routes needs from the request context."""

from __future__ import annotations

from gorunchat.edge.context import RequestContext
from gorunchat.services.caller import Caller


def caller(ctx: RequestContext) -> Caller:
    """The signed-in principal and the request facts audit records need."""
    return Caller(principal=ctx.user, actor=ctx.actor)
