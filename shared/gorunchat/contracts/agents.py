"""Agents: LibreChat's ``agents`` collection and the DTOs of ``/api/agents`` and the avatars.

Field names are LibreChat's (``id`` is the public ``agent_…`` id, ``_id`` the document id the
ACL entries point at, ``author``, ``versions``, ``category``, ``is_promoted``...). Request
models ignore fields they do not know, as LibreChat's schemas strip them, but bound every
list and string they keep.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from gorunchat.contracts.documents import Document

#: Longest list of tools, conversation starters, agent ids... an agent may carry.
MAX_ITEMS = 128
ToolName = Annotated[str, StringConstraints(min_length=1, max_length=256,
                                            pattern=r"^[^\x00-\x1f\x7f]+$")]
ShortText = Annotated[str, StringConstraints(max_length=256)]
Starter = Annotated[str, StringConstraints(max_length=2000)]


class AgentAvatar(BaseModel):
    """Where an agent's picture is served from (LibreChat's ``{filepath, source}``)."""

    model_config = ConfigDict(extra="ignore")

    filepath: str = Field(max_length=2048)
    source: str = Field(max_length=32)


class SupportContact(BaseModel):
    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(default=None, max_length=256)
    email: str | None = Field(default=None, max_length=256)


class Agent(Document):
    """A stored agent. ``versions`` holds a snapshot of the agent after each change."""

    collection: ClassVar[str] = "agents"
    key: ClassVar[str] = "_id"

    oid: str = Field(alias="_id")
    id: str
    name: str | None = None
    description: str | None = None
    instructions: str | None = None
    avatar: dict[str, Any] | None = None
    provider: str
    model: str | None = None
    model_parameters: dict[str, Any] | None = None
    artifacts: str | None = None
    recursion_limit: int | None = None
    tools: list[str] = Field(default_factory=list)
    actions: list[str] = Field(default_factory=list)
    agent_ids: list[str] = Field(default_factory=list)
    conversation_starters: list[str] = Field(default_factory=list)
    tool_resources: dict[str, Any] = Field(default_factory=dict)
    author: str
    authorName: str | None = None
    category: str = "general"
    is_promoted: bool = False
    projectIds: list[str] = Field(default_factory=list)
    versions: list[dict[str, Any]] = Field(default_factory=list)


class _AgentFields(BaseModel):
    """What create and update share; unknown fields are dropped, as LibreChat's schema does."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(default=None, max_length=256)
    description: str | None = Field(default=None, max_length=4000)
    instructions: str | None = Field(default=None, max_length=100_000)
    avatar: AgentAvatar | None = None
    model_parameters: dict[str, Any] | None = None
    artifacts: str | None = Field(default=None, max_length=64)
    recursion_limit: int | None = Field(default=None, ge=1, le=1000)
    tools: list[ToolName] | None = Field(default=None, max_length=MAX_ITEMS)
    agent_ids: list[ShortText] | None = Field(default=None, max_length=MAX_ITEMS)
    edges: list[dict[str, Any]] | None = Field(default=None, max_length=MAX_ITEMS)
    conversation_starters: list[Starter] | None = Field(default=None, max_length=MAX_ITEMS)
    tool_resources: dict[str, dict[str, Any]] | None = None
    support_contact: SupportContact | None = None
    category: str | None = Field(default=None, max_length=64,
                                 pattern=r"^[A-Za-z0-9_-]*$")
    end_after_tools: bool | None = None
    hide_sequential_outputs: bool | None = None


class AgentCreate(_AgentFields):
    """``POST /api/agents``."""

    provider: str = Field(min_length=1, max_length=256)
    model: str | None = Field(default=None, max_length=256)


class AgentUpdate(_AgentFields):
    """``PATCH /api/agents/:id``: the fields sent change; ``"avatar": null`` removes it.

    ``projectIds``/``removeProjectIds`` are LibreChat's global sharing, gated by the role's
    ``SHARED_GLOBAL``; GoRunChat shares through ``/api/permissions`` instead.
    """

    provider: str | None = Field(default=None, min_length=1, max_length=256)
    model: str | None = Field(default=None, max_length=256)
    projectIds: list[ShortText] | None = Field(default=None, max_length=MAX_ITEMS)
    removeProjectIds: list[ShortText] | None = Field(default=None, max_length=MAX_ITEMS)


class AgentListQuery(BaseModel):
    """``GET /api/agents``: LibreChat's ``cursor`` (alias ``after``), filters and limit."""

    model_config = ConfigDict(extra="ignore")

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)
    after: str | None = Field(default=None, max_length=512)
    search: str | None = Field(default=None, max_length=1000)
    category: str | None = Field(default=None, max_length=64)
    promoted: str | None = Field(default=None, pattern=r"^[01]$")
    requiredPermission: int = Field(default=1, ge=1, le=15)


class AgentView(BaseModel):
    """An agent as the API answers it: the fields shown depend on the caller's permission,
    and ``author`` (an extra field) is there only for the author (LibreChat's rule)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    oid: str = Field(alias="_id")
    id: str
    name: str | None = None
    description: str | None = None
    avatar: dict[str, Any] | None = None
    createdAt: datetime | None = None
    updatedAt: datetime | None = None


class AgentList(BaseModel):
    """LibreChat's list shape; ``after`` is the cursor of the next page (``None`` at the end)."""

    object: str = "list"
    data: list[AgentView]
    first_id: str | None = None
    last_id: str | None = None
    has_more: bool = False
    after: str | None = None


class AgentCategory(BaseModel):
    value: str
    label: str
    count: int | None = None
    description: str | None = None


class RevertRequest(BaseModel):
    version_index: int = Field(ge=0)


class DuplicatedAction(BaseModel):
    """An action copied with a duplicated agent; its secrets are not copied."""

    action_id: str
    agent_id: str
    metadata: dict[str, Any]


class DuplicateResult(BaseModel):
    agent: AgentView
    actions: list[DuplicatedAction]


class AgentDeleted(BaseModel):
    message: str = "Agent deleted"


class AvatarUrl(BaseModel):
    """``POST /api/files/images/avatar``: where the new avatar is served."""

    url: str


class AgentVersion(BaseModel):
    """One entry of ``versions``: the agent's versioned fields after one change."""

    model_config = ConfigDict(extra="allow")

    createdAt: datetime | None = None
    updatedAt: datetime | None = None
    updatedBy: str | None = None
