"""Edge glue shared by the ``auth`` and ``user`` handlers: service dependencies, the
caller, and the cookies of the sign-in flows (set on the response Flask is building)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from flask import Response, after_this_request

from gorunchat.contracts.documents import User
from gorunchat.edge.context import RequestContext
from gorunchat.services.caller import Caller
from gorunchat.services.identity import Client, IdentityDeps, SignedIn

REFRESH_COOKIE = "refreshToken"
REFRESH_PATH = "/api/auth"
FLOW_COOKIE = "gorunchat_oauth"
FLOW_PATH = "/oauth"
_DEVICE_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_")


def deps(ctx: RequestContext) -> IdentityDeps:
    c = ctx.container

    def import_avatar(user: User, url: str | None) -> bool:
        from gorunchat.services import files, social_avatar

        file_deps = files.FileDeps(store=c.store, blobs=c.blobs, reader=c.documents)
        return social_avatar.import_avatar(file_deps, c.settings, user, url)

    return IdentityDeps(store=c.store, settings=c.settings, jwt_secret=c.jwt_secret,
                        creds_key=c.creds_key, mailer=c.mailer, import_avatar=import_avatar)


def client(ctx: RequestContext) -> Client:
    """The request facts a sign-in records; ``X-Device-Id`` names the device if sent."""
    device = ctx.request.headers.get("X-Device-Id", "")
    if not (0 < len(device) <= 64 and set(device) <= _DEVICE_CHARS):
        device = ""
    return Client(ip=ctx.client_ip, user_agent=ctx.request.headers.get("User-Agent"),
                  device_id=device or None, request_id=ctx.request_id)


def caller(ctx: RequestContext) -> Caller:
    return Caller(principal=ctx.user, actor=ctx.actor)


def cookie(ctx: RequestContext, name: str) -> str | None:
    value = ctx.request.cookies.get(name)
    return value if value and len(value) <= 4096 else None


def on_response(change: Callable[[Response], None]) -> None:
    """Apply ``change`` to the response of this request, whatever the handler returns."""

    @after_this_request
    def _apply(response: Response) -> Response:
        change(response)
        return response


def set_refresh_cookie(signed: SignedIn) -> None:
    expires: datetime = signed.refresh_expires
    on_response(lambda r: r.set_cookie(
        REFRESH_COOKIE, signed.refresh_token, expires=expires, path=REFRESH_PATH,
        secure=True, httponly=True, samesite="Strict"))


def clear_refresh_cookie() -> None:
    on_response(lambda r: r.delete_cookie(REFRESH_COOKIE, path=REFRESH_PATH, secure=True,
                                          httponly=True, samesite="Strict"))
