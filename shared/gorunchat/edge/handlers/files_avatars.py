"""Handlers of the avatar uploads (``POST /api/files/images/.../avatar``), registered with
the ``files`` function by an import at the bottom of ``edge.handlers.files``.

The agent's permission is checked before the upload is read, so a caller who may not edit
the agent learns nothing from how the upload is refused.
"""

from __future__ import annotations

from typing import NoReturn

from gorunchat.contracts.agents import AgentView, AvatarUrl
from gorunchat.contracts.files import FileConfig
from gorunchat.domain.permissions import PermissionBits
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.handlers._uploads import read_file_part
from gorunchat.edge.registry import handles
from gorunchat.services import agents, avatars, files


def _config(ctx: RequestContext) -> FileConfig:
    return files.file_config(ctx.container.settings.app.fileConfig)


def _deps(ctx: RequestContext) -> files.FileDeps:
    return files.FileDeps(store=ctx.container.store, blobs=ctx.container.blobs,
                          reader=ctx.container.documents)


def _read(ctx: RequestContext, config: FileConfig) -> tuple[avatars.AvatarUpload,
                                                             dict[str, str]]:
    part = read_file_part(ctx, avatars.avatar_limit(config))
    return avatars.AvatarUpload(filename=part.filename, data=part.data), part.fields


@handles("files.avatar")
def user_avatar(ctx: RequestContext) -> AvatarUrl:
    config = _config(ctx)
    upload, fields = _read(ctx, config)
    manual = fields.get("manual", "true").strip().lower() != "false"
    return avatars.set_user_avatar(_deps(ctx), caller(ctx), config, upload, manual)


@handles("files.agent_avatar", status=201)
def agent_avatar(ctx: RequestContext) -> AgentView:
    agent_id = ctx.params["agent_id"]
    agents.check(ctx.container.store, caller(ctx), agent_id, PermissionBits.EDIT)
    config = _config(ctx)
    upload, _ = _read(ctx, config)
    return avatars.set_agent_avatar(_deps(ctx), caller(ctx), config, agent_id, upload)


@handles("files.assistant_avatar")
def assistant_avatar(ctx: RequestContext) -> NoReturn:
    raise avatars.assistant_not_found()
