"""Agents: LibreChat's agent builder records, shared through the ACL (resource ``agent``).

The creator becomes the owner (``acl.grant_owner`` on the agent's ``_id``); reading needs
``VIEW``, changing ``EDIT``, deleting ``DELETE``. The role gates the feature as LibreChat's
``checkAgentAccess``/``checkAgentCreate`` do: every route needs ``AGENTS.USE``; creating,
duplicating, changing and deleting need ``AGENTS.CREATE`` too. Every change appends a
version (``domain.agent_versions``) and is audited in the same unit of work, so it fails
closed. An agent whose author a legal hold covers is hidden when deleted, not destroyed.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import string
from datetime import UTC, datetime
from typing import Any

from gorunchat.contracts.acl import AclEntry
from gorunchat.contracts.actions import ACTION_DELIMITER, ActionDoc
from gorunchat.contracts.agents import (
    Agent,
    AgentCreate,
    AgentUpdate,
    AgentVersion,
    AgentView,
    DuplicatedAction,
    DuplicateResult,
)
from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.errors import BadRequest, Conflict, Forbidden, NotFound
from gorunchat.contracts.library import StoredFile
from gorunchat.contracts.roles import PermissionType
from gorunchat.domain import agent_versions as versions_rule
from gorunchat.domain.ids import object_id
from gorunchat.domain.permissions import PermissionBits, ResourceType
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import acl, holds
from gorunchat.services.caller import Caller
from gorunchat.services.search import chunks

RTYPE = ResourceType.AGENT
_NANOID = string.ascii_letters + string.digits + "_-"
#: The avatar file of an agent is marked ``avatarOf: "agent:<_id>"`` (``services.avatars``).
AVATAR_OF = "avatarOf"
_BASIC = ("_id", "id", "name", "description", "avatar", "author", "provider", "model",
          "projectIds", "isCollaborative", "isPublic", "version", "createdAt", "updatedAt")
_PRIVATE = ("tenantId", "hiddenAt", "hiddenBy")


def new_agent_id() -> str:
    """``agent_`` and a 21-character nanoid, as LibreChat names agents."""
    return "agent_" + "".join(secrets.choice(_NANOID) for _ in range(21))


def agent_avatar_key(agent: Agent) -> str:
    return f"agent:{agent.oid}"


def agent_not_found() -> NotFound:
    return NotFound("Agent not found.", code="AGENT_NOT_FOUND")


def require_feature(uow: UnitOfWork, caller: Caller, *flags: str) -> None:
    """The role's ``AGENTS`` flags (``USE``, ``CREATE``...); 403 when one is missing."""
    for flag in flags:
        if not acl.role_allows(uow, caller.principal, PermissionType.AGENTS, flag):
            raise Forbidden(f"Your role does not have the AGENTS {flag} permission.",
                            code=f"AGENTS_{flag}_FORBIDDEN")


def find(uow: UnitOfWork, agent_id: str) -> Agent | None:
    return uow.repo(Agent).find_one({"id": agent_id, **holds.VISIBLE})


def load(uow: UnitOfWork, caller: Caller, agent_id: str, needed: PermissionBits) -> Agent:
    """The agent if the caller has ``needed`` on it: 404 with no bits, 403 with too few."""
    agent = find(uow, agent_id)
    if agent is None:
        raise agent_not_found()
    try:
        acl.require(uow, caller.principal, RTYPE, agent.oid, needed)
    except NotFound as exc:
        raise agent_not_found() from exc
    return agent


def check(store: Store, caller: Caller, agent_id: str, needed: PermissionBits) -> None:
    """Refuse early (before an upload is read) a caller who may not ``needed`` the agent."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        require_feature(uow, caller, "USE")
        load(uow, caller, agent_id, needed)


def _is_public(uow: UnitOfWork, agent: Agent) -> bool:
    return any(e.principalType == "public" and e.permBits & PermissionBits.VIEW
               for e in acl.entries_for(uow, RTYPE, agent.oid))


def agent_data(agent: Agent, caller: Caller) -> dict[str, Any]:
    """The agent's fields as the caller may see them (before a view picks some)."""
    data = {k: v for k, v in agent.to_doc().items() if k not in _PRIVATE}
    if data.get("author") != caller.user_id:
        data.pop("author", None)
    data["isCollaborative"] = bool(data.get("isCollaborative"))
    data["version"] = len(agent.versions)
    return data


def full_view(uow: UnitOfWork, caller: Caller, agent: Agent) -> AgentView:
    """Everything, for a caller with ``EDIT`` (LibreChat's expanded agent)."""
    data = {**agent_data(agent, caller), "isPublic": _is_public(uow, agent)}
    return AgentView.model_validate(data)


def basic_view(uow: UnitOfWork, caller: Caller, agent: Agent) -> AgentView:
    """What a viewer without ``EDIT`` sees: no instructions, tools or versions."""
    data = {**agent_data(agent, caller), "isPublic": _is_public(uow, agent)}
    return AgentView.model_validate({k: data[k] for k in _BASIC if k in data})


def _audit(uow: UnitOfWork, caller: Caller, action: str, agent: Agent,
           **metadata: object) -> None:
    uow.record(AuditEvent(action=action, actor=caller.actor, targetType="agent",
                          targetId=agent.id, metadata={"name": agent.name, "dbId": agent.oid,
                                                       **metadata}))


def _tools(names: list[str]) -> list[str]:
    return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def _insert(uow: UnitOfWork, caller: Caller, agent_id: str, fields: dict[str, Any]) -> Agent:
    """Store a new agent (its first version is its state) and make the caller its owner."""
    now = utcnow()
    user = uow.users.get(caller.user_id)
    agent = Agent.model_validate({
        **fields, "_id": object_id(), "id": agent_id, "author": caller.user_id,
        "authorName": user.name if user else None, "tenantId": uow.tenant_id,
        "createdAt": now, "updatedAt": now,
        "versions": [{**fields, "createdAt": now, "updatedAt": now}]})
    uow.repo(Agent).insert(agent)
    acl.grant_owner(uow, RTYPE, agent.oid, caller.user_id)
    return agent


def create(store: Store, caller: Caller, body: AgentCreate) -> AgentView:
    """A new agent owned by the caller (``AGENTS.USE`` and ``CREATE``)."""
    fields = body.model_dump(mode="json", exclude_none=True)
    fields["tools"] = _tools(body.tools or [])
    with store.unit_of_work(caller.tenant_id) as uow:
        require_feature(uow, caller, "USE", "CREATE")
        agent = _insert(uow, caller, new_agent_id(), fields)
        _audit(uow, caller, "agent.create", agent, provider=agent.provider, model=agent.model)
        view = full_view(uow, caller, agent)
        uow.commit()
    return view


def _actions_hash(uow: UnitOfWork, agent: Agent) -> str | None:
    docs = uow.repo(ActionDoc).find({"agent_id": agent.id})
    if not docs:
        return None
    canonical = json.dumps(sorted(([d.action_id, d.metadata] for d in docs), key=str),
                           sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def apply_changes(uow: UnitOfWork, caller: Caller, agent: Agent, changes: dict[str, Any]
                  ) -> Agent:
    """Set ``changes`` and append the resulting version; 409 ``DUPLICATE_VERSION`` when the
    agent would be exactly its last version (LibreChat's rule)."""
    actions_hash = _actions_hash(uow, agent)
    would_be = {**versions_rule.snapshot(agent.to_doc()), **changes}
    index = versions_rule.duplicate_index(agent.versions, would_be, actions_hash)
    if index is not None:
        raise Conflict("Duplicate version: This would create a version identical to an "
                       "existing one", code="DUPLICATE_VERSION",
                       details=[{"versionIndex": index}])
    entry = {**would_be, "createdAt": agent.createdAt, "updatedAt": utcnow(),
             "updatedBy": caller.user_id, **({"actionsHash": actions_hash}
                                             if actions_hash else {})}
    history = versions_rule.append(agent.versions, entry)
    return uow.repo(Agent).update(agent.oid, {**changes, "versions": history}) or agent


def _changes(body: AgentUpdate) -> dict[str, Any]:
    changes = body.model_dump(mode="json", exclude_none=True,
                              exclude={"projectIds", "removeProjectIds"})
    if "avatar" in body.model_fields_set and body.avatar is None:
        changes["avatar"] = None  # an explicit null removes the avatar, as in LibreChat
    if "tools" in changes:
        changes["tools"] = _tools(body.tools or [])
    return changes


def update(store: Store, caller: Caller, agent_id: str, body: AgentUpdate) -> AgentView:
    """Change the fields sent (``EDIT``); a body that changes nothing writes nothing."""
    changes = _changes(body)
    with store.unit_of_work(caller.tenant_id) as uow:
        require_feature(uow, caller, "USE", "CREATE")
        if body.projectIds is not None or body.removeProjectIds is not None:
            require_feature(uow, caller, "SHARED_GLOBAL")
            raise BadRequest("Projects are not supported; share the agent through "
                             "/api/permissions instead.", code="AGENT_PROJECTS_UNSUPPORTED")
        agent = load(uow, caller, agent_id, PermissionBits.EDIT)
        if not changes:
            return full_view(uow, caller, agent)
        updated = apply_changes(uow, caller, agent, changes)
        _audit(uow, caller, "agent.update", updated, fields=sorted(changes))
        view = full_view(uow, caller, updated)
        uow.commit()
    return view


def get(store: Store, caller: Caller, agent_id: str, *, expanded: bool) -> AgentView:
    """``VIEW`` answers the basic projection; ``expanded`` needs ``EDIT`` and answers
    everything (LibreChat's ``GET /:id`` and ``GET /:id/expanded``)."""
    needed = PermissionBits.EDIT if expanded else PermissionBits.VIEW
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        require_feature(uow, caller, "USE")
        agent = load(uow, caller, agent_id, needed)
        return (full_view if expanded else basic_view)(uow, caller, agent)


def versions(store: Store, caller: Caller, agent_id: str) -> list[AgentVersion]:
    """The agent's versions, oldest first (``EDIT``: they hold the full configuration)."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        require_feature(uow, caller, "USE")
        agent = load(uow, caller, agent_id, PermissionBits.EDIT)
    return [AgentVersion.model_validate(v) for v in agent.versions]


def _defaults() -> dict[str, Any]:
    return {name: field.get_default(call_default_factory=True)
            for name, field in Agent.model_fields.items() if not field.is_required()}


def revert(store: Store, caller: Caller, agent_id: str, index: int) -> AgentView:
    """Put the agent back to ``versions[index]`` (no version is appended, as in LibreChat)."""
    with store.unit_of_work(caller.tenant_id) as uow:
        require_feature(uow, caller, "USE", "CREATE")
        agent = load(uow, caller, agent_id, PermissionBits.EDIT)
        if index >= len(agent.versions):
            raise BadRequest(f"Version {index} not found.", code="AGENT_VERSION_NOT_FOUND")
        changes = versions_rule.restorable(agent.versions[index], agent.to_doc(), _defaults())
        updated = uow.repo(Agent).update(agent.oid, changes) or agent
        _audit(uow, caller, "agent.revert", updated, versionIndex=index)
        view = full_view(uow, caller, updated)
        uow.commit()
    return view


def dispose(uow: UnitOfWork, agent: Agent, by: str | None
            ) -> tuple[list[StoredFile], dict[str, Any]]:
    """Delete ``agent`` with its ACL entries, actions and avatar record, or hide it when a
    hold covers its author; the avatar files whose blobs may go, and the audit outcome."""
    found = holds.covering(holds.active_holds(uow), agent.author, None)
    if found:
        holds.hide(uow.repo(Agent), {"_id": agent.oid}, by=by)
        return [], holds.disposition(found)
    avatars = uow.repo(StoredFile).find({AVATAR_OF: agent_avatar_key(agent)})
    for stored in avatars:
        uow.repo(StoredFile).delete(stored.file_id)
    uow.repo(Agent).delete(agent.oid)
    entries = acl.delete_resource_entries(uow, RTYPE, agent.oid)
    actions = uow.repo(ActionDoc).delete_many({"agent_id": agent.id})
    return avatars, {"aclEntries": entries, "actions": actions}


def delete(store: Store, caller: Caller, agent_id: str) -> list[StoredFile]:
    """Delete the agent (``DELETE``); the avatar files whose blobs the caller removes."""
    with store.unit_of_work(caller.tenant_id) as uow:
        require_feature(uow, caller, "USE", "CREATE")
        agent = load(uow, caller, agent_id, PermissionBits.DELETE)
        avatars, outcome = dispose(uow, agent, caller.user_id)
        _audit(uow, caller, "agent.delete", agent, **outcome)
        uow.commit()
    return avatars


#: Action metadata a copy never carries (LibreChat's sensitive fields).
_ACTION_SECRETS = ("api_key", "oauth_client_id", "oauth_client_secret")


def _copy_actions(uow: UnitOfWork, caller: Caller, source: Agent, new_id: str
                  ) -> list[DuplicatedAction]:
    copies = []
    for action in uow.repo(ActionDoc).find({"agent_id": source.id}):
        metadata = {k: v for k, v in action.metadata.items() if k not in _ACTION_SECRETS}
        doc = uow.repo(ActionDoc).insert(ActionDoc(
            action_id=object_id(), agent_id=new_id, user=caller.user_id, metadata=metadata))
        copies.append(DuplicatedAction(action_id=doc.action_id, agent_id=new_id,
                                       metadata=metadata))
    return copies


def _copy_resources(resources: dict[str, Any]) -> dict[str, Any]:
    """Only the ``context`` files go with a copy (the legacy ``ocr`` merges into it)."""
    context = {**(resources.get("context") or {}), **(resources.get("ocr") or {})}
    return {"context": context} if context else {}


def duplicate(store: Store, caller: Caller, agent_id: str) -> DuplicateResult:
    """A copy of an agent the caller can view, owned by the caller; its actions are copied
    without their secrets (``VIEW``, ``AGENTS.USE`` and ``CREATE``)."""
    now = datetime.now(UTC)
    with store.unit_of_work(caller.tenant_id) as uow:
        require_feature(uow, caller, "USE", "CREATE")
        source = load(uow, caller, agent_id, PermissionBits.VIEW)
        fields = versions_rule.snapshot(source.to_doc())
        fields["name"] = f"{source.name} ({now.month}/{now.day}/{now:%y}, {now:%H:%M})"
        fields["tool_resources"] = _copy_resources(source.tool_resources)
        fields["is_promoted"] = False
        new_id = new_agent_id()
        copies = _copy_actions(uow, caller, source, new_id)
        fields["actions"] = [f"{c.metadata.get('domain')}{ACTION_DELIMITER}{c.action_id}"
                             for c in copies]
        agent = _insert(uow, caller, new_id, fields)
        _audit(uow, caller, "agent.duplicate", agent, sourceId=source.id,
               actions=len(copies))
        view = full_view(uow, caller, agent)
        uow.commit()
    return DuplicateResult(agent=view, actions=copies)


def forget_author(uow: UnitOfWork, user_id: str) -> int:
    """Before an account's data is erased (``services.user_data``): the ACL entries on the
    agents it authored, which the sweep by owner would leave behind."""
    ids = [agent.oid for agent in uow.repo(Agent).find({"author": user_id})]
    return sum(uow.repo(AclEntry).delete_many({"resourceType": RTYPE.value,
                                               "resourceId": {"$in": part}})
               for part in chunks(ids))
