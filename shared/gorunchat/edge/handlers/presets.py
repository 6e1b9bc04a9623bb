"""Handlers of the ``presets`` function: LibreChat's ``/api/presets`` routes."""

from __future__ import annotations

from gorunchat.contracts.presets import (
    MAX_PRESET_BYTES,
    DeletePresetsRequest,
    DeletePresetsResult,
    PresetView,
    SavePresetRequest,
)
from gorunchat.edge.context import RequestContext
from gorunchat.edge.handlers._common import caller
from gorunchat.edge.registry import handles
from gorunchat.services import presets


@handles("presets.list")
def list_presets(ctx: RequestContext) -> list[PresetView]:
    return presets.list_presets(ctx.container.store, caller(ctx))


# LibreChat answers 201 to both, an update included.
@handles("presets.save", body=SavePresetRequest, status=201,
         max_body_bytes=MAX_PRESET_BYTES + 16 * 1024)
def save(ctx: RequestContext, body: SavePresetRequest) -> PresetView:
    return presets.save(ctx.container.store, caller(ctx), body)


@handles("presets.delete", body=DeletePresetsRequest, status=201)
def delete(ctx: RequestContext, body: DeletePresetsRequest) -> DeletePresetsResult:
    return presets.delete(ctx.container.store, caller(ctx), body)
