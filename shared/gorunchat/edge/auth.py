"""Authenticate a request for its route's auth level.

The access token proves who the caller is; the caller's current role, ban and existence are
read from the store on every authenticated request, so a role change or a ban takes effect on
the next request and a stale token keeps no old rights.
"""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from gorunchat.contracts.errors import Forbidden, Unauthorized
from gorunchat.contracts.identity import Principal, Role
from gorunchat.contracts.routes import Auth
from gorunchat.domain.tokens import verify_access_token
from gorunchat.services import holds

if TYPE_CHECKING:
    from gorunchat.bootstrap import Container

TASK_SECRET_HEADER = "X-GoRunChat-Task-Secret"
_NEEDED = {Auth.ADMIN: Role.ADMIN, Auth.SUPER_ADMIN: Role.SUPER_ADMIN}


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def current_principal(container: Container, token: str) -> Principal:
    """Verify ``token`` and refresh the principal from the store (role, ban, existence)."""
    claimed = verify_access_token(container.jwt_secret, token)
    with container.store.unit_of_work(claimed.tenantId, readonly=True) as uow:
        user = uow.users.get(claimed.userId)
        if user is not None and claimed.sessionId:
            session = uow.sessions.get(claimed.sessionId)
            if session is None or session.revokedAt is not None:
                raise Unauthorized("This session has ended; sign in again.",
                                   code="SESSION_REVOKED")
    if user is None or holds.is_hidden(user):  # hidden: deleted by its user under a hold
        raise Unauthorized("This account no longer exists.", code="USER_NOT_FOUND")
    if user.banned:
        raise Forbidden("This account is banned.", code="USER_BANNED")
    return claimed.model_copy(update={"role": user.role, "email": user.email})


def verify_task_call(container: Container, authorization: str | None,
                     task_secret: str | None, host: str | None) -> None:
    """Admit a task call: on Google Cloud (an invoker is configured) only an OIDC token of
    the invoker service account for this function's URL; locally the shared secret."""
    verifier = container.task_verifier
    if verifier is None:
        expected = container.tasks_secret
        if not task_secret or not hmac.compare_digest(task_secret, expected):
            raise Unauthorized("Task calls must carry the task credential.",
                               code="TASK_UNAUTHORIZED")
        return
    token = bearer_token(authorization)
    if token is None:
        raise Unauthorized("Task calls must carry an OIDC token.", code="TASK_UNAUTHORIZED")
    audit = container.settings.audit
    audiences = [a for a in (audit.tasksAudience, audit.tasksUrl) if a]
    if not audiences and host:
        audiences = [f"https://{host}"]  # the function's own URL (Cloud Tasks' default)
    verifier.verify(token, audiences)


def authenticate(container: Container, level: Auth, authorization: str | None,
                 task_secret: str | None, host: str | None = None) -> Principal | None:
    """The principal for a route of ``level``; raises 401/403 as the level demands."""
    if level is Auth.TASK:
        verify_task_call(container, authorization, task_secret, host)
        return None
    token = bearer_token(authorization)
    if level is Auth.PUBLIC:
        if token is None:
            return None
        try:
            return current_principal(container, token)
        except (Unauthorized, Forbidden):
            return None  # a public route answers anonymously to a bad token
    if token is None:
        raise Unauthorized()
    principal = current_principal(container, token)
    needed = _NEEDED.get(level)
    if needed is not None and not principal.has_role(needed):
        raise Forbidden("This needs the {} role.".format(needed.value.replace("_", " ").lower()),
                        code="ROLE_REQUIRED")
    return principal
