"""Handlers of the ``convos`` function: LibreChat's ``/api/convos`` routes.

Differences from LibreChat, on purpose: a delete without ``conversationId`` never deletes
everything (LibreChat's assistants branch can), and ``arg.filter`` deletes a filtered set
(archived, tags, endpoint, older than); ``gen_title`` answers at once from the
stored title; ``GET /api/convos/:conversationId/export`` serves the JSON export LibreChat
builds in the browser.
"""

from __future__ import annotations

from gorunchat.contracts.conversations import (
    ArchiveAllRequest,
    ArchiveAllResult,
    ArchiveRequest,
    ConversationExport,
    ConversationPage,
    ConversationWithMessages,
    DeleteConversationRequest,
    DeleteConversationsResult,
    DeletedCount,
    DuplicateRequest,
    ExportQuery,
    ForkRequest,
    GeneratedTitle,
    ImportResult,
    ListConversationsQuery,
    PinRequest,
    UpdateConversationRequest,
)
from gorunchat.contracts.documents import Conversation
from gorunchat.contracts.errors import BadRequest
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller, limit
from gorunchat.edge.handlers._uploads import read_file_part
from gorunchat.edge.registry import handles
from gorunchat.services import conversations, deletion, exports_user, forks, imports


@handles("convos.list", query=ListConversationsQuery)
def list_conversations(ctx: RequestContext, query: ListConversationsQuery) -> ConversationPage:
    return conversations.list_page(ctx.container.store, ctx.container.search, caller(ctx), query)


@handles("convos.get")
def get(ctx: RequestContext) -> Conversation:
    return conversations.get(ctx.container.store, caller(ctx), ctx.params["conversationId"])


@handles("convos.update", body=UpdateConversationRequest)
def update(ctx: RequestContext, body: UpdateConversationRequest) -> Conversation:
    return conversations.rename(ctx.container.store, caller(ctx), body.arg.conversationId,
                                body.arg.title)


@handles("convos.archive", body=ArchiveRequest)
def archive(ctx: RequestContext, body: ArchiveRequest) -> Conversation:
    return conversations.set_archived(ctx.container.store, caller(ctx), body.arg.conversationId,
                                      body.arg.isArchived)


@handles("convos.archive_all", body=ArchiveAllRequest)
def archive_all(ctx: RequestContext, body: ArchiveAllRequest) -> ArchiveAllResult:
    return conversations.archive_all(ctx.container.store, caller(ctx), body.isArchived)


@handles("convos.pin", body=PinRequest)
def pin(ctx: RequestContext, body: PinRequest) -> Conversation:
    return conversations.set_pinned(ctx.container.store, caller(ctx), body.arg.conversationId,
                                    body.arg.pinned)


@handles("convos.delete", body=DeleteConversationRequest, status=201)
def delete(ctx: RequestContext, body: DeleteConversationRequest) -> DeleteConversationsResult:
    arg = body.arg
    if arg.conversationId:
        return deletion.delete_one(ctx.container.store, caller(ctx), arg.conversationId)
    if arg.filter is not None:
        return deletion.delete_matching(ctx.container.store, caller(ctx), arg.filter)
    if arg.source == "button":
        return DeleteConversationsResult(deletedCount=0, messages=DeletedCount(deletedCount=0),
                                         conversationIds=[])
    raise BadRequest("no parameters provided", code="NO_PARAMETERS")


@handles("convos.delete_all", status=201)
def delete_all(ctx: RequestContext) -> DeleteConversationsResult:
    return deletion.delete_all(ctx.container.store, caller(ctx))


@handles("convos.duplicate", body=DuplicateRequest, status=201)
def duplicate(ctx: RequestContext, body: DuplicateRequest) -> ConversationWithMessages:
    library = ctx.container.settings.library
    limit(ctx, "fork", library.fork_ip, library.fork_user)
    return forks.duplicate(ctx.container.store, caller(ctx), body.conversationId, body.title)


@handles("convos.fork", body=ForkRequest)
def fork(ctx: RequestContext, body: ForkRequest) -> ConversationWithMessages:
    library = ctx.container.settings.library
    limit(ctx, "fork", library.fork_ip, library.fork_user)
    return forks.fork(ctx.container.store, caller(ctx), body)


@handles("convos.import", status=201)
def import_conversations(ctx: RequestContext) -> ImportResult:
    library = ctx.container.settings.library
    limit(ctx, "import", library.import_ip, library.import_user)
    part = read_file_part(ctx, library.import_max_file_bytes)
    return imports.import_file(ctx.container.store, caller(ctx), part.data, library)


@handles("convos.gen_title")
def gen_title(ctx: RequestContext) -> GeneratedTitle:
    return conversations.generated_title(ctx.container.store, caller(ctx),
                                         ctx.params["conversationId"])


@handles("convos.export", query=ExportQuery)
def export(ctx: RequestContext, query: ExportQuery) -> ConversationExport:
    return exports_user.export(ctx.container.store, caller(ctx), ctx.params["conversationId"],
                               query.recursive)
