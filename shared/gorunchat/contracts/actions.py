"""Actions (OpenAPI tools of an agent): LibreChat's ``actions`` collection and route DTOs."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from gorunchat.contracts.documents import Document

ACTION_DELIMITER = "_action_"  # LibreChat's ``actionDelimiter`` in tool names


class ActionAuth(BaseModel):
    model_config = ConfigDict(extra="allow")

    type: Literal["none", "service_http", "oauth"] = "none"
    authorization_type: Literal["bearer", "basic", "custom"] | None = None
    custom_auth_header: str | None = Field(default=None, max_length=128)
    authorization_url: str | None = None
    client_url: str | None = None
    scope: str | None = None
    token_exchange_method: str | None = None


class ActionMetadata(BaseModel):
    """What the client sends: the spec, the auth, and secrets (sealed before storing)."""

    model_config = ConfigDict(extra="allow")

    raw_spec: str = Field(max_length=1_000_000)
    domain: str | None = Field(default=None, max_length=253)
    auth: ActionAuth = Field(default_factory=ActionAuth)
    api_key: str | None = Field(default=None, max_length=4096)
    oauth_client_id: str | None = Field(default=None, max_length=512)
    oauth_client_secret: str | None = Field(default=None, max_length=4096)
    privacy_policy_url: str | None = None


class ActionSaveRequest(BaseModel):
    model_config = ConfigDict(extra="allow")

    action_id: str | None = Field(default=None, max_length=64)
    functions: list[dict[str, Any]] = Field(default_factory=list)
    metadata: ActionMetadata


class ActionDoc(Document):
    """A stored action; ``metadata`` keeps the spec and auth, secrets only sealed."""

    collection: ClassVar[str] = "actions"
    key: ClassVar[str] = "action_id"

    action_id: str
    agent_id: str
    user: str
    type: str = "action_prototype"
    metadata: dict[str, Any]


class ActionOut(BaseModel):
    action_id: str
    agent_id: str
    domain: str
    tools: list[str]
    metadata: dict[str, Any]


class ActionDeleteResponse(BaseModel):
    message: str = "Action deleted successfully"
    action_id: str
