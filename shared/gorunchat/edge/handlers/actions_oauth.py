"""Handlers of the action OAuth routes (``/api/actions/:action_id/oauth/…``).

A call to an OAuth action the caller has not signed in to starts a flow and answers with its
sign-in URL. ``bind`` (LibreChat posts it with no body before opening that URL) sets the
cookie that binds the flow to this browser; the public ``callback`` must come back with it,
exchanges the code, and redirects to ``/oauth/success`` (or the client's ``/oauth/error``).
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Response
from pydantic import BaseModel, Field

from gorunchat.contracts.errors import GoRunChatError
from gorunchat.edge import identity
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.handlers.mcp import runtime
from gorunchat.edge.handlers.mcp_oauth import OAuthCallbackParams
from gorunchat.edge.registry import handles
from gorunchat.services import action_oauth, actions, mcp_oauth

BIND_COOKIE = "action_oauth_bind"
COOKIE_PATH = "/api/actions"


class ActionBindRequest(BaseModel):
    flowId: str | None = Field(default=None, max_length=128)


class ActionBindResponse(BaseModel):
    success: bool = True
    action_id: str
    flowId: str


def _redirect(ctx: RequestContext, page: str, **query: str) -> Response:
    base = ctx.container.settings.domain_client.rstrip("/")
    return Response(status=302, headers={"Location": f"{base}/oauth/{page}?{urlencode(query)}"})


@handles("agents.oauth_bind", body=ActionBindRequest)
def bind(ctx: RequestContext, body: ActionBindRequest) -> ActionBindResponse:
    who = caller(ctx)
    action_id = ctx.params["action_id"]
    actions.owned_action(ctx.container.store, who, action_id)
    rt = runtime(ctx)
    assert rt.oauth is not None
    deps = rt.oauth()
    flow_id = body.flowId or rt.manager.loop.run(mcp_oauth.pending_flow(
        deps, action_oauth.KIND, who.tenant_id, who.user_id, action_id)).flowId
    secret = rt.manager.loop.run(mcp_oauth.rebind(deps, who.tenant_id, who.user_id, flow_id,
                                                  action_id, action_oauth.KIND))
    identity.on_response(lambda r: r.set_cookie(
        BIND_COOKIE, secret, max_age=mcp_oauth.FLOW_TTL_S, path=COOKIE_PATH, secure=True,
        httponly=True, samesite="Lax"))
    return ActionBindResponse(action_id=action_id, flowId=flow_id)


@handles("agents.oauth_callback", query=OAuthCallbackParams)
def callback(ctx: RequestContext, query: OAuthCallbackParams) -> Response:
    action_id = ctx.params["action_id"]
    if query.error or not query.code or not query.state:
        return _redirect(ctx, "error", error=query.error or "missing_code", action_id=action_id)
    rt = runtime(ctx)
    assert rt.oauth is not None
    try:
        rt.manager.loop.run(mcp_oauth.complete(
            rt.oauth(), ctx.tenant_id, query.state, query.code,
            identity.cookie(ctx, BIND_COOKIE), action_oauth.KIND, action_id))
    except GoRunChatError as exc:
        return _redirect(ctx, "error", error=exc.code, action_id=action_id)
    identity.on_response(lambda r: r.delete_cookie(BIND_COOKIE, path=COOKIE_PATH))
    return _redirect(ctx, "success", action_id=action_id)
