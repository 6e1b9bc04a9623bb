"""Handlers of the ``mcp`` function: LibreChat's ``/api/mcp`` routes.

OAuth routes (``initiate``, ``callback``, ``bind``, ``tokens``, ``status``, ``cancel``) have no
handler yet and answer 501.
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
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.registry import handles
from gorunchat.services import mcp, tools


def runtime(ctx: RequestContext) -> tools.Runtime:
    """The tool runtime of the request's container (``${VAR}`` reads the process env)."""
    c = ctx.container
    return tools.Runtime(c.store, c.settings, tools.manager_for(c), os.environ)


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
    return tools.reinitialize(runtime(ctx), caller(ctx), ctx.params["serverName"])


@handles("mcp.auth_values")
def auth_values(ctx: RequestContext) -> McpAuthValuesResponse:
    name = ctx.params["serverName"]
    server = mcp.get_server(ctx.container.store, caller(ctx), ctx.container.settings, name)
    names = list(server.config.get("customUserVars", {}))
    return McpAuthValuesResponse(serverName=name, authValueFlags=dict.fromkeys(names, False))
