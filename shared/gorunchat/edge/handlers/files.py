"""Handlers of the ``files`` function: LibreChat's first-scope ``/api/files`` routes.

``POST /api/files/usage`` reports the caller's storage use against the quota (LibreChat has
no documented shape for it). ``GET /api/files/agent/:agent_id`` answers ``[]`` until agents
own files. The avatar routes belong to the user and agent contexts.
"""

from __future__ import annotations

import json
from urllib.parse import quote

from flask import Response

from gorunchat.contracts.files import (
    DeleteFilesRequest,
    DownloadUrl,
    FileConfig,
    FileConfigOut,
    FileObject,
    FilePreview,
    FileUsage,
    FileUsageRequest,
    MessageOut,
    UploadedFile,
)
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.handlers._uploads import read_file_part
from gorunchat.edge.registry import handles
from gorunchat.services import file_access, files


def _config(ctx: RequestContext) -> FileConfig:
    return files.file_config(ctx.container.settings.app.fileConfig)


def _deps(ctx: RequestContext) -> files.FileDeps:
    return files.FileDeps(store=ctx.container.store, blobs=ctx.container.blobs,
                          reader=ctx.container.documents)


def _upload(ctx: RequestContext, images_only: bool) -> UploadedFile:
    config = _config(ctx)
    endpoint = ctx.request.args.get("endpoint")
    part = read_file_part(ctx, files.upload_limit(config, endpoint))
    item = files.Upload(filename=part.filename, data=part.data,
                        temp_file_id=part.fields.get("file_id"),
                        endpoint=part.fields.get("endpoint") or endpoint,
                        conversation_id=part.fields.get("conversationId"),
                        images_only=images_only)
    return files.upload(_deps(ctx), caller(ctx), config, item)


@handles("files.list")
def list_files(ctx: RequestContext) -> list[FileObject]:
    return file_access.list_files(ctx.container.store, caller(ctx))


@handles("files.upload")
def upload(ctx: RequestContext) -> UploadedFile:
    return _upload(ctx, images_only=False)


@handles("files.images")
def upload_image(ctx: RequestContext) -> UploadedFile:
    return _upload(ctx, images_only=True)


@handles("files.delete", body=DeleteFilesRequest)
def delete(ctx: RequestContext, body: DeleteFilesRequest) -> MessageOut | Response:
    if not body.files:
        return Response(status=204)
    file_access.delete(ctx.container.store, ctx.container.blobs, caller(ctx), body)
    return MessageOut(message="Files deleted successfully")


@handles("files.config")
def config(ctx: RequestContext) -> FileConfigOut:
    return file_access.config_out(_config(ctx))


@handles("files.usage", body=FileUsageRequest)
def usage(ctx: RequestContext, body: FileUsageRequest) -> FileUsage:
    return file_access.usage(ctx.container.store, caller(ctx), _config(ctx), body.file_ids)


@handles("files.preview")
def preview(ctx: RequestContext) -> FilePreview:
    return file_access.preview(ctx.container.store, caller(ctx), ctx.params["file_id"])


@handles("files.agent_files")
def agent_files(ctx: RequestContext) -> list[FileObject]:
    return file_access.agent_files(ctx.container.store, caller(ctx), ctx.params["agent_id"])


@handles("files.download_url")
def download_url(ctx: RequestContext) -> DownloadUrl:
    return file_access.download_url(ctx.container.store, ctx.container.blobs, caller(ctx),
                                    ctx.params["userId"], ctx.params["file_id"])


@handles("files.download")
def download(ctx: RequestContext) -> Response:
    stored, data = file_access.download(ctx.container.store, ctx.container.blobs, caller(ctx),
                                        ctx.params["userId"], ctx.params["file_id"])
    meta = quote(json.dumps(file_access.metadata(stored), separators=(",", ":")))
    disposition = f"attachment; filename*=UTF-8''{quote(stored.filename)}"
    return Response(data, status=200, mimetype="application/octet-stream", headers={
        "Content-Disposition": disposition, "X-File-Metadata": meta})


# The avatar uploads are registered with the rest of the ``files`` function.
from gorunchat.edge.handlers import files_avatars as _avatar_routes  # noqa: E402,F401
