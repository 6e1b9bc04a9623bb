"""The prompt library (LibreChat's ``/api/prompts``): prompt groups, their versions, which
version is in production, and who may see or change them.

Two gates, as in LibreChat. The caller's *role* must have ``PROMPTS.USE`` for every route
and also ``PROMPTS.CREATE`` for creating, changing the production version and deleting
(403 ``PROMPTS_FORBIDDEN``). The *ACL* of the group (resource type ``promptGroup``) decides
per group: ``VIEW`` reads and records a use, ``EDIT`` changes the group and adds versions,
``DELETE`` (owners) deletes. A caller with no bits at all on a group is told it does not
exist (404), as everywhere else; one with too few bits gets 403.

Deleting the production version promotes the newest remaining one; deleting the last
version deletes the group and its ACL entries. When a legal hold covers an author of the
group or of its versions (``services.holds``), deletion hides instead of destroying: the
caller gets the same answer, reads exclude the hidden documents, admins still see them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from math import ceil
from typing import Any

from pydantic import ValidationError

from gorunchat.contracts.acl import AclEntry
from gorunchat.contracts.appconfig import AppConfig
from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.errors import BadRequest, Forbidden, NotFound
from gorunchat.contracts.pagination import decode_cursor, encode_cursor
from gorunchat.contracts.prompts import (
    ALL_CATEGORIES,
    DEFAULT_CATEGORIES,
    MY_PROMPTS,
    NO_CATEGORY,
    SHARED_PROMPTS,
    AddPromptRequest,
    CategoriesConfig,
    Category,
    CreatePromptRequest,
    CreatePromptResponse,
    GroupDeleted,
    GroupFilter,
    GroupsQuery,
    ProductionMade,
    Prompt,
    PromptDeleted,
    PromptGroup,
    PromptGroupsPage,
    PromptGroupView,
    PromptIn,
    PromptView,
    UpdateGroupRequest,
    UsageRecorded,
)
from gorunchat.contracts.roles import PermissionType
from gorunchat.domain.ids import object_id
from gorunchat.domain.permissions import PermissionBits, ResourceType
from gorunchat.ports.store import Repository, Store, UnitOfWork
from gorunchat.services import acl, holds
from gorunchat.services.caller import Caller
from gorunchat.services.holds import VISIBLE

log = logging.getLogger("gorunchat.prompts")
RESOURCE = ResourceType.PROMPTGROUP
DEFAULT_PAGE_SIZE = 10
_IN_CHUNK = 400  # ids per ``$in``: one every adapter takes


def group_not_found() -> NotFound:
    return NotFound("Prompt group not found.", code="PROMPT_GROUP_NOT_FOUND")


def prompt_not_found() -> NotFound:
    return NotFound("Prompt not found.", code="PROMPT_NOT_FOUND")


def _groups(uow: UnitOfWork) -> Repository[PromptGroup]:
    return uow.repo(PromptGroup)


def _prompts(uow: UnitOfWork) -> Repository[Prompt]:
    return uow.repo(Prompt)


# Gates -----------------------------------------------------------------------------------

def _require_role(uow: UnitOfWork, caller: Caller, *flags: str) -> None:
    """LibreChat's ``checkPromptAccess`` (``USE``) / ``checkPromptCreate`` (``USE`` and
    ``CREATE``) on the caller's role."""
    for flag in ("USE", *flags):
        if not acl.role_allows(uow, caller.principal, PermissionType.PROMPTS, flag):
            raise Forbidden(f"Your role does not allow PROMPTS {flag}.",
                            code="PROMPTS_FORBIDDEN")


def _require_bits(uow: UnitOfWork, caller: Caller, group_id: str, needed: PermissionBits
                  ) -> None:
    """The group's ACL: no bits is the 404 of a group that does not exist."""
    bits = acl.effective(uow, caller.principal, RESOURCE, group_id)
    if bits == PermissionBits.NONE:
        raise group_not_found()
    if (bits & needed) != needed:
        raise Forbidden("You do not have permission to do this with this prompt group.",
                        code="PROMPT_GROUP_FORBIDDEN")


def _group(uow: UnitOfWork, caller: Caller, group_id: str, needed: PermissionBits
           ) -> PromptGroup:
    _require_bits(uow, caller, group_id, needed)
    group = _groups(uow).find_one({"_id": group_id, **VISIBLE})
    if group is None:
        raise group_not_found()
    return group


def _prompt(uow: UnitOfWork, caller: Caller, prompt_id: str, needed: PermissionBits
            ) -> tuple[Prompt, PromptGroup]:
    """A version and its group; a stranger gets the same 404 as for a missing prompt."""
    prompt = _prompts(uow).find_one({"_id": prompt_id, **VISIBLE})
    if prompt is None:
        raise prompt_not_found()
    try:
        group = _group(uow, caller, prompt.groupId, needed)
    except NotFound as exc:
        raise prompt_not_found() from exc
    return prompt, group


def _audit(uow: UnitOfWork, caller: Caller, action: str, target_type: str, target_id: str,
           **metadata: Any) -> None:
    uow.record(AuditEvent(action=action, actor=caller.actor, targetType=target_type,
                          targetId=target_id, metadata=metadata))


# Views -----------------------------------------------------------------------------------

def _by_ids(repo: Repository[Any], ids: Iterable[str]) -> list[Any]:
    wanted = sorted(set(ids))
    found: list[Any] = []
    for start in range(0, len(wanted), _IN_CHUNK):
        found += repo.find({"_id": {"$in": wanted[start:start + _IN_CHUNK]}, **VISIBLE})
    return found


def _public_ids(uow: UnitOfWork) -> set[str]:
    return {e.resourceId for e in uow.repo(AclEntry).find(
        {"resourceType": RESOURCE.value, "principalType": "public"})}


def _views(uow: UnitOfWork, groups: Sequence[PromptGroup]) -> list[PromptGroupView]:
    """Groups with their production prompt's text and whether everyone may see them."""
    production = {p.id: p for p in _by_ids(_prompts(uow), (
        g.productionId for g in groups if g.productionId))}
    public = _public_ids(uow) if groups else set()
    return [PromptGroupView.of(g, production.get(g.productionId or ""), public=g.id in public)
            for g in groups]


def _view(uow: UnitOfWork, group: PromptGroup) -> PromptGroupView:
    return _views(uow, [group])[0]


# Reads -----------------------------------------------------------------------------------

def list_prompts(store: Store, caller: Caller, group_id: str | None) -> list[PromptView]:
    """``GET /api/prompts``: a group's versions (``VIEW``), else the caller's own prompts;
    newest first."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        _require_role(uow, caller)
        if group_id is not None:
            _group(uow, caller, group_id, PermissionBits.VIEW)
            where: dict[str, Any] = {"groupId": group_id}
        else:
            where = {"author": caller.user_id}
        found = _prompts(uow).find({**where, **VISIBLE}, sort=[("createdAt", -1)])
    return [PromptView.of(p) for p in found]


def get_prompt(store: Store, caller: Caller, prompt_id: str) -> PromptView:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        _require_role(uow, caller)
        prompt, _ = _prompt(uow, caller, prompt_id, PermissionBits.VIEW)
    return PromptView.of(prompt)


def get_group(store: Store, caller: Caller, group_id: str) -> PromptGroupView:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        _require_role(uow, caller)
        return _view(uow, _group(uow, caller, group_id, PermissionBits.VIEW))


def _matches(group: PromptGroup, caller: Caller, flt: GroupFilter) -> bool:
    """LibreChat's ``buildPromptGroupFilter``: system categories pick the caller's own or
    others' groups, or those without a category; ``name`` is a case-insensitive substring."""
    if flt.name and flt.name.lower() not in group.name.lower():
        return False
    category = flt.category
    if category in (None, "", ALL_CATEGORIES):
        return True
    if category == MY_PROMPTS:
        return group.author == caller.user_id
    if category == SHARED_PROMPTS:
        return group.author != caller.user_id
    if category == NO_CATEGORY:
        return group.category == ""
    return group.category == category


def _sort_key(group: PromptGroup) -> tuple[int, float, str]:
    """Most used first, then most recently changed, then id (LibreChat's order)."""
    return (-group.numberOfGenerations, -group.updatedAt.timestamp(), group.id)


def _usable(uow: UnitOfWork, caller: Caller, flt: GroupFilter) -> list[PromptGroup]:
    """Every visible group the caller may view that passes ``flt``, in list order."""
    ids = acl.accessible(uow, caller.principal, RESOURCE, PermissionBits.VIEW)
    groups = [g for g in _by_ids(_groups(uow), ids) if _matches(g, caller, flt)]
    return sorted(groups, key=_sort_key)


def all_groups(store: Store, caller: Caller, flt: GroupFilter) -> list[PromptGroupView]:
    """``GET /api/prompts/all``: every group the caller can use (the slash-command list)."""
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        _require_role(uow, caller)
        return _views(uow, _usable(uow, caller, flt))


def _cursor(group: PromptGroup) -> str:
    return encode_cursor([group.numberOfGenerations, group.updatedAt.isoformat()], group.id)


def _after(cursor: str) -> tuple[int, float, str]:
    """The sort key a cursor stands for; a malformed one is a 400."""
    value, group_id = decode_cursor(cursor)
    try:
        generations, updated = value
        return (-int(generations), -datetime.fromisoformat(updated).timestamp(), group_id)
    except (TypeError, ValueError) as exc:
        raise BadRequest("The cursor is not valid.", code="INVALID_CURSOR") from exc


def group_page(store: Store, caller: Caller, query: GroupsQuery) -> PromptGroupsPage:
    """``GET /api/prompts/groups``: LibreChat's cursor page; ``pageNumber`` without a
    cursor gives that page (older clients)."""
    size = query.limit or query.pageSize or DEFAULT_PAGE_SIZE
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        _require_role(uow, caller)
        groups = _usable(uow, caller, query)
        if query.cursor is not None:
            key = _after(query.cursor)
            start = next((i for i, g in enumerate(groups) if _sort_key(g) > key), len(groups))
            number = 1
        else:
            number = query.pageNumber or 1
            start = (number - 1) * size
        chunk = groups[start:start + size]
        more = start + size < len(groups)
        views = _views(uow, chunk)
    return PromptGroupsPage(
        promptGroups=views, pageNumber=str(number), pageSize=str(size),
        pages=str(ceil(len(groups) / size)), has_more=more,
        after=_cursor(chunk[-1]) if more and chunk else None)


# Writes ----------------------------------------------------------------------------------

def _author_name(uow: UnitOfWork, caller: Caller) -> str:
    user = uow.users.get(caller.user_id)
    if user is None:
        return ""
    return user.name or user.username or user.email


def _new_prompt(caller: Caller, group_id: str, body: PromptIn) -> Prompt:
    return Prompt(id=object_id(), groupId=group_id, author=caller.user_id, prompt=body.prompt,
                  type=body.type, tenantId=caller.tenant_id)


def _add_version(uow: UnitOfWork, caller: Caller, group_id: str, body: PromptIn) -> Prompt:
    """A new version of a group the caller may edit; production stays where it was."""
    group = _group(uow, caller, group_id, PermissionBits.EDIT)
    prompt = _prompts(uow).insert(_new_prompt(caller, group.id, body))
    _groups(uow).update(group.id, {"updatedAt": utcnow()})
    _audit(uow, caller, "prompt.add", "promptGroup", group.id, promptId=prompt.id,
           type=prompt.type)
    return prompt


def create(store: Store, caller: Caller, body: CreatePromptRequest) -> CreatePromptResponse:
    """``POST /api/prompts``: a new group with its first prompt in production (the caller
    becomes its owner), or, with ``prompt.groupId``, a new version of that group."""
    with store.unit_of_work(caller.tenant_id) as uow:
        _require_role(uow, caller, "CREATE")
        if body.prompt.groupId is not None:
            prompt = _add_version(uow, caller, body.prompt.groupId, body.prompt)
            uow.commit()
            return CreatePromptResponse(prompt=PromptView.of(prompt))
        if body.group is None:
            raise BadRequest("Prompt and group name are required.",
                             code="PROMPT_GROUP_REQUIRED")
        group_id = object_id()
        prompt = _prompts(uow).insert(_new_prompt(caller, group_id, body.prompt))
        group = _groups(uow).insert(PromptGroup(
            id=group_id, name=body.group.name, oneliner=body.group.oneliner,
            category=body.group.category, command=body.group.command, author=caller.user_id,
            authorName=_author_name(uow, caller), productionId=prompt.id,
            tenantId=caller.tenant_id))
        acl.grant_owner(uow, RESOURCE, group.id, caller.user_id)
        _audit(uow, caller, "prompt.create", "promptGroup", group.id, promptId=prompt.id,
               name=group.name, category=group.category, command=group.command)
        uow.commit()
    return CreatePromptResponse(prompt=PromptView.of(prompt),
                                group=PromptGroupView.of(group, prompt))


def add_prompt(store: Store, caller: Caller, group_id: str, body: AddPromptRequest
               ) -> PromptView:
    """``POST /api/prompts/groups/:groupId/prompts`` (LibreChat: role ``USE``, ``EDIT``)."""
    with store.unit_of_work(caller.tenant_id) as uow:
        _require_role(uow, caller)
        prompt = _add_version(uow, caller, group_id, body.prompt)
        uow.commit()
    return PromptView.of(prompt)


def _changes(body: UpdateGroupRequest) -> dict[str, Any]:
    """The fields the body sets; ``null`` clears a command or a category and is ignored
    for the name and oneliner (they cannot be absent)."""
    given = body.model_dump(include=body.model_fields_set)
    if "category" in given:
        given["category"] = given["category"] or ""
    return {k: v for k, v in given.items() if v is not None or k == "command"}


def update_group(store: Store, caller: Caller, group_id: str, body: UpdateGroupRequest
                 ) -> PromptGroupView:
    """``PATCH /api/prompts/groups/:groupId``: name, oneliner, category, command."""
    with store.unit_of_work(caller.tenant_id) as uow:
        _require_role(uow, caller, "CREATE")
        group = _group(uow, caller, group_id, PermissionBits.EDIT)
        changes = _changes(body)
        if not changes:
            raise BadRequest("Nothing to update.", code="PROMPT_GROUP_UPDATE_EMPTY")
        updated = _groups(uow).update(group.id, {**changes, "updatedAt": utcnow()}) or group
        _audit(uow, caller, "promptgroup.update", "promptGroup", group.id,
               fields=sorted(changes))
        uow.commit()
        return _view(uow, updated)


def record_use(store: Store, caller: Caller, group_id: str) -> UsageRecorded:
    """``POST /api/prompts/groups/:groupId/use``: count one generation (``VIEW`` is enough:
    viewers use shared prompts). The count is an increment, so concurrent uses all count."""
    with store.unit_of_work(caller.tenant_id) as uow:
        _require_role(uow, caller)
        group = _group(uow, caller, group_id, PermissionBits.VIEW)
        counted = _groups(uow).increment(group.id, {"numberOfGenerations": 1})
        count = counted.numberOfGenerations if counted else group.numberOfGenerations + 1
        _audit(uow, caller, "promptgroup.use", "promptGroup", group.id,
               numberOfGenerations=count)
        uow.commit()
    return UsageRecorded(numberOfGenerations=count)


def make_production(store: Store, caller: Caller, prompt_id: str) -> ProductionMade:
    """``PATCH /api/prompts/:promptId/tags/production``: this version is the one in use."""
    with store.unit_of_work(caller.tenant_id) as uow:
        _require_role(uow, caller, "CREATE")
        prompt, group = _prompt(uow, caller, prompt_id, PermissionBits.EDIT)
        _groups(uow).update(group.id, {"productionId": prompt.id, "updatedAt": utcnow()})
        _audit(uow, caller, "prompt.make_production", "prompt", prompt.id, groupId=group.id,
               previous=group.productionId)
        uow.commit()
    return ProductionMade()


@dataclass(frozen=True)
class _Disposal:
    """Whether deleting hides (under a hold) and the audit metadata that says so."""

    hide: bool
    metadata: dict[str, Any]


def _disposal(uow: UnitOfWork, authors: Iterable[str]) -> _Disposal:
    held = holds.active_holds(uow)
    found = [h for a in sorted(set(authors)) for h in holds.covering(held, a, None)]
    return _Disposal(bool(found), holds.disposition(found))


def _remove(uow: UnitOfWork, caller: Caller, repo: Repository[Any], where: dict[str, Any],
            hide: bool) -> int:
    if hide:
        return holds.hide(repo, where, by=caller.user_id)
    return repo.delete_many({**where, **VISIBLE})


def _remove_group(uow: UnitOfWork, caller: Caller, group: PromptGroup, hide: bool) -> int:
    """The group and its versions; its ACL entries go unless it is only hidden."""
    removed = _remove(uow, caller, _prompts(uow), {"groupId": group.id}, hide)
    _remove(uow, caller, _groups(uow), {"_id": group.id}, hide)
    if not hide:
        acl.delete_resource_entries(uow, RESOURCE, group.id)
    return removed


def delete_group(store: Store, caller: Caller, group_id: str) -> GroupDeleted:
    """``DELETE /api/prompts/groups/:groupId``: owners only (``DELETE``)."""
    with store.unit_of_work(caller.tenant_id) as uow:
        _require_role(uow, caller, "CREATE")
        group = _group(uow, caller, group_id, PermissionBits.DELETE)
        versions = _prompts(uow).find({"groupId": group.id, **VISIBLE})
        disposal = _disposal(uow, [group.author, *(p.author for p in versions)])
        removed = _remove_group(uow, caller, group, disposal.hide)
        _audit(uow, caller, "promptgroup.delete", "promptGroup", group.id, name=group.name,
               prompts=removed, **disposal.metadata)
        uow.commit()
    return GroupDeleted()


def delete_prompt(store: Store, caller: Caller, prompt_id: str) -> PromptDeleted:
    """``DELETE /api/prompts/:promptId`` (``DELETE`` on its group). The last version takes
    its group with it; deleting the production version promotes the newest other one."""
    with store.unit_of_work(caller.tenant_id) as uow:
        _require_role(uow, caller, "CREATE")
        prompt, group = _prompt(uow, caller, prompt_id, PermissionBits.DELETE)
        others = _prompts(uow).find({"groupId": group.id, "_id": {"$ne": prompt.id},
                                     **VISIBLE}, sort=[("createdAt", -1)])
        disposal = _disposal(uow, [prompt.author, *([group.author] if not others else [])])
        _remove(uow, caller, _prompts(uow), {"_id": prompt.id}, disposal.hide)
        result = PromptDeleted()
        promoted = None
        if not others:
            _remove_group(uow, caller, group, disposal.hide)
            result = PromptDeleted(promptGroup=GroupDeleted(id=group.id))
        elif group.productionId == prompt.id:
            promoted = others[0].id
            _groups(uow).update(group.id, {"productionId": promoted})
        _audit(uow, caller, "prompt.delete", "prompt", prompt.id, groupId=group.id,
               groupDeleted=not others, promoted=promoted, **disposal.metadata)
        uow.commit()
    return result


def forget_author(uow: UnitOfWork, user_id: str) -> int:
    """Account erasure: delete the user's groups with every version in them and their ACL
    entries, and the user's versions in others' groups, repairing those groups' production
    version (or deleting a group left empty). Returns the documents deleted. The caller
    checks holds and audits."""
    removed = 0
    own = _groups(uow).find({"author": user_id})
    for group in own:
        removed += _prompts(uow).delete_many({"groupId": group.id})
        acl.delete_resource_entries(uow, RESOURCE, group.id)
    removed += _groups(uow).delete_many({"author": user_id})
    theirs = _prompts(uow).find({"author": user_id})
    removed += _prompts(uow).delete_many({"author": user_id})
    elsewhere = {p.groupId for p in theirs} - {g.id for g in own}
    for group in _by_ids(_groups(uow), elsewhere):
        rest = _prompts(uow).find({"groupId": group.id, "author": {"$ne": user_id},
                                   **VISIBLE}, sort=[("createdAt", -1)])
        if not rest:
            removed += int(_groups(uow).delete(group.id))
            acl.delete_resource_entries(uow, RESOURCE, group.id)
        elif group.productionId not in {p.id for p in rest}:
            _groups(uow).update(group.id, {"productionId": rest[0].id})
    return removed


# Categories ------------------------------------------------------------------------------

def categories_config(app: AppConfig) -> CategoriesConfig:
    """``prompts.categories`` of ``gorunchat.yaml``; a malformed section is logged and the
    built-in list served, rather than failing every client's library page."""
    section = (app.model_extra or {}).get("prompts") or {}
    raw = section.get("categories") if isinstance(section, dict) else None
    try:
        return CategoriesConfig.model_validate(raw or {})
    except ValidationError:
        log.warning("prompts.categories in the configuration is invalid; using the defaults")
        return CategoriesConfig()


def categories(config: CategoriesConfig) -> list[Category]:
    """``GET /api/categories``: the built-in categories and the configured ones, each value
    once (the first wins); a configured entry without a label shows its value."""
    listed = [*(DEFAULT_CATEGORIES if config.enableDefaultCategories else ()),
              *config.list_]
    seen: set[str] = set()
    unique: list[Category] = []
    for category in listed:
        if category.value.lower() not in seen:
            seen.add(category.value.lower())
            unique.append(category if category.label else category.model_copy(
                update={"label": category.value}))
    return unique
