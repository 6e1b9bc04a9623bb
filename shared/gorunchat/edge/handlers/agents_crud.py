"""Handlers of LibreChat's agent routes (``/api/agents``, ``/api/agents/:id…``).

Registered with the rest of the ``agents`` function by an import at the bottom of
``edge.handlers.agents``. Avatars are uploaded through the ``files`` function
(``edge.handlers.files_avatars``).
"""

from __future__ import annotations

from gorunchat.contracts.agents import (
    AgentCategory,
    AgentCreate,
    AgentDeleted,
    AgentList,
    AgentListQuery,
    AgentUpdate,
    AgentVersion,
    AgentView,
    DuplicateResult,
    RevertRequest,
)
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.registry import handles
from gorunchat.services import agent_catalog, agents, avatars


@handles("agents.list", query=AgentListQuery)
def list_agents(ctx: RequestContext, query: AgentListQuery) -> AgentList:
    return agent_catalog.list_agents(ctx.container.store, caller(ctx), query)


@handles("agents.create", body=AgentCreate, status=201)
def create(ctx: RequestContext, body: AgentCreate) -> AgentView:
    return agents.create(ctx.container.store, caller(ctx), body)


@handles("agents.categories")
def categories(ctx: RequestContext) -> list[AgentCategory]:
    return agent_catalog.categories(ctx.container.store, caller(ctx))


@handles("agents.get")
def get(ctx: RequestContext) -> AgentView:
    return agents.get(ctx.container.store, caller(ctx), ctx.params["id"], expanded=False)


@handles("agents.expanded")
def expanded(ctx: RequestContext) -> AgentView:
    return agents.get(ctx.container.store, caller(ctx), ctx.params["id"], expanded=True)


@handles("agents.update", body=AgentUpdate)
def update(ctx: RequestContext, body: AgentUpdate) -> AgentView:
    return agents.update(ctx.container.store, caller(ctx), ctx.params["id"], body)


@handles("agents.delete")
def delete(ctx: RequestContext) -> AgentDeleted:
    removed = agents.delete(ctx.container.store, caller(ctx), ctx.params["id"])
    avatars.remove_blobs(ctx.container.blobs, removed)
    return AgentDeleted()


@handles("agents.duplicate", status=201)
def duplicate(ctx: RequestContext) -> DuplicateResult:
    return agents.duplicate(ctx.container.store, caller(ctx), ctx.params["id"])


@handles("agents.revert", body=RevertRequest)
def revert(ctx: RequestContext, body: RevertRequest) -> AgentView:
    return agents.revert(ctx.container.store, caller(ctx), ctx.params["id"],
                         body.version_index)


@handles("agents.versions")
def versions(ctx: RequestContext) -> list[AgentVersion]:
    return agents.versions(ctx.container.store, caller(ctx), ctx.params["id"])
