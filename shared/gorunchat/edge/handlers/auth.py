"""Handlers of the ``auth`` function: registration, sign-in, refresh, sign-out, password
reset and sessions. 2FA and social sign-in live in ``auth_twofactor`` and ``auth_oauth``."""

from __future__ import annotations

from gorunchat.contracts.auth import (
    AuthResponse,
    LoginRequest,
    LoginResponse,
    LogoutAllResponse,
    MessageResponse,
    PasswordResetRequest,
    RegisterRequest,
    ResetPasswordRequest,
    SessionInfo,
)
from gorunchat.contracts.errors import GoRunChatError, Unauthorized
from gorunchat.edge import identity
from gorunchat.edge.context import RequestContext
from gorunchat.edge.ratelimit import check_ban, guard
from gorunchat.edge.registry import handles
from gorunchat.services import auth, auth_email, sessions
from gorunchat.services.identity import SignedIn


def signed_in(signed: SignedIn) -> AuthResponse:
    identity.set_refresh_cookie(signed)
    return AuthResponse(token=signed.token, user=signed.user)


@handles("auth.register", body=RegisterRequest)
def register(ctx: RequestContext, body: RegisterRequest) -> MessageResponse:
    guard(ctx, "register", email=str(body.email))
    return auth.register(identity.deps(ctx), identity.client(ctx), body)


@handles("auth.login", body=LoginRequest)
def login(ctx: RequestContext, body: LoginRequest) -> LoginResponse:
    guard(ctx, "login", email=body.email)
    result = auth.login(identity.deps(ctx), identity.client(ctx), body)
    if isinstance(result, auth.TwoFactorChallenge):
        return LoginResponse(twoFAPending=True, tempToken=result.temp_token)
    identity.set_refresh_cookie(result)
    return LoginResponse(token=result.token, user=result.user)


@handles("auth.refresh")
def refresh(ctx: RequestContext) -> AuthResponse:
    token = identity.cookie(ctx, identity.REFRESH_COOKIE)
    if token is None:
        raise Unauthorized("No refresh token was sent; sign in.", code="REFRESH_TOKEN_MISSING")
    try:
        return signed_in(sessions.refresh(identity.deps(ctx), identity.client(ctx), token))
    except GoRunChatError:
        identity.clear_refresh_cookie()
        raise


@handles("auth.logout")
def logout(ctx: RequestContext) -> MessageResponse:
    sessions.logout(ctx.container.store, identity.caller(ctx),
                    identity.cookie(ctx, identity.REFRESH_COOKIE))
    identity.clear_refresh_cookie()
    return MessageResponse(message="Logout successful")


@handles("auth.logout_all")
def logout_all(ctx: RequestContext) -> LogoutAllResponse:
    revoked = sessions.logout_all(ctx.container.store, identity.caller(ctx))
    identity.clear_refresh_cookie()
    return LogoutAllResponse(message="Signed out of every session.", revoked=revoked)


@handles("auth.sessions_list")
def sessions_list(ctx: RequestContext) -> list[SessionInfo]:
    return sessions.list_sessions(ctx.container.store, identity.caller(ctx))


@handles("auth.session_revoke")
def session_revoke(ctx: RequestContext) -> MessageResponse:
    sessions.revoke_one(ctx.container.store, identity.caller(ctx), ctx.params["sessionId"])
    return MessageResponse(message="Session ended.")


@handles("auth.request_password_reset", body=PasswordResetRequest)
def request_password_reset(ctx: RequestContext, body: PasswordResetRequest
                           ) -> MessageResponse:
    guard(ctx, "reset_password", email=str(body.email))
    return auth_email.request_reset(identity.deps(ctx), identity.client(ctx), str(body.email))


@handles("auth.reset_password", body=ResetPasswordRequest)
def reset_password(ctx: RequestContext, body: ResetPasswordRequest) -> MessageResponse:
    check_ban(ctx)
    return auth_email.reset_password(identity.deps(ctx), identity.client(ctx), body)


# Registered for their side effect: the rest of the auth function's handlers.
from gorunchat.edge.handlers import auth_oauth, auth_twofactor  # noqa: E402, F401
