"""Handlers of the ``mcp`` function: LibreChat's ``/api/mcp`` routes.

OAuth routes live in ``edge.handlers.mcp_oauth``.
"""

from __future__ import annotations

import os

from gorunchat.contracts.mcp import (
    McpAuthValuesResponse,
    McpDeleteResponse,
    McpReinitializeResponse,
    McpServerCreate,
    McpServerOut,
    McpServerStatusResponse,
    McpServerUpdate,
    McpStatusResponse,
    McpToolOut,
)
from gorunchat.edge import identity
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.registry import handles
from gorunchat.services import mcp, mcp_oauth, plugin_auth, tools


def runtime(ctx: RequestContext) -> tools.Runtime:
    """The tool runtime of the request's container (``${VAR}`` reads the process env)."""
    c = ctx.container

    def oauth() -> mcp_oauth.OAuthDeps:
        return mcp_oauth.OAuthDeps(c.store, c.redis, c.secretbox, c.settings)

    return tools.Runtime(c.store, c.settings, tools.manager_for(c), os.environ, oauth,
                         lambda: c.secretbox)


@handles("mcp.tools")
def list_tools(ctx: RequestContext) -> list[McpToolOut]:
    return tools.list_tools(runtime(ctx), caller(ctx))


@handles("mcp.servers_list")
def servers_list(ctx: RequestContext) -> list[McpServerOut]:
    return mcp.list_servers(ctx.container.store, caller(ctx), ctx.container.settings)


@handles("mcp.server_create", body=McpServerCreate, status=201)
def server_create(ctx: RequestContext, body: McpServerCreate) -> McpServerOut:
    return mcp.create_server(ctx.container.store, caller(ctx), ctx.container.settings, body)


@handles("mcp.server_get")
def server_get(ctx: RequestContext) -> McpServerOut:
    return mcp.get_server(ctx.container.store, caller(ctx), ctx.container.settings,
                          ctx.params["serverName"])


@handles("mcp.server_update", body=McpServerUpdate)
def server_update(ctx: RequestContext, body: McpServerUpdate) -> McpServerOut:
    name = ctx.params["serverName"]
    out = mcp.update_server(ctx.container.store, caller(ctx), ctx.container.settings, name,
                            body)
    rt = runtime(ctx)
    rt.manager.loop.run(rt.manager.drop(name))
    return out


@handles("mcp.server_delete")
def server_delete(ctx: RequestContext) -> McpDeleteResponse:
    name = mcp.delete_server(ctx.container.store, caller(ctx), ctx.container.settings,
                             ctx.params["serverName"])
    rt = runtime(ctx)
    rt.manager.loop.run(rt.manager.drop(name))
    return McpDeleteResponse(serverName=name)


@handles("mcp.status")
def status(ctx: RequestContext) -> McpStatusResponse:
    return McpStatusResponse(connectionStatus=tools.status(runtime(ctx), caller(ctx)))


@handles("mcp.server_status")
def server_status(ctx: RequestContext) -> McpServerStatusResponse:
    name = ctx.params["serverName"]
    state = tools.status(runtime(ctx), caller(ctx), name)[name]
    return McpServerStatusResponse(serverName=name, connectionState=state.connectionState,
                                   requiresOAuth=state.requiresOAuth, error=state.error)


@handles("mcp.reinitialize")
def reinitialize(ctx: RequestContext) -> McpReinitializeResponse:
    answer, bind_secret = tools.reinitialize(runtime(ctx), caller(ctx), ctx.params["serverName"])
    if bind_secret is not None:
        set_bind_cookie(bind_secret)
    return answer


BIND_COOKIE = "mcp_oauth_bind"


def set_bind_cookie(secret: str) -> None:
    """Bind the OAuth callback to this browser (SameSite=Lax survives the redirect back)."""
    identity.on_response(lambda r: r.set_cookie(
        BIND_COOKIE, secret, max_age=mcp_oauth.FLOW_TTL_S, path="/api/mcp", secure=True,
        httponly=True, samesite="Lax"))


@handles("mcp.auth_values")
def auth_values(ctx: RequestContext) -> McpAuthValuesResponse:
    name = ctx.params["serverName"]
    found = plugin_auth.flags(ctx.container.store, caller(ctx), ctx.container.settings, name)
    return McpAuthValuesResponse(serverName=name, authValueFlags=found)


# The OAuth routes are registered with the rest of the ``mcp`` function.
from gorunchat.edge.handlers import mcp_oauth as _oauth_routes  # noqa: E402,F401
