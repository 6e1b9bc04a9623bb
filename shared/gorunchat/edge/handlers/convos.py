"""Handlers of the ``convos`` function."""

from __future__ import annotations

from gorunchat.contracts.conversations import UpdateConversationRequest
from gorunchat.contracts.documents import Conversation
from gorunchat.edge.context import RequestContext
from gorunchat.edge.registry import handles
from gorunchat.services import conversations
from gorunchat.services.caller import Caller


def caller(ctx: RequestContext) -> Caller:
    return Caller(principal=ctx.user, actor=ctx.actor)


@handles("convos.update", body=UpdateConversationRequest)
def update(ctx: RequestContext, body: UpdateConversationRequest) -> Conversation:
    return conversations.rename(ctx.container.store, caller(ctx), body.arg.conversationId,
                                body.arg.title)
