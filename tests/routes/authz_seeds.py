"""Seed data for the authorization matrix (``test_authorization_matrix.py``).

A *seeder* creates, in tenant ``default``, a resource owned by ``owner`` and returns the
path parameters (and, where a route needs them, a body or query) that address it. Seeders
are looked up by route path template first, then by the set of path parameter names, so a
route added later with familiar parameters (``conversationId``, ``messageId``, ``tag``...)
is covered without a change here. A served route with a resource id that has neither a
seeder nor an entry in ``EXEMPT`` fails the matrix: add one or the other.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gorunchat.bootstrap import Container
from gorunchat.contracts.documents import Conversation, Document, Message, Session, User, utcnow
from gorunchat.domain.ids import new_uuid, object_id

TENANT = "default"


@dataclass
class Seeded:
    params: dict[str, str]
    body: Any = None
    query: dict[str, str] = field(default_factory=dict)
    #: Makes ``stranger`` able to use the resource (an ACL grant); ``None`` if nothing can.
    grant: Callable[[User], None] | None = None


Seeder = Callable[[Container, User], Seeded]


def put(container: Container, *docs: Document) -> None:
    with container.store.unit_of_work(TENANT) as uow:
        for doc in docs:
            uow.repo(type(doc)).insert(doc)
        uow.commit()


def _conversation(container: Container, owner: User) -> Conversation:
    convo = Conversation(conversationId=new_uuid(), user=owner.id, title="Owner's chat",
                         tenantId=TENANT)
    put(container, convo)
    return convo


def _message(container: Container, owner: User) -> Message:
    convo = _conversation(container, owner)
    msg = Message(messageId=new_uuid(), conversationId=convo.conversationId, user=owner.id,
                  text="private words", isCreatedByUser=True, tenantId=TENANT)
    put(container, msg)
    return msg


def seed_conversation(container: Container, owner: User) -> Seeded:
    return Seeded({"conversationId": _conversation(container, owner).conversationId})


def seed_message(container: Container, owner: User) -> Seeded:
    msg = _message(container, owner)
    return Seeded({"conversationId": msg.conversationId, "messageId": msg.messageId})


def seed_artifact_message(container: Container, owner: User) -> Seeded:
    return Seeded({"messageId": _message(container, owner).messageId})


def seed_tag(container: Container, owner: User) -> Seeded:
    from gorunchat.contracts.library import ConversationTag

    tag = ConversationTag(id=object_id(), tag="owner-only", user=owner.id, tenantId=TENANT)
    put(container, tag)
    return Seeded({"tag": tag.tag})


def seed_memory(container: Container, owner: User) -> Seeded:
    from gorunchat.contracts.memories import MemoryEntry

    put(container, MemoryEntry.model_validate({"_id": object_id(), "userId": owner.id,
                                               "key": "owner_only", "value": "private",
                                               "tenantId": TENANT}))
    return Seeded({"key": "owner_only"}, body={"value": "rewritten"})


def _file(container: Container, owner: User) -> Document:
    from gorunchat.contracts.library import StoredFile

    stored = StoredFile(file_id=new_uuid(), user=owner.id, bytes=5, filename="secret.txt",
                        filepath="/files/secret.txt", type="text/plain", tenantId=TENANT,
                        text="hello")
    put(container, stored)
    container.blobs.put(stored.file_id, b"hello", "text/plain")
    return stored


def seed_file(container: Container, owner: User) -> Seeded:
    return Seeded({"file_id": str(_file(container, owner).key_value)})


def seed_user_file(container: Container, owner: User) -> Seeded:
    return Seeded({"userId": owner.id, "file_id": str(_file(container, owner).key_value)})


def seed_session(container: Container, owner: User) -> Seeded:
    from datetime import timedelta

    sid = object_id()
    session = Session(id=sid, familyId=sid, user=owner.id, refreshTokenHash=new_uuid(),
                      expiration=utcnow() + timedelta(days=1), tenantId=TENANT)
    put(container, session)
    return Seeded({"sessionId": session.id})


def seed_shared_agent(container: Container, owner: User) -> Seeded:
    """An agent id with its owner's ACL entry, as the agents context writes on create."""
    from gorunchat.domain.permissions import ResourceType
    from gorunchat.services import acl

    agent_id = f"agent_{new_uuid()}"
    with container.store.unit_of_work(TENANT) as uow:
        acl.grant_owner(uow, ResourceType.AGENT, agent_id, owner.id)
        uow.commit()

    def grant(stranger: User) -> None:
        from gorunchat.contracts.acl import AclEntry

        put(container, AclEntry(id=object_id(), principalType="user", principalId=stranger.id,
                                resourceType="agent", resourceId=agent_id, permBits=15,
                                roleId="agent_owner", tenantId=TENANT))

    return Seeded({"resourceType": "agent", "resourceId": agent_id}, body={}, grant=grant)


# prompt library -----------------------------------------------------------------------

def _prompt_group(container: Container, owner: User) -> tuple[str, str, Callable[[User], None]]:
    """A prompt group with one version and its owner's ACL entry, as ``POST /api/prompts``
    writes them. The grant makes the stranger an editor: every route then finds the group
    (deleting answers 403), and the owner's delete, probed last, still has it to delete."""
    from gorunchat.contracts.acl import AclEntry
    from gorunchat.contracts.prompts import Prompt, PromptGroup
    from gorunchat.domain.permissions import ResourceType
    from gorunchat.services import acl

    group_id, prompt_id = object_id(), object_id()
    put(container, Prompt.model_validate({"_id": prompt_id, "groupId": group_id,
                                          "author": owner.id, "prompt": "owner's words",
                                          "tenantId": TENANT}),
        PromptGroup.model_validate({"_id": group_id, "name": "Owner's prompt",
                                    "author": owner.id, "productionId": prompt_id,
                                    "tenantId": TENANT}))
    with container.store.unit_of_work(TENANT) as uow:
        acl.grant_owner(uow, ResourceType.PROMPTGROUP, group_id, owner.id)
        uow.commit()

    def grant(stranger: User) -> None:
        put(container, AclEntry(id=object_id(), principalType="user", principalId=stranger.id,
                                resourceType="promptGroup", resourceId=group_id, permBits=3,
                                roleId="promptGroup_editor", tenantId=TENANT))

    return group_id, prompt_id, grant


_PROMPT_BODY = {"name": "stolen", "prompt": {"prompt": "stolen words"}}


def seed_prompt_group(container: Container, owner: User) -> Seeded:
    group_id, _, grant = _prompt_group(container, owner)
    return Seeded({"groupId": group_id}, body=_PROMPT_BODY, grant=grant)


def seed_prompt(container: Container, owner: User) -> Seeded:
    _, prompt_id, grant = _prompt_group(container, owner)
    return Seeded({"promptId": prompt_id}, body=_PROMPT_BODY, grant=grant)


# shared links: a link opens for anyone in the tenant who holds it (signed in by default) ---

def _shared(container: Container, owner: User, files: list[dict[str, str]] | None = None
            ) -> str:
    from gorunchat.contracts.library import SharedLink

    msg = _message(container, owner)
    if files:
        with container.store.unit_of_work(TENANT) as uow:
            uow.messages.update(msg.messageId, {"files": files})
            uow.commit()
    share_id = new_uuid().replace("-", "")
    put(container, SharedLink(shareId=share_id, conversationId=msg.conversationId,
                              user=owner.id, messages=[msg.messageId], tenantId=TENANT))
    return share_id


def seed_share(container: Container, owner: User) -> Seeded:
    return Seeded({"shareId": _shared(container, owner)})


def seed_share_file(container: Container, owner: User) -> Seeded:
    file_id = str(_file(container, owner).key_value)
    return Seeded({"shareId": _shared(container, owner, [{"file_id": file_id}]),
                   "file_id": file_id})


# MCP servers and actions (issue 10) ------------------------------------------------------

def seed_mcp_server(container: Container, owner: User) -> Seeded:
    """A user-added MCP server (owner's ACL entry); its host never resolves, so nothing dials
    out."""
    from gorunchat.contracts.acl import AclEntry
    from gorunchat.contracts.mcp import McpServerDoc
    from gorunchat.domain.permissions import ResourceType
    from gorunchat.services import acl

    name = f"srv_{new_uuid()[:8]}"
    config = {"type": "streamable-http", "url": "https://mcp.invalid/mcp"}
    doc = McpServerDoc(id=object_id(), serverName=name, config=config, author=owner.id,
                       tenantId=TENANT)
    with container.store.unit_of_work(TENANT) as uow:
        uow.repo(McpServerDoc).insert(doc)
        acl.grant_owner(uow, ResourceType.MCPSERVER, doc.id, owner.id)
        uow.commit()

    def grant(stranger: User) -> None:
        put(container, AclEntry(id=object_id(), principalType="user", principalId=stranger.id,
                                resourceType="mcpServer", resourceId=doc.id, permBits=1,
                                roleId="mcpServer_viewer", tenantId=TENANT))

    return Seeded({"serverName": name, "toolId": f"echo_mcp_{name}"},
                  body={"config": config, "flowId": "none", "conversationId": "c"},
                  grant=grant)


def seed_action(container: Container, owner: User) -> Seeded:
    """An action the owner saved for their agent (saving and deleting need EDIT on it)."""
    from gorunchat.contracts.actions import ActionDoc

    agent_id = seed_agent(container, owner).params["agent_id"]
    spec = ('{"openapi": "3.0.0", "servers": [{"url": "https://api.example.com"}], '
            '"paths": {"/x": {"get": {"operationId": "x"}}}}')
    action = ActionDoc(action_id=object_id(), agent_id=agent_id, user=owner.id,
                       metadata={"raw_spec": spec, "domain": "api.example.com"},
                       tenantId=TENANT)
    put(container, action)
    return Seeded({"agent_id": agent_id, "action_id": action.action_id})


def seed_agent(container: Container, owner: User) -> Seeded:
    """An agent with one version and its owner's ACL entry; ``grant`` makes the stranger a
    viewer, so routes needing more answer 403 and the owner can still delete it last."""
    from gorunchat.contracts.acl import AclEntry
    from gorunchat.contracts.agents import Agent
    from gorunchat.domain.permissions import ResourceType
    from gorunchat.services import acl

    agent = Agent(_id=object_id(), id=f"agent_{new_uuid()[:21]}", name="Owner's agent",
                  provider="openAI", author=owner.id, tenantId=TENANT,
                  versions=[{"name": "Owner's agent", "provider": "openAI"}])
    with container.store.unit_of_work(TENANT) as uow:
        uow.repo(Agent).insert(agent)
        acl.grant_owner(uow, ResourceType.AGENT, agent.oid, owner.id)
        uow.commit()

    def grant(stranger: User) -> None:
        put(container, AclEntry(id=object_id(), principalType="user", principalId=stranger.id,
                                resourceType="agent", resourceId=agent.oid, permBits=1,
                                roleId="agent_viewer", tenantId=TENANT))

    return Seeded({"id": agent.id, "agent_id": agent.id}, body={"version_index": 0},
                  grant=grant)


# admin routes: the resource is a tenant's user, role, group or config override ------------

def seed_admin_user(container: Container, owner: User) -> Seeded:
    target = User(id=object_id(), email=f"{object_id()}@example.com", tenantId=TENANT)
    put(container, target)
    return Seeded({"id": target.id}, body={"role": "USER"})


def _custom_role(container: Container) -> str:
    from gorunchat.contracts.roles import RoleDoc, default_permissions

    name = f"ANALYSTS_{object_id()[-6:]}"
    put(container, RoleDoc(name=name, permissions=default_permissions(name), tenantId=TENANT))
    return name


def seed_role(container: Container, owner: User) -> Seeded:
    return Seeded({"name": _custom_role(container)}, body={"permissions": {}})


def seed_roles_route(container: Container, owner: User) -> Seeded:
    return Seeded({"roleName": _custom_role(container)}, body={})


def seed_role_member(container: Container, owner: User) -> Seeded:
    name = _custom_role(container)
    member = User(id=object_id(), email=f"{object_id()}@example.com", role=name,
                  tenantId=TENANT)
    put(container, member)
    return Seeded({"name": name, "userId": member.id}, body={"userId": member.id})


def _group(container: Container, member_ids: list[str]) -> str:
    from gorunchat.contracts.acl import Group

    group = Group(id=object_id(), name=f"team-{object_id()[-6:]}", memberIds=member_ids,
                  tenantId=TENANT)
    put(container, group)
    return group.id


def seed_group(container: Container, owner: User) -> Seeded:
    return Seeded({"id": _group(container, [])}, body={"userId": owner.id})


def seed_group_member(container: Container, owner: User) -> Seeded:
    return Seeded({"id": _group(container, [owner.id]), "userId": owner.id})


def seed_config(container: Container, owner: User) -> Seeded:
    from gorunchat.contracts.admin_config import ConfigOverride

    group_id = _group(container, [])
    put(container, ConfigOverride(id=object_id(), principalType="group", principalId=group_id,
                                  principalModel="Group",
                                  overrides={"interface": {"agents": False}},
                                  tombstones=["interface.prompts"], tenantId=TENANT))
    return Seeded({"principalType": "group", "principalId": group_id},
                  body={"overrides": {}, "entries": [{"fieldPath": "interface.presets",
                                                      "value": False}],
                        "fieldPath": "interface.prompts", "isActive": True},
                  query={"fieldPath": "interface.agents"})


def seed_grant(container: Container, owner: User) -> Seeded:
    from gorunchat.contracts.admin_config import SystemGrant

    group_id = _group(container, [])
    put(container, SystemGrant(id=object_id(), principalType="group", principalId=group_id,
                               capability="read:users", tenantId=TENANT))
    return Seeded({"principalType": "group", "principalId": group_id,
                   "capability": "read:users"})


def seed_hold(container: Container, owner: User) -> Seeded:
    from gorunchat.contracts.holds import LegalHold

    hold = LegalHold(id=object_id(), name="Matter 7", scope="users", custodians=[owner.id],
                     tenantId=TENANT)
    put(container, hold)
    return Seeded({"id": hold.id}, body={"reason": "matter closed"})


def seed_audit_record(container: Container, owner: User) -> Seeded:
    from gorunchat.contracts.audit import Actor, AuditEvent

    with container.store.unit_of_work(TENANT) as uow:
        uow.record(AuditEvent(action="matrix.seed", actor=Actor(userId=owner.id)))
        uow.commit()
    record = container.store.audit_log(TENANT).records(descending=True, limit=1)[0]
    return Seeded({"id": record.id})


def seed_export(container: Container, owner: User) -> Seeded:
    from datetime import timedelta

    from gorunchat.contracts.exports import ExportJob

    now = utcnow()
    job = ExportJob(id=object_id(), custodians=[owner.id], since=now - timedelta(days=1),
                    until=now, include=["audit"], tenantId=TENANT)
    put(container, job)
    return Seeded({"id": job.id}, query={"file": "manifest.json"})


#: By path template: where parameter names alone are ambiguous (``id``, ``name``).
BY_PATH: dict[str, Seeder] = {
    "/api/messages/artifact/:messageId": seed_artifact_message,
    "/api/admin/users/:id": seed_admin_user,
    "/api/admin/users/:id/role": seed_admin_user,
    "/api/admin/users/:id/ban": seed_admin_user,
    "/api/admin/roles/:name": seed_role,
    "/api/admin/roles/:name/members": seed_role_member,
    "/api/admin/roles/:name/members/:userId": seed_role_member,
    "/api/admin/roles/:name/permissions": seed_role,
    "/api/admin/groups/:id": seed_group,
    "/api/admin/groups/:id/members": seed_group,
    "/api/admin/groups/:id/members/:userId": seed_group_member,
    "/api/admin/grants/:principalType/:principalId": seed_grant,
    "/api/admin/grants/:principalType/:principalId/:capability": seed_grant,
    "/api/admin/holds/:id": seed_hold,
    "/api/admin/holds/:id/release": seed_hold,
    "/api/admin/audit-log/:id": seed_audit_record,
    "/api/admin/exports/:id": seed_export,
    "/api/admin/exports/:id/download": seed_export,
    "/api/agents/actions/:agent_id/:action_id": seed_action,
    "/api/agents/:id": seed_agent,
    "/api/agents/:id/duplicate": seed_agent,
    "/api/agents/:id/expanded": seed_agent,
    "/api/agents/:id/revert": seed_agent,
    "/api/agents/:id/versions": seed_agent,
    "/api/files/images/agents/:agent_id/avatar": seed_agent,
    "/api/files/agent/:agent_id": seed_agent,
    "/api/memories/:key": seed_memory,
}
#: By the set of path parameter names: covers routes added later with the same ids.
BY_PARAMS: dict[frozenset[str], Seeder] = {
    frozenset({"conversationId"}): seed_conversation,
    frozenset({"conversationId", "messageId"}): seed_message,
    frozenset({"tag"}): seed_tag,
    frozenset({"file_id"}): seed_file,
    frozenset({"userId", "file_id"}): seed_user_file,
    frozenset({"sessionId"}): seed_session,
    frozenset({"resourceType", "resourceId"}): seed_shared_agent,
    frozenset({"roleName"}): seed_roles_route,
    frozenset({"principalType", "principalId"}): seed_config,
    frozenset({"serverName"}): seed_mcp_server,
    frozenset({"toolId"}): seed_mcp_server,
    frozenset({"groupId"}): seed_prompt_group,
    frozenset({"promptId"}): seed_prompt,
    frozenset({"shareId"}): seed_share,
    frozenset({"shareId", "file_id"}): seed_share_file,
}

#: Served routes with path parameters that do not address another user's resource,
#: each with the reason (reviewed; keep it short and true).
EXEMPT: dict[str, str] = {
    "keys.delete": "the name addresses one of the caller's own keys; no cross-user lookup",
    "user.favorite_tool_put": "itemType/itemId name a tool the caller favourites for self",
    "user.favorite_tool_delete": "itemType/itemId name the caller's own favourite",
    "roles.acl_resource_roles": "the parameter is a resource type, not a resource id",
    "roles.acl_effective_all": "the parameter is a resource type; answers only the caller's",
    "agents.action_save": "a new action; the stranger's 404 on another's agent is in "
                          "tests/mcp/test_actions.py",
    "files.assistant_avatar": "GoRunChat has no assistants: every caller gets 404",
    "mcp.reinitialize": "the owner's call dials the server; stranger 404 is in tests/mcp",
    "mcp.oauth_initiate": "the owner's call runs OAuth discovery; stranger 404 in tests/mcp",
    "mcp.oauth_callback": "public callback; the flow (state) and the bind cookie address it",
    "mcp.oauth_tokens": "flows live in Redis, which route tests do not start; tests/mcp",
    "mcp.oauth_status": "flows live in Redis, which route tests do not start; tests/mcp",
    "mcp.oauth_bind": "flows live in Redis, which route tests do not start; tests/mcp",
    "agents.oauth_bind": "flows live in Redis; a stranger's 404 is in tests/mcp",
    "agents.oauth_callback": "public callback; the flow (state) and the bind cookie address "
                             "it (tests/mcp/test_action_oauth.py)",
}

#: What a same-tenant stranger gets where it is not 404, and why.
_LINK = "a shared link opens for anyone signed in to its tenant who holds its id"
STRANGER_STATUS: dict[str, tuple[int, str]] = {
    "roles.get": (403, "role names are tenant configuration; a non-admin may read only "
                       "USER and their own role"),
    "share.get": (200, _LINK),
    "share.config": (200, _LINK),
    "share.fork": (201, _LINK + "; the fork is the stranger's own conversation"),
    "share.file": (200, _LINK + ", with the files its messages attach"),
    "share.file_download": (200, _LINK + ", with the files its messages attach"),
    "share.file_preview": (200, _LINK + ", with the files its messages attach"),
}


def seeder_for(route_id: str, path: str, params: frozenset[str]) -> Seeder | None:
    return BY_PATH.get(path) or BY_PARAMS.get(params)
