"""Handlers of ``/oauth/*``: redirects to the provider, callbacks, and the error page.

These answer browser navigations, so every outcome is a redirect: to the provider, to the
client (``/c/new`` signed in, ``/login/2fa`` when a second factor is due), or through
``/oauth/error`` to the client's login page with the reason.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlencode

from flask import Response
from pydantic import BaseModel, ConfigDict, Field

from gorunchat.contracts.auth import OAuthCallbackQuery, OAuthErrorQuery
from gorunchat.contracts.errors import GoRunChatError
from gorunchat.edge import identity
from gorunchat.edge.context import RequestContext
from gorunchat.edge.ratelimit import guard
from gorunchat.edge.registry import handles
from gorunchat.services import auth, oauth
from gorunchat.services.oauth import Provider

_ERROR_TYPE = re.compile(r"^[a-z_]{1,64}$")


def _redirect(url: str, code: int = 302) -> Response:
    return Response(status=code, headers={"Location": url})


def _to_error(ctx: RequestContext, error: str, message: str) -> Response:
    server = ctx.container.settings.domain_server.rstrip("/")
    query = urlencode({"error": error, "message": message[:300]})
    return _redirect(f"{server}/oauth/error?{query}", code=302)


def _start(ctx: RequestContext, provider: Provider) -> Response:
    guard(ctx, "login")
    url, flow = oauth.start(identity.deps(ctx), provider)
    response = _redirect(url, code=302)
    response.set_cookie(identity.FLOW_COOKIE, flow, max_age=600, path=identity.FLOW_PATH,
                        secure=True, httponly=True, samesite="Lax")
    return response


def _callback(ctx: RequestContext, provider: Provider, query: OAuthCallbackQuery) -> Response:
    identity.on_response(lambda r: r.delete_cookie(identity.FLOW_COOKIE,
                                                   path=identity.FLOW_PATH))
    if query.error or not query.code or not query.state:
        return _to_error(ctx, "auth_failed", query.error or "The provider sent no code.")
    try:
        guard(ctx, "login")
        result = oauth.finish(identity.deps(ctx), identity.client(ctx), provider,
                              query.code[:4096], query.state[:512],
                              identity.cookie(ctx, identity.FLOW_COOKIE))
    except GoRunChatError as exc:
        return _to_error(ctx, "auth_failed", exc.message)
    client = ctx.container.settings.domain_client.rstrip("/")
    if isinstance(result, auth.TwoFactorChallenge):
        return _redirect(f"{client}/login/2fa?" + urlencode({"tempToken": result.temp_token}),
                        code=302)
    identity.set_refresh_cookie(result)
    return _redirect(f"{client}/c/new", code=302)


@handles("auth.oauth_openid")
def openid(ctx: RequestContext) -> Response:
    return _start(ctx, "openid")


@handles("auth.oauth_google")
def google(ctx: RequestContext) -> Response:
    return _start(ctx, "google")


@handles("auth.oauth_github")
def github(ctx: RequestContext) -> Response:
    return _start(ctx, "github")


@handles("auth.oauth_openid_callback", query=OAuthCallbackQuery)
def openid_callback(ctx: RequestContext, query: OAuthCallbackQuery) -> Response:
    return _callback(ctx, "openid", query)


@handles("auth.oauth_google_callback", query=OAuthCallbackQuery)
def google_callback(ctx: RequestContext, query: OAuthCallbackQuery) -> Response:
    return _callback(ctx, "google", query)


@handles("auth.oauth_github_callback", query=OAuthCallbackQuery)
def github_callback(ctx: RequestContext, query: OAuthCallbackQuery) -> Response:
    return _callback(ctx, "github", query)


@handles("auth.oauth_error", query=OAuthErrorQuery)
def oauth_error(ctx: RequestContext, query: OAuthErrorQuery) -> Response:
    """Send the browser to the client's login page with the reason, as LibreChat does."""
    error = query.error if query.error and _ERROR_TYPE.match(query.error) else "auth_failed"
    message = (query.message or "Unknown OAuth error")[:300]
    client = ctx.container.settings.domain_client.rstrip("/")
    return _redirect(f"{client}/login?" + urlencode(
        {"redirect": "false", "error": error, "message": message}), code=302)


class OAuthSuccessQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")

    serverName: str | None = Field(default=None, max_length=128)
    action_id: str | None = Field(default=None, max_length=128)


@handles("auth.oauth_success", query=OAuthSuccessQuery)
def oauth_success(ctx: RequestContext, query: OAuthSuccessQuery) -> Response:
    """Where a tool's OAuth callback lands: a plain page saying the sign-in worked (the
    tab was opened for it; the chat retries the tool on its own)."""
    what = query.serverName or ("this action" if query.action_id else "the tool")
    body = ("<!doctype html><html lang=en><meta charset=utf-8>"
            "<meta name=viewport content='width=device-width'><title>Signed in</title>"
            f"<main><h1>Signed in to {html.escape(what)}</h1>"
            "<p>You can close this window and return to your chat.</p></main></html>")
    return Response(body, status=200, mimetype="text/html")


# SAML sign-in is registered with the rest of the ``auth`` function.
from gorunchat.edge.handlers import auth_saml as _saml_routes  # noqa: E402,F401
