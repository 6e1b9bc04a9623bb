"""Handlers of the ``messages`` function: LibreChat's ``/api/messages`` routes."""

from __future__ import annotations

from flask import Response

from gorunchat.contracts.documents import Message
from gorunchat.contracts.messages import (
    ArtifactEditRequest,
    ArtifactEditResult,
    BranchRequest,
    CreateMessageRequest,
    FeedbackRequest,
    FeedbackResult,
    MessagesPage,
    MessagesQuery,
    UpdateMessageRequest,
)
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.registry import handles
from gorunchat.services import messages, search


@handles("messages.search", query=MessagesQuery)
def query_messages(ctx: RequestContext, query: MessagesQuery) -> MessagesPage:
    """By conversation (cursor page or one message), else a text search, else nothing."""
    if query.conversationId is not None:
        return messages.page(ctx.container.store, caller(ctx), query)
    if query.search and query.search.strip():
        return search.messages(ctx.container.store, ctx.container.search, caller(ctx),
                               query.search)
    return MessagesPage(messages=[], nextCursor=None)


@handles("messages.list")
def list_messages(ctx: RequestContext) -> list[Message]:
    return messages.list_for(ctx.container.store, caller(ctx), ctx.params["conversationId"])


@handles("messages.create", body=CreateMessageRequest, status=201,
         max_body_bytes=4 * 1024 * 1024)
def create(ctx: RequestContext, body: CreateMessageRequest) -> Message:
    return messages.create(ctx.container.store, caller(ctx), ctx.params["conversationId"], body)


@handles("messages.get")
def get(ctx: RequestContext) -> list[Message]:
    return messages.get_one(ctx.container.store, caller(ctx), ctx.params["conversationId"],
                            ctx.params["messageId"])


@handles("messages.update", body=UpdateMessageRequest, max_body_bytes=4 * 1024 * 1024)
def update(ctx: RequestContext, body: UpdateMessageRequest) -> Message:
    return messages.update(ctx.container.store, caller(ctx), ctx.params["conversationId"],
                           ctx.params["messageId"], body)


@handles("messages.delete")
def delete(ctx: RequestContext) -> Response:
    messages.delete(ctx.container.store, caller(ctx), ctx.params["conversationId"],
                    ctx.params["messageId"])
    return Response(status=204)


@handles("messages.feedback", body=FeedbackRequest)
def feedback(ctx: RequestContext, body: FeedbackRequest) -> FeedbackResult:
    return messages.feedback(ctx.container.store, caller(ctx), ctx.params["conversationId"],
                             ctx.params["messageId"], body.feedback)


@handles("messages.branch", body=BranchRequest, status=201)
def branch(ctx: RequestContext, body: BranchRequest) -> Message:
    return messages.branch(ctx.container.store, caller(ctx), body)


@handles("messages.artifact", body=ArtifactEditRequest, max_body_bytes=4 * 1024 * 1024)
def artifact(ctx: RequestContext, body: ArtifactEditRequest) -> ArtifactEditResult:
    return messages.edit_artifact(ctx.container.store, caller(ctx), ctx.params["messageId"],
                                  body)
