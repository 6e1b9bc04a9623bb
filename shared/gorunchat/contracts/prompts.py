"""The prompt library: LibreChat's ``prompts`` and ``promptgroups`` collections and the DTOs
of ``/api/prompts`` and ``/api/categories``.

A *prompt group* is a named, shareable entry of the library (``name``, ``oneliner``,
``category``, slash ``command``); its *prompts* are its versions. ``productionId`` names the
version in use. Groups are shared through the ACL (resource type ``promptGroup``).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from gorunchat.contracts.documents import Document

#: LibreChat's ``Constants.COMMANDS_MAX_LENGTH``.
COMMAND_MAX_LENGTH = 56
_COMMAND = re.compile(r"^[a-z0-9-]*$")
#: LibreChat's ``SystemCategories``: filters of the library, never stored on a group.
MY_PROMPTS = "sys__my__prompts__sys"
NO_CATEGORY = "sys__no__category__sys"
SHARED_PROMPTS = "sys__shared__prompts__sys"
ALL_CATEGORIES = "sys__all__sys"
SYSTEM_PREFIX = "sys__"


class Prompt(Document):
    """One version of a prompt group (collection ``prompts``)."""

    collection: ClassVar[str] = "prompts"

    id: str = Field(alias="_id")
    groupId: str
    author: str
    prompt: str
    type: Literal["text", "chat"] = "text"


class PromptGroup(Document):
    """A library entry (collection ``promptgroups``); ``productionId`` is its current prompt."""

    collection: ClassVar[str] = "promptgroups"

    id: str = Field(alias="_id")
    name: str
    numberOfGenerations: int = 0
    oneliner: str = ""
    category: str = ""
    projectIds: list[str] = Field(default_factory=list)
    productionId: str | None = None
    author: str
    authorName: str = ""
    command: str | None = None


# Requests ------------------------------------------------------------------------------

def _command(value: str | None) -> str | None:
    """LibreChat's rule: lowercase letters, digits and hyphens, at most 56 characters;
    empty means no command."""
    if value is None:
        return None
    if len(value) > COMMAND_MAX_LENGTH:
        raise ValueError(f"the command is longer than {COMMAND_MAX_LENGTH} characters")
    if not _COMMAND.match(value):
        raise ValueError("the command may only hold lowercase letters, digits and hyphens")
    return value or None


def _category(value: str | None) -> str | None:
    if value is not None and value.startswith(SYSTEM_PREFIX):
        raise ValueError("system categories are filters, not categories of a group")
    return value


def _name(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("the name must not be blank")
    return value


class PromptIn(BaseModel):
    """The prompt part of a create or add body: its text and kind."""

    model_config = ConfigDict(extra="ignore")

    prompt: str = Field(min_length=1, max_length=100_000)
    type: Literal["text", "chat"] = "text"
    groupId: str | None = Field(default=None, max_length=64)

    @field_validator("prompt")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the prompt must not be blank")
        return value


class GroupIn(BaseModel):
    """The group part of ``POST /api/prompts``."""

    model_config = ConfigDict(extra="ignore")

    name: str = Field(max_length=256)
    oneliner: str = Field(default="", max_length=1024)
    category: str = Field(default="", max_length=100)
    command: str | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str) -> str:
        return _name(value)

    @field_validator("category")
    @classmethod
    def _categorized(cls, value: str) -> str:
        return _category(value) or ""

    @field_validator("command")
    @classmethod
    def _commanded(cls, value: str | None) -> str | None:
        return _command(value)


class CreatePromptRequest(BaseModel):
    """``POST /api/prompts``: ``{prompt, group}`` creates a group with its first prompt;
    ``{prompt: {groupId, ...}}`` adds a version to an existing group (LibreChat's
    ``savePrompt`` body)."""

    model_config = ConfigDict(extra="ignore")

    prompt: PromptIn
    group: GroupIn | None = None


class AddPromptRequest(BaseModel):
    """``POST /api/prompts/groups/:groupId/prompts``: a new version of the group."""

    model_config = ConfigDict(extra="ignore")

    prompt: PromptIn


class UpdateGroupRequest(BaseModel):
    """``PATCH /api/prompts/groups/:groupId``: LibreChat's strict update schema (these four
    fields and nothing else; ``command: null`` or ``""`` removes the command)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=256)
    oneliner: str | None = Field(default=None, max_length=1024)
    category: str | None = Field(default=None, max_length=100)
    command: str | None = None

    @field_validator("name")
    @classmethod
    def _named(cls, value: str | None) -> str | None:
        return None if value is None else _name(value)

    @field_validator("category")
    @classmethod
    def _categorized(cls, value: str | None) -> str | None:
        return _category(value)

    @field_validator("command")
    @classmethod
    def _commanded(cls, value: str | None) -> str | None:
        return _command(value)


class PromptsQuery(BaseModel):
    """``GET /api/prompts``: the versions of one group, or the caller's own prompts."""

    model_config = ConfigDict(extra="ignore")

    groupId: str | None = Field(default=None, max_length=64)


class GroupFilter(BaseModel):
    """``name`` (case-insensitive substring) and ``category`` (or a system category)."""

    model_config = ConfigDict(extra="ignore")

    name: str | None = Field(default=None, max_length=256)
    category: str | None = Field(default=None, max_length=100)


class GroupsQuery(GroupFilter):
    """``GET /api/prompts/groups``: a cursor page (``limit`` or ``pageSize``, ``cursor``),
    or with ``pageNumber`` and no cursor, that page of ``pageSize``."""

    limit: int | None = Field(default=None, ge=1, le=100)
    pageSize: int | None = Field(default=None, ge=1, le=100)
    pageNumber: int | None = Field(default=None, ge=1, le=100_000)
    cursor: str | None = Field(default=None, max_length=512)

    @field_validator("cursor")
    @classmethod
    def _no_placeholder(cls, value: str | None) -> str | None:
        """LibreChat's client sends ``"undefined"``/``"null"`` for the first page."""
        return None if value in ("", "undefined", "null") else value


# Responses -----------------------------------------------------------------------------

class PromptView(BaseModel):
    """A prompt as LibreChat sends it."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id")
    groupId: str
    author: str
    prompt: str
    type: str
    createdAt: datetime
    updatedAt: datetime

    @classmethod
    def of(cls, prompt: Prompt) -> PromptView:
        return cls.model_validate(prompt.model_dump(by_alias=True))


class ProductionPrompt(BaseModel):
    prompt: str


class PromptGroupView(BaseModel):
    """A group with the text of its production prompt; ``isPublic`` when shared with all."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(alias="_id")
    name: str
    numberOfGenerations: int
    oneliner: str
    category: str
    projectIds: list[str]
    productionId: str | None
    author: str
    authorName: str
    command: str | None
    createdAt: datetime
    updatedAt: datetime
    productionPrompt: ProductionPrompt | None = None
    isPublic: bool = False

    @classmethod
    def of(cls, group: PromptGroup, production: Prompt | None, *, public: bool = False
           ) -> PromptGroupView:
        data: dict[str, Any] = group.model_dump(by_alias=True)
        data["productionPrompt"] = (ProductionPrompt(prompt=production.prompt)
                                    if production is not None else None)
        data["isPublic"] = public
        return cls.model_validate(data)


class CreatePromptResponse(BaseModel):
    """``{prompt, group?}``: ``group`` only when a group was created."""

    prompt: PromptView
    group: PromptGroupView | None = None


class PromptGroupsPage(BaseModel):
    """LibreChat's ``PromptGroupListResponse`` of ``GET /api/prompts/groups``."""

    promptGroups: list[PromptGroupView]
    pageNumber: str
    pageSize: str
    pages: str
    has_more: bool
    after: str | None = None


class GroupDeleted(BaseModel):
    message: str = "Prompt group deleted successfully"
    id: str | None = None


class PromptDeleted(BaseModel):
    """``{prompt}`` and, when the last version went, ``promptGroup`` (LibreChat's shape)."""

    prompt: str = "Prompt deleted successfully"
    promptGroup: GroupDeleted | None = None


class ProductionMade(BaseModel):
    message: str = "Prompt production made successfully"


class UsageRecorded(BaseModel):
    numberOfGenerations: int


# Categories ----------------------------------------------------------------------------

class Category(BaseModel):
    """One entry of ``GET /api/categories``; ``label`` is a client localization key or text."""

    model_config = ConfigDict(extra="ignore")

    label: str = Field(default="", max_length=100)
    value: str = Field(min_length=1, max_length=100)

    @field_validator("value")
    @classmethod
    def _plain(cls, value: str) -> str:
        value = value.strip()
        if not value or value.startswith(SYSTEM_PREFIX):
            raise ValueError("a category value must not be blank or start with sys__")
        return value


class CategoriesConfig(BaseModel):
    """``prompts.categories`` of ``gorunchat.yaml`` (as in recent LibreChat): the built-in
    list, ``list`` appended to it, or ``list`` alone with ``enableDefaultCategories: false``."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    enableDefaultCategories: bool = True
    list_: list[Category] = Field(default_factory=list, alias="list", max_length=50)


DEFAULT_CATEGORIES: tuple[Category, ...] = tuple(
    Category(label=f"com_ui_{value}", value=value)
    for value in ("idea", "travel", "teach_or_explain", "write", "shop", "code", "misc",
                  "roleplay", "finance"))
