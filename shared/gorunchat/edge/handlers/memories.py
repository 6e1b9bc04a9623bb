"""Handlers of the ``memories`` function: LibreChat's ``/api/memories`` routes."""

from __future__ import annotations

from gorunchat.contracts.memories import (
    MAX_BODY_BYTES,
    CreateMemoryRequest,
    MemoryCreated,
    MemoryDeleted,
    MemoryList,
    MemoryPreferencesRequest,
    MemoryPreferencesResponse,
    MemoryUpdated,
    UpdateMemoryRequest,
)
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.registry import handles
from gorunchat.services import memories


@handles("memories.list")
def list_memories(ctx: RequestContext) -> MemoryList:
    return memories.list_memories(ctx.container.store, ctx.container.settings.app, caller(ctx))


@handles("memories.create", body=CreateMemoryRequest, status=201,
         max_body_bytes=MAX_BODY_BYTES)
def create(ctx: RequestContext, body: CreateMemoryRequest) -> MemoryCreated:
    return memories.create(ctx.container.store, ctx.container.settings.app, caller(ctx), body)


@handles("memories.preferences", body=MemoryPreferencesRequest)
def preferences(ctx: RequestContext, body: MemoryPreferencesRequest
                ) -> MemoryPreferencesResponse:
    return memories.set_preference(ctx.container.store, caller(ctx), body)


@handles("memories.update", body=UpdateMemoryRequest, max_body_bytes=MAX_BODY_BYTES)
def update(ctx: RequestContext, body: UpdateMemoryRequest) -> MemoryUpdated:
    return memories.update(ctx.container.store, ctx.container.settings.app, caller(ctx),
                           ctx.params["key"], body)


@handles("memories.delete")
def delete(ctx: RequestContext) -> MemoryDeleted:
    return memories.delete(ctx.container.store, ctx.container.settings.app, caller(ctx),
                           ctx.params["key"])
