"""Handlers of the ``user`` function: the signed-in user, preferences, terms, deletion,
email verification and favorites."""

from __future__ import annotations

from gorunchat.contracts.auth import MessageResponse
from gorunchat.contracts.plugins import PluginsUpdate, PluginsUpdateResponse
from gorunchat.contracts.user import (
    Favorite,
    FavoritesUpdate,
    OkResponse,
    PreferencesResponse,
    PreferencesUpdate,
    ResendVerificationRequest,
    TermsStatus,
    ToolFavoriteParams,
    ToolFavoriteView,
    UserView,
    VerifyEmailRequest,
)
from gorunchat.edge import identity
from gorunchat.edge.binding import validate
from gorunchat.edge.context import RequestContext
from gorunchat.edge.ratelimit import check_ban, guard
from gorunchat.edge.registry import handles
from gorunchat.services import auth_email, favorites, plugin_auth, users


@handles("user.get")
def get(ctx: RequestContext) -> UserView:
    return users.me(ctx.container.store, identity.caller(ctx))


@handles("user.preferences", body=PreferencesUpdate)
def preferences(ctx: RequestContext, body: PreferencesUpdate) -> PreferencesResponse:
    return users.update_preferences(ctx.container.store, identity.caller(ctx), body)


@handles("user.terms")
def terms(ctx: RequestContext) -> TermsStatus:
    return users.terms_status(ctx.container.store, identity.caller(ctx))


@handles("user.terms_accept")
def terms_accept(ctx: RequestContext) -> MessageResponse:
    return users.accept_terms(ctx.container.store, identity.caller(ctx))


@handles("user.delete")
def delete(ctx: RequestContext) -> MessageResponse:
    allowed = ctx.container.settings.auth.allow_account_deletion
    result = users.delete_account(ctx.container.store, identity.caller(ctx), allowed,
                                  ctx.container.blobs)
    identity.clear_refresh_cookie()
    return result


@handles("user.verify", body=VerifyEmailRequest)
def verify(ctx: RequestContext, body: VerifyEmailRequest) -> MessageResponse:
    check_ban(ctx, email=str(body.email))
    return auth_email.verify_email(identity.deps(ctx), identity.client(ctx), str(body.email),
                                   body.token)


@handles("user.verify_resend", body=ResendVerificationRequest)
def verify_resend(ctx: RequestContext, body: ResendVerificationRequest) -> MessageResponse:
    guard(ctx, "verify_email", email=str(body.email))
    return auth_email.resend_verification(identity.deps(ctx), identity.client(ctx),
                                          str(body.email))


@handles("user.favorites_get")
def favorites_get(ctx: RequestContext) -> list[Favorite]:
    return favorites.get(ctx.container.store, identity.caller(ctx))


@handles("user.favorites_set", body=FavoritesUpdate)
def favorites_set(ctx: RequestContext, body: FavoritesUpdate) -> list[Favorite]:
    return favorites.replace(ctx.container.store, identity.caller(ctx), body.favorites)


@handles("user.favorite_tools_get")
def favorite_tools_get(ctx: RequestContext) -> list[ToolFavoriteView]:
    return favorites.tools(ctx.container.store, identity.caller(ctx))


@handles("user.favorite_tool_put")
def favorite_tool_put(ctx: RequestContext) -> ToolFavoriteView:
    item = validate(ToolFavoriteParams, ctx.params)
    return favorites.add_tool(ctx.container.store, identity.caller(ctx), item)


@handles("user.favorite_tool_delete")
def favorite_tool_delete(ctx: RequestContext) -> OkResponse:
    item = validate(ToolFavoriteParams, ctx.params)
    favorites.remove_tool(ctx.container.store, identity.caller(ctx), item)
    return OkResponse()


@handles("user.plugins", body=PluginsUpdate)
def plugins(ctx: RequestContext, body: PluginsUpdate) -> PluginsUpdateResponse:
    """Install or uninstall a plugin; changed MCP credentials reconnect the caller's server."""
    c = ctx.container
    who = identity.caller(ctx)
    out = plugin_auth.update(plugin_auth.PluginDeps(c.store, c.settings, c.secretbox), who,
                             body)
    server = plugin_auth.server_of(body.pluginKey)
    if server is not None and (out.saved or out.removed):
        from gorunchat.services import tools

        tools.drop_connection(c, server, who.user_id)
    return out
