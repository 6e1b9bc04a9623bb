"""Finding agents: the paged list and the categories (LibreChat's ``getListAgentsByAccess``
and ``getAgentCategories``), over the agents the ACL lets the caller see.

The list is ordered by last change, newest first, then by ``_id``; its cursor encodes that
pair, so pages stay stable while agents are added. ``search`` is plain text matched in the
name and description, never a pattern.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from typing import Any

from gorunchat.contracts.acl import AclEntry
from gorunchat.contracts.agents import Agent, AgentCategory, AgentList, AgentListQuery, AgentView
from gorunchat.contracts.errors import BadRequest
from gorunchat.contracts.pagination import decode_cursor, encode_cursor
from gorunchat.domain.permissions import PermissionBits
from gorunchat.ports.store import Store, UnitOfWork
from gorunchat.services import acl, holds
from gorunchat.services.agents import RTYPE, agent_data, require_feature
from gorunchat.services.caller import Caller
from gorunchat.services.search import chunks

#: LibreChat's default categories (labels are its client's translation keys).
DEFAULT_CATEGORIES = ("general", "hr", "rd", "finance", "it", "sales", "aftersales")
_LISTED = ("_id", "id", "name", "avatar", "author", "description", "updatedAt", "category",
           "support_contact", "is_promoted", "projectIds", "isPublic")
_SEARCH_MAX = 100


def _visible_agents(uow: UnitOfWork, caller: Caller, needed: PermissionBits,
                    where: dict[str, Any]) -> list[Agent]:
    ids = sorted(acl.accessible(uow, caller.principal, RTYPE, needed))
    found: list[Agent] = []
    for part in chunks(ids):
        found += uow.repo(Agent).find({"_id": {"$in": part}, **holds.VISIBLE, **where})
    return found


def _when(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _sort_key(agent: Agent) -> tuple[datetime, str]:
    return _when(agent.updatedAt), agent.oid


def _after(cursor: str) -> tuple[datetime, str]:
    raw, oid = decode_cursor(cursor)
    try:
        return _when(datetime.fromisoformat(str(raw))), oid
    except ValueError as exc:
        raise BadRequest("The cursor is not valid.", code="INVALID_CURSOR") from exc


def _filters(query: AgentListQuery) -> dict[str, Any]:
    where: dict[str, Any] = {}
    if query.category and query.category.strip():
        where["category"] = query.category.strip()
    if query.promoted == "1":
        where["is_promoted"] = True
    elif query.promoted == "0":
        where["is_promoted"] = {"$ne": True}
    return where


def _matches(agent: Agent, search: str) -> bool:
    return any(search in (text or "").casefold() for text in (agent.name, agent.description))


def list_agents(store: Store, caller: Caller, query: AgentListQuery) -> AgentList:
    """The agents the caller has ``requiredPermission`` on (``VIEW`` by default), newest
    change first, a page at a time (LibreChat's ``getListAgentsByAccess``)."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        require_feature(uow, caller, "USE")
        agents = _visible_agents(uow, caller, PermissionBits(query.requiredPermission),
                                 _filters(query))
        public = {e.resourceId for e in uow.repo(AclEntry).find(
            {"resourceType": RTYPE.value, "principalType": "public"})}
    search = (query.search or "").strip()[:_SEARCH_MAX].casefold()
    if search:
        agents = [a for a in agents if _matches(a, search)]
    agents.sort(key=_sort_key, reverse=True)
    cursor = query.cursor or query.after
    if cursor:
        start = _after(cursor)
        agents = [a for a in agents if _sort_key(a) < start]
    page, more = agents[:query.limit], len(agents) > query.limit
    data = []
    for agent in page:
        item = {**agent_data(agent, caller), "isPublic": agent.oid in public}
        data.append(AgentView.model_validate({k: item[k] for k in _LISTED if k in item}))
    last = page[-1] if page else None
    return AgentList(data=data, first_id=page[0].id if page else None,
                     last_id=last.id if last else None, has_more=more,
                     after=encode_cursor(_when(last.updatedAt).isoformat(), last.oid)
                     if more and last else None)


def categories(store: Store, caller: Caller) -> list[AgentCategory]:
    """LibreChat's categories with how many of the agents the caller can see are in each;
    ``promoted`` first when any is, ``all`` last."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        require_feature(uow, caller, "USE")
        agents = _visible_agents(uow, caller, PermissionBits.VIEW, {})
    counts = Counter(a.category for a in agents)
    names = [*DEFAULT_CATEGORIES, *sorted(set(counts) - set(DEFAULT_CATEGORIES) - {""})]
    out = [AgentCategory(value=name, label=f"com_agents_category_{name}"
                         if name in DEFAULT_CATEGORIES else name, count=counts.get(name, 0),
                         description=f"com_agents_category_{name}_description"
                         if name in DEFAULT_CATEGORIES else None) for name in names]
    promoted = sum(1 for a in agents if a.is_promoted)
    if promoted:
        out.insert(0, AgentCategory(value="promoted", label="Promoted", count=promoted,
                                    description="Our recommended agents"))
    out.append(AgentCategory(value="all", label="All", description="All available agents"))
    return out
