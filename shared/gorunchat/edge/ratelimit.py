"""The rate-limit hook of the sign-in routes: handlers call ``guard`` or ``check_ban`` first.

The policy lives in ``services.ratelimit``; this module only names the caller: the client
address, and the user when the request is signed in or names an account by email.
"""

from __future__ import annotations

from gorunchat.edge.context import RequestContext
from gorunchat.services import users
from gorunchat.services.auth_ratelimit import Policy, Subject


def _subject(ctx: RequestContext, email: str | None) -> Subject:
    user_id = ctx.principal.userId if ctx.principal else None
    if user_id is None and email:
        user_id = users.id_for_email(ctx.container.store, ctx.tenant_id, email)
    return Subject(tenant_id=ctx.tenant_id, ip=ctx.client_ip, user_id=user_id,
                   actor=ctx.actor)


def guard(ctx: RequestContext, policy: Policy, *, email: str | None = None) -> None:
    """403 while banned, 429 with ``Retry-After`` over ``policy``'s limit."""
    limiter = ctx.container.auth_limiter
    if limiter is not None:
        limiter.guard(policy, _subject(ctx, email))


def check_ban(ctx: RequestContext, *, email: str | None = None) -> None:
    limiter = ctx.container.auth_limiter
    if limiter is not None:
        limiter.check_ban(_subject(ctx, email))
