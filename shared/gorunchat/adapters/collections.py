"""Per-collection storage facts shared by the adapters: key field, queried and array fields.

A field listed in ``indexed`` gets a real column (SQLite) or an index (MongoDB); every other
top-level field can still be filtered on, more slowly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from gorunchat.contracts.acl import AccessRole, AclEntry, Group
from gorunchat.contracts.actions import ActionDoc
from gorunchat.contracts.admin_audit import RetentionPolicy
from gorunchat.contracts.admin_config import ConfigOverride, SystemGrant
from gorunchat.contracts.agents import Agent
from gorunchat.contracts.auth import AuthToken
from gorunchat.contracts.balance import Balance, Transaction
from gorunchat.contracts.documents import Conversation, Document, Message, Session, User
from gorunchat.contracts.exports import ExportJob
from gorunchat.contracts.holds import LegalHold
from gorunchat.contracts.keys import UserKey
from gorunchat.contracts.library import ConversationTag, SharedLink, StoredFile, ToolCall
from gorunchat.contracts.mcp import McpServerDoc
from gorunchat.contracts.memories import MemoryEntry
from gorunchat.contracts.plugins import PluginAuth
from gorunchat.contracts.presets import Preset
from gorunchat.contracts.prompts import Prompt, PromptGroup
from gorunchat.contracts.roles import RoleDoc
from gorunchat.contracts.user import ToolFavorite


@dataclass(frozen=True)
class CollectionSpec:
    model: type[Document]
    indexed: tuple[str, ...]
    compound: tuple[tuple[str, ...], ...] = ()
    arrays: frozenset[str] = field(default_factory=frozenset)

    @property
    def name(self) -> str:
        return self.model.collection

    @property
    def key(self) -> str:
        # ``id`` is stored as ``_id`` (its alias), as in MongoDB.
        return "_id" if self.model.key == "id" else self.model.key


COLLECTIONS: dict[str, CollectionSpec] = {
    spec.name: spec
    for spec in (
        CollectionSpec(User, ("email", "username", "role", "provider", "createdAt")),
        CollectionSpec(Session, ("user", "familyId", "refreshTokenHash", "expiration")),
        CollectionSpec(AuthToken, ("userId", "email", "type", "expiresAt")),
        CollectionSpec(ToolFavorite, ("user", "itemType", "itemId")),
        CollectionSpec(PluginAuth, ("userId", "pluginKey", "authField")),
        CollectionSpec(
            Conversation,
            ("user", "updatedAt", "createdAt", "title", "isArchived", "isPinned"),
            compound=(("user", "updatedAt"), ("user", "createdAt"), ("user", "title")),
            arrays=frozenset({"tags", "files"}),
        ),
        CollectionSpec(
            Message,
            ("conversationId", "user", "createdAt", "parentMessageId"),
            compound=(("conversationId", "createdAt"),),
        ),
        CollectionSpec(ConversationTag, ("user", "tag", "position"),
                       compound=(("user", "tag"), ("user", "position"))),
        CollectionSpec(StoredFile, ("user", "conversationId", "createdAt"),
                       compound=(("user", "createdAt"),)),
        CollectionSpec(ToolCall, ("user", "conversationId")),
        CollectionSpec(SharedLink, ("user", "conversationId", "createdAt", "title"),
                       compound=(("user", "createdAt"), ("user", "title"))),
        CollectionSpec(LegalHold, ("status", "createdAt")),
        CollectionSpec(ExportJob, ("status", "createdAt")),
        CollectionSpec(RetentionPolicy, ()),
        # authorization and administration (issue 4)
        CollectionSpec(RoleDoc, ("createdAt",)),
        CollectionSpec(AccessRole, ("resourceType",)),
        CollectionSpec(AclEntry, ("resourceType", "resourceId", "principalType", "principalId"),
                       compound=(("resourceType", "resourceId"),
                                 ("principalType", "principalId"))),
        CollectionSpec(Group, ("name", "memberIds", "createdAt"),
                       arrays=frozenset({"memberIds"})),
        CollectionSpec(SystemGrant, ("principalType", "principalId", "capability")),
        CollectionSpec(ConfigOverride, ("principalType", "principalId", "priority")),
        CollectionSpec(UserKey, ("userId", "name"), compound=(("userId", "name"),)),
        CollectionSpec(Balance, ("user",)),
        CollectionSpec(Transaction, ("user", "createdAt"), compound=(("user", "createdAt"),)),
        # MCP and tools (issue 10)
        CollectionSpec(McpServerDoc, ("serverName", "author")),
        CollectionSpec(ActionDoc, ("user", "agent_id")),
        # agents (LibreChat's ``agents``: ``_id`` is the key the ACL uses, ``id`` the public id)
        CollectionSpec(Agent, ("id", "author", "category", "updatedAt")),
        # presets and memories
        CollectionSpec(Preset, ("user", "defaultPreset")),
        CollectionSpec(MemoryEntry, ("userId", "key"), compound=(("userId", "key"),)),
        # prompt library
        CollectionSpec(Prompt, ("groupId", "author", "createdAt")),
        CollectionSpec(PromptGroup, ("author", "name", "category", "command", "updatedAt")),
    )
}
