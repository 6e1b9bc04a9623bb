"""Per-user plugin credentials (LibreChat's ``pluginauths``) and ``POST /api/user/plugins``.

A credential is one ``authField`` of one ``pluginKey`` for one user: an MCP server's
``customUserVars`` (``pluginKey`` ``mcp_<serverName>``) or the key of a server whose
``apiKey.source`` is ``user`` (field :data:`USER_API_KEY_FIELD`). Values are stored sealed.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import BaseModel, Field, field_validator

from gorunchat.contracts.documents import Document

MCP_PLUGIN_PREFIX = "mcp_"  # LibreChat's ``Constants.mcp_prefix``
USER_API_KEY_FIELD = "MCP_API_KEY"
MAX_FIELDS = 50
MAX_PLUGINS = 200  # installed plugin keys per user (the list lives on the user document)
MAX_VALUE_CHARS = 8192


class PluginAuth(Document):
    collection: ClassVar[str] = "pluginauths"

    id: str = Field(alias="_id")
    userId: str
    pluginKey: str
    authField: str
    value: str  # sealed with SecretBox; never returned


class PluginsUpdate(BaseModel):
    """LibreChat's body: install or uninstall a plugin, optionally with its credentials."""

    pluginKey: str = Field(min_length=1, max_length=256)
    action: Literal["install", "uninstall"]
    auth: dict[str, str] | None = None
    isEntityTool: bool = False

    @field_validator("auth")
    @classmethod
    def _bounded(cls, auth: dict[str, str] | None) -> dict[str, str] | None:
        if auth is None:
            return None
        if len(auth) > MAX_FIELDS:
            raise ValueError(f"at most {MAX_FIELDS} credential fields")
        for name, value in auth.items():
            if not name or len(name) > 128:
                raise ValueError("credential field names are 1 to 128 characters")
            if len(value) > MAX_VALUE_CHARS:
                raise ValueError(f"{name}: at most {MAX_VALUE_CHARS} characters")
            if any(ord(c) < 32 or ord(c) == 127 for c in value):
                # values go into headers, URLs and environments: no line breaks or NULs
                raise ValueError(f"{name}: control characters are not allowed")
        return auth


class PluginsUpdateResponse(BaseModel):
    success: bool = True
    pluginKey: str
    action: str
    plugins: list[str]
    saved: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
