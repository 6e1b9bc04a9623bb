"""The SSRF guard's allow-lists, read from ``gorunchat.yaml`` in one place.

``mcpSettings`` (LibreChat's key) governs MCP servers users add and the OAuth endpoints MCP
servers lead to; ``actions`` governs action servers and an OAuth action's token URL.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from gorunchat.adapters.net.ssrf import AllowList
from gorunchat.contracts.settings import Settings


class McpSettings(BaseModel):
    """``mcpSettings`` in ``gorunchat.yaml``: the guard's allow-lists for MCP."""

    allowedDomains: list[str] = Field(default_factory=list)
    allowedAddresses: list[str] = Field(default_factory=list)


def mcp_settings(settings: Settings) -> McpSettings:
    extra = settings.app.model_extra or {}
    return McpSettings.model_validate(extra.get("mcpSettings") or {})


def mcp_allow_list(settings: Settings, trusted: Sequence[str] = ()) -> AllowList:
    """``mcpSettings``, plus hosts the admin named (exempt from the private-address rule)."""
    conf = mcp_settings(settings)
    return AllowList.build(conf.allowedDomains, conf.allowedAddresses, list(trusted))


def actions_allow_list(settings: Settings) -> AllowList:
    """``actions.allowedDomains`` and ``actions.allowedAddresses``."""
    conf = settings.app.actions
    extra = conf.model_extra or {}
    return AllowList.build(conf.allowedDomains, extra.get("allowedAddresses") or [])
