"""Handlers of the MCP OAuth routes (``/api/mcp/…/oauth/…``).

``initiate`` (a browser navigation) and ``reinitialize`` start a flow and set the bind cookie;
``bind`` renews it for a pending flow; the public ``callback`` must come back with it, then
redirects to the client's ``/oauth/success`` (or ``/oauth/error``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response
from pydantic import BaseModel, Field

from gorunchat.contracts.errors import GoRunChatError
from gorunchat.edge import identity
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.handlers.mcp import BIND_COOKIE, runtime, set_bind_cookie
from gorunchat.edge.registry import handles
from gorunchat.services import mcp, mcp_oauth


class OAuthCallbackParams(BaseModel):
    code: str | None = Field(default=None, max_length=4096)
    state: str | None = Field(default=None, max_length=512)
    error: str | None = Field(default=None, max_length=512)


class BindRequest(BaseModel):
    flowId: str = Field(max_length=128)


class BindResponse(BaseModel):
    success: bool = True
    flowId: str


class FlowStatus(BaseModel):
    flowId: str
    serverName: str
    status: str
    error: str | None = None


class CancelResponse(BaseModel):
    success: bool = True
    serverName: str
    removedTokens: int


def _redirect(url: str) -> Response:
    return Response(status=302, headers={"Location": url})


def _client_page(ctx: RequestContext, page: str, **query: str) -> Response:
    client = ctx.container.settings.domain_client.rstrip("/")
    return _redirect(f"{client}/oauth/{page}?{urlencode(query)}")


@handles("mcp.oauth_initiate")
def initiate(ctx: RequestContext) -> Response:
    from gorunchat.services import tools

    url, _, secret = tools.start_oauth(runtime(ctx), caller(ctx), ctx.params["serverName"])
    set_bind_cookie(secret)
    return _redirect(url)


def _visible(ctx: RequestContext) -> None:
    """404 unless the caller can see the server named in the path."""
    mcp.get_server(ctx.container.store, caller(ctx), ctx.container.settings,
                   ctx.params["serverName"])


@handles("mcp.oauth_bind", body=BindRequest)
def bind(ctx: RequestContext, body: BindRequest) -> BindResponse:
    _visible(ctx)
    rt = runtime(ctx)
    assert rt.oauth is not None
    who = caller(ctx)
    secret = rt.manager.loop.run(mcp_oauth.rebind(rt.oauth(), who.tenant_id, who.user_id,
                                                  body.flowId, ctx.params["serverName"]))
    set_bind_cookie(secret)
    return BindResponse(flowId=body.flowId)


@handles("mcp.oauth_callback", query=OAuthCallbackParams)
def callback(ctx: RequestContext, query: OAuthCallbackParams) -> Response:
    name = ctx.params["serverName"]
    if query.error or not query.code or not query.state:
        return _client_page(ctx, "error", error=query.error or "missing_code", serverName=name)
    rt = runtime(ctx)
    assert rt.oauth is not None
    try:
        flow = rt.manager.loop.run(mcp_oauth.complete(
            rt.oauth(), ctx.tenant_id, query.state, query.code,
            identity.cookie(ctx, BIND_COOKIE)))
    except GoRunChatError as exc:
        return _client_page(ctx, "error", error=exc.code, serverName=name)
    identity.on_response(lambda r: r.delete_cookie(BIND_COOKIE, path="/api/mcp"))
    return _client_page(ctx, "success", serverName=flow.serverName)


def _own_flow(ctx: RequestContext) -> mcp_oauth.OAuthFlow:
    rt = runtime(ctx)
    assert rt.oauth is not None
    who = caller(ctx)
    flow = rt.manager.loop.run(mcp_oauth.load_flow(rt.oauth(), who.tenant_id,
                                                   ctx.params["flowId"]))
    if flow.userId != who.user_id:
        raise mcp_oauth.flow_not_found()
    return flow


def _flow_status(ctx: RequestContext) -> FlowStatus:
    flow = _own_flow(ctx)
    return FlowStatus(flowId=flow.flowId, serverName=flow.serverName, status=flow.status,
                      error=flow.error)


@handles("mcp.oauth_status")
def status(ctx: RequestContext) -> FlowStatus:
    return _flow_status(ctx)


@handles("mcp.oauth_tokens")
def tokens(ctx: RequestContext) -> FlowStatus:
    """The flow's outcome; tokens themselves never leave the server."""
    return _flow_status(ctx)


@handles("mcp.oauth_cancel")
def cancel(ctx: RequestContext) -> CancelResponse:
    _visible(ctx)
    rt = runtime(ctx)
    who = caller(ctx)
    name = ctx.params["serverName"]
    c = ctx.container
    removed = mcp_oauth.forget(c.store, who.tenant_id, who.user_id, name)
    rt.manager.loop.run(rt.manager.drop(name))
    return CancelResponse(serverName=name, removedTokens=removed)
