"""Handlers of the ``agents`` function: tools (``/api/agents/tools…``) and actions.

Agent CRUD lives in ``edge.handlers.agents_crud``, the action OAuth routes in
``edge.handlers.actions_oauth``.
"""

from __future__ import annotations

from gorunchat.contracts.actions import (
    ACTION_DELIMITER,
    ActionDeleteResponse,
    ActionOut,
    ActionSaveRequest,
)
from gorunchat.contracts.mcp import McpToolOut
from gorunchat.contracts.tools import (
    ToolAuthResponse,
    ToolCallOut,
    ToolCallRequest,
    ToolCallResponse,
    ToolCallsQuery,
)
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.handlers.mcp import runtime
from gorunchat.edge.registry import handles
from gorunchat.services import actions, tools


def action_deps(ctx: RequestContext) -> actions.ActionDeps:
    rt = runtime(ctx)
    c = ctx.container
    return actions.ActionDeps(c.store, c.settings, c.secretbox, rt.oauth)


@handles("agents.tools")
def list_tools(ctx: RequestContext) -> list[McpToolOut]:
    return tools.list_tools(runtime(ctx), caller(ctx))


@handles("agents.tool_calls", query=ToolCallsQuery)
def tool_calls(ctx: RequestContext, query: ToolCallsQuery) -> list[ToolCallOut]:
    found = tools.tool_calls(ctx.container.store, caller(ctx), query.conversationId)
    return [ToolCallOut(id=c.id, conversationId=c.conversationId, messageId=c.messageId,
                        toolId=c.toolId, user=c.user, result=c.result) for c in found]


@handles("agents.tool_auth")
def tool_auth(ctx: RequestContext) -> ToolAuthResponse:
    key = ctx.params["toolId"]
    if ACTION_DELIMITER in key:
        needs = actions.needs_sign_in(action_deps(ctx), caller(ctx), key)
    else:
        needs = tools.tool_needs_auth(runtime(ctx), caller(ctx), key)
    return ToolAuthResponse(authenticated=not needs, message=not needs)


@handles("agents.tool_call", body=ToolCallRequest)
def tool_call(ctx: RequestContext, body: ToolCallRequest) -> ToolCallResponse:
    key = ctx.params["toolId"]
    if ACTION_DELIMITER in key:
        rt = runtime(ctx)
        done = rt.manager.loop.run(actions.call(
            action_deps(ctx), caller(ctx), key, body.arguments, body.conversationId,
            body.messageId))
        return ToolCallResponse(result=done.output, toolCallId=done.tool_call_id,
                                success=done.ok, oauthUrl=done.auth_url)
    outcome = tools.call_tool_sync(runtime(ctx), caller(ctx), ctx.params["toolId"],
                                   body.arguments, body.conversationId, body.messageId)
    return ToolCallResponse(result=outcome.output, toolCallId=outcome.tool_call_id,
                            success=outcome.ok)


@handles("agents.actions_list")
def actions_list(ctx: RequestContext) -> list[ActionOut]:
    return actions.list_actions(ctx.container.store, caller(ctx))


@handles("agents.action_save", body=ActionSaveRequest)
def action_save(ctx: RequestContext, body: ActionSaveRequest) -> ActionOut:
    return actions.save(action_deps(ctx), caller(ctx), ctx.params["agent_id"], body)


@handles("agents.action_delete")
def action_delete(ctx: RequestContext) -> ActionDeleteResponse:
    return ActionDeleteResponse(action_id=actions.delete(
        ctx.container.store, caller(ctx), ctx.params["agent_id"], ctx.params["action_id"]))


# The action OAuth routes are registered with the rest of the ``agents`` function.
from gorunchat.edge.handlers import actions_oauth as _oauth_routes  # noqa: E402,F401

# Agent CRUD is registered with the rest of the ``agents`` function.
from gorunchat.edge.handlers import agents_crud as _crud_routes  # noqa: E402,F401
