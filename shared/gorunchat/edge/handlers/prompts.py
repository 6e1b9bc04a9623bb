"""Handlers of the ``prompts`` function: LibreChat's ``/api/prompts`` (the prompt library)."""

from __future__ import annotations

from gorunchat.contracts.prompts import (
    AddPromptRequest,
    CreatePromptRequest,
    CreatePromptResponse,
    GroupDeleted,
    GroupFilter,
    GroupsQuery,
    ProductionMade,
    PromptDeleted,
    PromptGroupsPage,
    PromptGroupView,
    PromptsQuery,
    PromptView,
    UpdateGroupRequest,
    UsageRecorded,
)
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.registry import handles
from gorunchat.services import prompts


@handles("prompts.list", query=PromptsQuery)
def list_prompts(ctx: RequestContext, query: PromptsQuery) -> list[PromptView]:
    return prompts.list_prompts(ctx.container.store, caller(ctx), query.groupId)


@handles("prompts.create", body=CreatePromptRequest)
def create(ctx: RequestContext, body: CreatePromptRequest) -> CreatePromptResponse:
    return prompts.create(ctx.container.store, caller(ctx), body)


@handles("prompts.all", query=GroupFilter)
def all_groups(ctx: RequestContext, query: GroupFilter) -> list[PromptGroupView]:
    return prompts.all_groups(ctx.container.store, caller(ctx), query)


@handles("prompts.groups", query=GroupsQuery)
def groups(ctx: RequestContext, query: GroupsQuery) -> PromptGroupsPage:
    return prompts.group_page(ctx.container.store, caller(ctx), query)


@handles("prompts.group_get")
def group_get(ctx: RequestContext) -> PromptGroupView:
    return prompts.get_group(ctx.container.store, caller(ctx), ctx.params["groupId"])


@handles("prompts.group_update", body=UpdateGroupRequest)
def group_update(ctx: RequestContext, body: UpdateGroupRequest) -> PromptGroupView:
    return prompts.update_group(ctx.container.store, caller(ctx), ctx.params["groupId"], body)


@handles("prompts.group_delete")
def group_delete(ctx: RequestContext) -> GroupDeleted:
    return prompts.delete_group(ctx.container.store, caller(ctx), ctx.params["groupId"])


@handles("prompts.group_add_prompt", body=AddPromptRequest)
def group_add_prompt(ctx: RequestContext, body: AddPromptRequest) -> PromptView:
    return prompts.add_prompt(ctx.container.store, caller(ctx), ctx.params["groupId"], body)


@handles("prompts.group_use")
def group_use(ctx: RequestContext) -> UsageRecorded:
    return prompts.record_use(ctx.container.store, caller(ctx), ctx.params["groupId"])


@handles("prompts.get")
def get(ctx: RequestContext) -> PromptView:
    return prompts.get_prompt(ctx.container.store, caller(ctx), ctx.params["promptId"])


@handles("prompts.delete")
def delete(ctx: RequestContext) -> PromptDeleted:
    return prompts.delete_prompt(ctx.container.store, caller(ctx), ctx.params["promptId"])


@handles("prompts.make_production")
def make_production(ctx: RequestContext) -> ProductionMade:
    return prompts.make_production(ctx.container.store, caller(ctx), ctx.params["promptId"])
