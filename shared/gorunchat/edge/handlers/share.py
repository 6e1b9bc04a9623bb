"""Handlers of the ``share`` function: LibreChat's ``/api/share`` routes.

Differences from LibreChat, on purpose: ``nextCursor`` is the opaque cursor every GoRunChat
list uses (LibreChat sends the last sort value); a link is open to anyone in its tenant who
holds the id (signed in, unless ``ALLOW_SHARED_LINKS_PUBLIC``) rather than governed by ACL
entries; with sharing disabled, creating and refreshing answer 403
``SHARED_LINKS_DISABLED`` and the viewer routes 404 (LibreChat does not mount them).
A file is served inline only when its type cannot run in the page (images, PDF).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

from gorunchat.contracts.conversations import ConversationWithMessages
from gorunchat.contracts.files import FilePreview
from gorunchat.contracts.library import StoredFile
from gorunchat.contracts.share import (
    ForkSharedRequest,
    SharedConversation,
    SharedLinkCreated,
    SharedLinkDeleted,
    SharedLinksPage,
    SharedLinksQuery,
    SharedLinkStatus,
    SharedStartupConfig,
    ShareRequest,
)
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller, limit
from gorunchat.edge.registry import handles
from gorunchat.services import share
from gorunchat.services.share import SharePolicy, Viewer

#: Types a browser shows without running anything (LibreChat's list for shared files).
INLINE_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "image/bmp",
                          "image/avif", "application/pdf"})


def _policy(ctx: RequestContext) -> SharePolicy:
    return SharePolicy.of(ctx.container.settings)


def _viewer(ctx: RequestContext) -> Viewer:
    return Viewer(tenant_id=ctx.tenant_id, principal=ctx.principal)


@handles("share.list", query=SharedLinksQuery)
def list_links(ctx: RequestContext, query: SharedLinksQuery) -> SharedLinksPage:
    return share.list_links(ctx.container.store, ctx.container.search, caller(ctx), query)


@handles("share.link")
def link(ctx: RequestContext) -> SharedLinkStatus:
    return share.link_for(ctx.container.store, caller(ctx), ctx.params["conversationId"])


@handles("share.create", body=ShareRequest)
def create(ctx: RequestContext, body: ShareRequest) -> SharedLinkCreated:
    return share.create(ctx.container.store, _policy(ctx), caller(ctx),
                        ctx.params["conversationId"], body)


@handles("share.get")
def get(ctx: RequestContext) -> SharedConversation:
    return share.view(ctx.container.store, _policy(ctx), _viewer(ctx), ctx.params["shareId"])


@handles("share.update", body=ShareRequest)
def update(ctx: RequestContext, body: ShareRequest) -> SharedLinkCreated:
    return share.refresh(ctx.container.store, _policy(ctx), caller(ctx), ctx.params["shareId"],
                         body)


@handles("share.delete")
def delete(ctx: RequestContext) -> SharedLinkDeleted:
    return share.delete(ctx.container.store, caller(ctx), ctx.params["shareId"])


@handles("share.config")
def config(ctx: RequestContext) -> SharedStartupConfig:
    return share.startup_config(ctx.container.store, ctx.container.settings, _viewer(ctx),
                                ctx.params["shareId"])


@handles("share.fork", body=ForkSharedRequest, status=201)
def fork(ctx: RequestContext, body: ForkSharedRequest) -> ConversationWithMessages:
    library = ctx.container.settings.library
    limit(ctx, "fork", library.fork_ip, library.fork_user)
    return share.fork(ctx.container.store, _policy(ctx), caller(ctx), ctx.params["shareId"],
                      body)


def _file_response(stored: StoredFile, data: bytes, inline: bool) -> Response:
    inline = inline and stored.type in INLINE_TYPES
    disposition = "inline" if inline else "attachment"
    return Response(data, status=200,
                    mimetype=stored.type if inline else "application/octet-stream",
                    headers={"Content-Disposition":
                             f"{disposition}; filename*=UTF-8''{quote(stored.filename)}"})


def _content(ctx: RequestContext) -> tuple[StoredFile, bytes]:
    return share.shared_file_content(ctx.container.store, ctx.container.blobs, _policy(ctx),
                                     _viewer(ctx), ctx.params["shareId"], ctx.params["file_id"])


@handles("share.file")
def file(ctx: RequestContext) -> Response:
    return _file_response(*_content(ctx), inline=True)


@handles("share.file_download")
def file_download(ctx: RequestContext) -> Response:
    return _file_response(*_content(ctx), inline=False)


@handles("share.file_preview")
def file_preview(ctx: RequestContext) -> FilePreview:
    return share.shared_preview(ctx.container.store, _policy(ctx), _viewer(ctx),
                                ctx.params["shareId"], ctx.params["file_id"])
