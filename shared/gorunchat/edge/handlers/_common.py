"""What every handler of the library routes needs from the request context."""

from __future__ import annotations

import logging

from gorunchat.contracts.library import RateLimit
from gorunchat.edge.context import RequestContext
from gorunchat.services import ratelimit
from gorunchat.services.caller import Caller

log = logging.getLogger("gorunchat.edge")


def caller(ctx: RequestContext) -> Caller:
    """The signed-in principal and the request facts audit records need."""
    return Caller(principal=ctx.user, actor=ctx.actor)


def limit(ctx: RequestContext, kind: str, by_ip: RateLimit, by_user: RateLimit) -> None:
    """LibreChat's IP and user limiters for ``kind``; 429 with ``Retry-After`` past them.

    Without ``REDIS_URL`` (a bare local run) there is nothing shared to count in, so the
    limits are off; an unreachable Redis is logged and lets the request through rather than
    failing every import and fork.
    """
    if not ctx.container.settings.redis_url:
        return
    import redis

    counters = ctx.container.redis
    message = f"Too many {kind} requests. Try again later."
    try:
        if ctx.client_ip:
            ratelimit.hit(counters, ratelimit.key(kind, "ip", ctx.client_ip, ctx.tenant_id),
                          by_ip, message)
        ratelimit.hit(counters, ratelimit.key(kind, "user", ctx.user.userId, ctx.tenant_id),
                      by_user, message)
    except redis.RedisError:
        log.warning("rate limit store unavailable", extra={"fields": {"kind": kind}})
