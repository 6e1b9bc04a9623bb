"""Presets: saved conversation setups (LibreChat's ``presets`` collection and ``/api/presets``).

A preset holds what a new conversation starts from: ``title``, ``endpoint``, ``model`` and
the model parameters (``temperature``, ``promptPrefix``, ``tools``...). LibreChat does not
validate the parameters strictly, and neither does GoRunChat: the fields GoRunChat acts on
are typed, any other field is kept as sent. What is bounded is size and shape: the title's
length, the number and names of fields, nesting depth, and the size of the whole document.
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    StrictBool,
    field_validator,
    model_serializer,
    model_validator,
)

from gorunchat.contracts.documents import Document

#: Largest stored preset, as compact JSON (system prompts can be long, so generous).
MAX_PRESET_BYTES = 256 * 1024
MAX_TITLE_LENGTH = 512
MAX_EXTRA_FIELDS = 100
MAX_DEPTH = 8
#: Fields a client may not set: ownership and bookkeeping (dropped, as LibreChat drops ``user``).
SERVER_FIELDS = frozenset({"user", "tenantId", "_id", "id", "__v", "createdAt", "updatedAt"})
_FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
_ID = Field(default=None, min_length=1, max_length=256)


class Preset(Document):
    """A stored preset, unique by ``presetId`` within a tenant (LibreChat's index)."""

    collection: ClassVar[str] = "presets"
    key: ClassVar[str] = "presetId"

    presetId: str
    user: str
    title: str | None = "New Chat"  # LibreChat's schema allows a stored null
    defaultPreset: bool | None = None
    order: int | None = None
    endpoint: str | None = None
    endpointType: str | None = None
    model: str | None = None


def _check_value(value: Any, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ValueError(f"values nest deeper than {MAX_DEPTH} levels")
    if isinstance(value, dict):
        for name, item in value.items():
            if name.startswith("$") or "." in name or "\x00" in name:
                raise ValueError(f"field name {name[:64]!r} is not allowed")
            _check_value(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_value(item, depth + 1)


class SavePresetRequest(BaseModel):
    """``POST /api/presets``: a whole or partial preset; ``presetId`` picks the one to update
    (a new one when absent or unknown). Other fields (model parameters) are kept as sent."""

    model_config = ConfigDict(extra="allow")

    presetId: str | None = _ID
    newPresetId: str | None = _ID
    title: str | None = Field(default=None, max_length=MAX_TITLE_LENGTH)
    defaultPreset: StrictBool | None = None
    order: int | None = Field(default=None, ge=-1_000_000, le=1_000_000)
    endpoint: str | None = Field(default=None, max_length=256)
    endpointType: str | None = Field(default=None, max_length=256)
    model: str | None = Field(default=None, max_length=256)
    tools: list[Any] | None = Field(default=None, max_length=256)

    @field_validator("tools")
    @classmethod
    def _tool_names(cls, value: list[Any] | None) -> list[str] | None:
        """LibreChat stores tool names: a plugin object becomes its ``pluginKey``."""
        if value is None:
            return None
        names = [t.get("pluginKey") if isinstance(t, dict) else t for t in value]
        return [n for n in names if isinstance(n, str)]

    @model_validator(mode="after")
    def _bounded(self) -> SavePresetRequest:
        extra = {k: v for k, v in (self.model_extra or {}).items() if k not in SERVER_FIELDS}
        if len(extra) > MAX_EXTRA_FIELDS:
            raise ValueError(f"a preset has at most {MAX_EXTRA_FIELDS} parameters")
        for name, value in extra.items():
            if not _FIELD_NAME.match(name):
                raise ValueError(f"field name {name[:64]!r} is not allowed")
            _check_value(value, 1)
        return self

    def fields(self) -> dict[str, Any]:
        """The preset fields sent (ids, ``defaultPreset`` and server fields left out)."""
        data = self.model_dump(exclude_unset=True,
                               exclude={"presetId", "newPresetId", "defaultPreset"})
        return {k: v for k, v in data.items() if k not in SERVER_FIELDS}


class DeletePresetsRequest(BaseModel):
    """``POST /api/presets/delete``: ``{presetId}`` deletes one; without it, all of the
    caller's presets go (LibreChat's ``deletePresets`` with an empty filter)."""

    model_config = ConfigDict(extra="ignore")

    presetId: str | None = Field(default=None, max_length=256)


class PresetView(BaseModel):
    """A preset as LibreChat answers it: every stored field but the tenant."""

    model_config = ConfigDict(extra="allow")

    presetId: str
    user: str
    title: str | None = None
    defaultPreset: bool | None = None
    order: int | None = None
    endpoint: str | None = None
    endpointType: str | None = None
    model: str | None = None

    @model_serializer(mode="wrap")
    def _unset_when_null(self, handler: SerializerFunctionWrapHandler) -> Any:
        """A cleared ``defaultPreset``/``order`` is absent, as after LibreChat's ``$unset``."""
        data = handler(self)
        return {k: v for k, v in data.items() if v is not None or k not in _UNSETTABLE}

    @classmethod
    def of(cls, preset: Preset) -> PresetView:
        return cls.model_validate(preset.model_dump(mode="json", by_alias=True,
                                                    exclude={"tenantId"}))


_UNSETTABLE = frozenset({"defaultPreset", "order"})


class DeletePresetsResult(BaseModel):
    """MongoDB's ``deleteMany`` result, which LibreChat sends back as is."""

    acknowledged: bool = True
    deletedCount: int


def document_size(doc: dict[str, Any]) -> int:
    """Bytes of ``doc`` as compact JSON (how big a stored preset is)."""
    return len(json.dumps(doc, default=str, separators=(",", ":")).encode())
