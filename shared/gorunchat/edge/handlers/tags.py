"""Handlers of the ``tags`` function: LibreChat's ``/api/tags`` (bookmarks) routes."""

from __future__ import annotations

from gorunchat.contracts.library import ConversationTag
from gorunchat.contracts.tags import ConversationTagsRequest, CreateTagRequest, UpdateTagRequest
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.registry import handles
from gorunchat.services import tags


@handles("tags.list")
def list_tags(ctx: RequestContext) -> list[ConversationTag]:
    return tags.list_tags(ctx.container.store, caller(ctx))


@handles("tags.create", body=CreateTagRequest)
def create(ctx: RequestContext, body: CreateTagRequest) -> ConversationTag:
    return tags.create(ctx.container.store, caller(ctx), body)


@handles("tags.update", body=UpdateTagRequest)
def update(ctx: RequestContext, body: UpdateTagRequest) -> ConversationTag:
    return tags.update(ctx.container.store, caller(ctx), ctx.params["tag"], body)


@handles("tags.delete")
def delete(ctx: RequestContext) -> ConversationTag:
    return tags.delete(ctx.container.store, caller(ctx), ctx.params["tag"])


@handles("tags.set_conversation", body=ConversationTagsRequest)
def set_conversation(ctx: RequestContext, body: ConversationTagsRequest) -> list[str]:
    return tags.set_for_conversation(ctx.container.store, caller(ctx),
                                     ctx.params["conversationId"], body)
