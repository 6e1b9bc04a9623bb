"""MCP server configuration (``mcpServers`` in ``gorunchat.yaml``, LibreChat's shape) and the
DTOs of ``/api/mcp``."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gorunchat.contracts.documents import Document

Transport = Literal["stdio", "sse", "streamable-http"]
MCP_DELIMITER = "_mcp_"  # LibreChat's ``Constants.mcp_delimiter`` in tool keys


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)


class McpOAuthConfig(_Open):
    """Static OAuth settings; anything missing is discovered from the server."""

    authorization_url: str | None = None
    token_url: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    scope: str | None = None
    redirect_uri: str | None = None


class McpApiKeyConfig(_Open):
    """An API key sent as a header: set by the admin, or entered by each user."""

    source: Literal["admin", "user"] = "admin"
    authorization_type: Literal["bearer", "basic", "custom"] = "bearer"
    custom_header: str | None = None
    key: str | None = None


class CustomUserVar(_Open):
    title: str
    description: str | None = None


class McpServerConfig(_Open):
    """One entry of ``mcpServers``; ``type`` is inferred from ``command``/``url`` if absent."""

    type: Transport | Literal["http"] | None = None
    title: str | None = None
    description: str | None = None
    iconPath: str | None = None
    command: str | None = None
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    url: str | None = None
    headers: dict[str, str] = Field(default_factory=dict)
    timeout: int = Field(default=60_000, ge=1, description="per-call timeout, ms")
    initTimeout: int = Field(default=10_000, ge=1, description="connect timeout, ms")
    requiresOAuth: bool = False
    oauth: McpOAuthConfig | None = None
    apiKey: McpApiKeyConfig | None = None
    customUserVars: dict[str, CustomUserVar] = Field(default_factory=dict)
    chatMenu: bool = True
    serverInstructions: bool | str = False

    @model_validator(mode="after")
    def _infer_type(self) -> McpServerConfig:
        if self.type == "http":
            self.type = "streamable-http"
        if self.type is None:
            self.type = "stdio" if self.command else "streamable-http"
        if self.type == "stdio" and not self.command:
            raise ValueError("a stdio MCP server needs a command")
        if self.type != "stdio" and not self.url:
            raise ValueError(f"a {self.type} MCP server needs a url")
        return self

    @property
    def transport(self) -> Transport:
        return "stdio" if self.type == "stdio" else (
            "sse" if self.type == "sse" else "streamable-http")


class McpServerDoc(Document):
    """A user-added MCP server (LibreChat's ``mcpservers`` collection), shared by ACL."""

    collection: ClassVar[str] = "mcpservers"

    id: str = Field(alias="_id")
    serverName: str
    config: dict[str, Any]
    author: str


class McpServerCreate(BaseModel):
    """``POST /api/mcp/servers``: ``serverName`` defaults to a slug of ``config.title``."""

    serverName: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    config: McpServerConfig


class McpServerUpdate(BaseModel):
    config: McpServerConfig


class McpServerOut(BaseModel):
    serverName: str
    source: Literal["config", "user"]
    config: dict[str, Any]
    author: str | None = None
    dbId: str | None = None


class McpToolOut(BaseModel):
    name: str
    pluginKey: str
    serverName: str
    description: str | None = None
    inputSchema: dict[str, Any] = Field(default_factory=dict)


class McpConnectionState(BaseModel):
    serverName: str
    connectionState: Literal["connected", "connecting", "disconnected", "error"]
    requiresOAuth: bool = False
    error: str | None = None


class McpStatusResponse(BaseModel):
    success: bool = True
    connectionStatus: dict[str, McpConnectionState]


class McpServerStatusResponse(BaseModel):
    success: bool = True
    serverName: str
    connectionState: str
    requiresOAuth: bool = False
    error: str | None = None


class McpReinitializeResponse(BaseModel):
    success: bool
    message: str
    serverName: str
    oauthRequired: bool = False
    oauthUrl: str | None = None


class McpAuthValuesResponse(BaseModel):
    success: bool = True
    serverName: str
    authValueFlags: dict[str, bool]


class McpDeleteResponse(BaseModel):
    success: bool = True
    serverName: str
