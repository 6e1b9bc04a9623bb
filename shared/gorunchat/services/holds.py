"""Legal holds: the guard every destroying code path calls, and hold administration.

The rule for everyone who deletes data (conversations, messages, files, users, retention):

* **Held data is hidden from the user, not destroyed.** When a *user* deletes something a
  hold covers (their conversation, a message, their account), the service does not delete
  it: it sets ``hiddenAt`` (and ``hiddenBy``) on the documents with ``hide(...)`` /
  ``hide_conversation(...)`` and answers the user exactly as if it had deleted them.
  User-facing reads exclude hidden documents by adding ``VISIBLE`` (``{"hiddenAt": None}``)
  to their filters. Ask ``disposal_for_conversation`` / ``disposal_for_user`` which to do.
* **Administrative destruction is refused.** An admin purge of a held user or conversation
  calls ``assert_not_held(...)``, which raises ``LegalHoldActive`` (409
  ``LEGAL_HOLD_ACTIVE``) and so writes nothing.
* **Retention skips held data** and, once a hold is released, removes what users had hidden
  (``hiddenAt`` set) and what is past its retention period.

Hidden documents stay visible to admins, exports and eDiscovery. Record the disposition in
the audit metadata (``{"disposition": "hidden", "holds": [...]}``) so the trail shows why a
deletion did not delete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.documents import Document, utcnow
from gorunchat.contracts.errors import Conflict, LegalHoldActive, NotFound, ValidationFailed
from gorunchat.contracts.holds import (
    CreateHoldRequest,
    HoldList,
    HoldListQuery,
    HoldView,
    LegalHold,
    ReleaseHoldRequest,
)
from gorunchat.domain import holds as rules
from gorunchat.domain.ids import new_uuid
from gorunchat.ports.store import Filter, Repository, Store, UnitOfWork
from gorunchat.services.caller import Caller

HIDDEN_AT = "hiddenAt"
HIDDEN_BY = "hiddenBy"
#: Add to every user-facing filter: hidden documents are gone as far as the user can tell.
VISIBLE: Mapping[str, Any] = {HIDDEN_AT: None}


class Disposal(StrEnum):
    """What a user-initiated deletion must do with a document."""

    DELETE = "delete"
    HIDE = "hide"


def active_holds(uow: UnitOfWork) -> list[LegalHold]:
    """The tenant's active holds (few: read whole, evaluated in ``domain.holds``)."""
    return uow.repo(LegalHold).find({"status": "active"})


def holds_on_user(uow: UnitOfWork, user_id: str) -> list[LegalHold]:
    return rules.holds_on_user(active_holds(uow), user_id)


def holds_on_conversation(uow: UnitOfWork, conversation_id: str, user_id: str | None
                          ) -> list[LegalHold]:
    return rules.holds_on_conversation(active_holds(uow), conversation_id, user_id)


def is_user_held(uow: UnitOfWork, user_id: str) -> bool:
    """Whether an active hold preserves everything of ``user_id``."""
    return bool(holds_on_user(uow, user_id))


def is_conversation_held(uow: UnitOfWork, conversation_id: str, user_id: str | None) -> bool:
    """Whether an active hold preserves ``conversation_id`` (owned by ``user_id``)."""
    return bool(holds_on_conversation(uow, conversation_id, user_id))


def assert_not_held(uow: UnitOfWork, *, user_id: str | None = None,
                    conversation_id: str | None = None) -> None:
    """Raise ``LegalHoldActive`` if a hold covers the user or the conversation.

    Call it before any administrative destruction, inside the unit of work that destroys,
    so that the check and the delete see the same holds.
    """
    found: list[LegalHold] = []
    if conversation_id is not None:
        found = holds_on_conversation(uow, conversation_id, user_id)
    elif user_id is not None:
        found = holds_on_user(uow, user_id)
    if found:
        raise LegalHoldActive(details=[{"holdId": h.id, "name": h.name} for h in found])


def disposal_for_user(uow: UnitOfWork, user_id: str) -> Disposal:
    """``HIDE`` when a hold covers ``user_id``, else ``DELETE``."""
    return Disposal.HIDE if is_user_held(uow, user_id) else Disposal.DELETE


def disposal_for_conversation(uow: UnitOfWork, conversation_id: str, user_id: str | None
                              ) -> Disposal:
    """``HIDE`` when a hold covers the conversation (or its owner), else ``DELETE``."""
    held = is_conversation_held(uow, conversation_id, user_id)
    return Disposal.HIDE if held else Disposal.DELETE


def covering(holds: Sequence[LegalHold], user_id: str | None,
             conversation_id: str | None) -> list[LegalHold]:
    """Of ``holds`` (read once with ``active_holds``), those covering a document of
    ``user_id`` that belongs to ``conversation_id`` (or to no conversation)."""
    if conversation_id is None:
        return rules.holds_on_user(holds, user_id) if user_id is not None else []
    return rules.holds_on_conversation(holds, conversation_id, user_id)


def disposition(found: Sequence[LegalHold]) -> dict[str, Any]:
    """Audit metadata saying a deletion hid instead of deleting, and which holds made it so;
    empty when nothing was held (the record reads as before)."""
    if not found:
        return {}
    return {"disposition": "hidden", "holds": sorted({h.id for h in found})}


def held_conversations_of(uow: UnitOfWork, user_id: str) -> list[LegalHold]:
    """Active conversation holds that name one of ``user_id``'s conversations."""
    named = [h for h in active_holds(uow) if h.scope == "conversations" and h.conversationIds]
    ids = sorted({c for h in named for c in h.conversationIds})
    if not ids:
        return []
    theirs: set[str] = set()
    for start in range(0, len(ids), 400):  # one ``$in`` every adapter takes
        theirs.update(c.conversationId for c in uow.conversations.find(
            {"user": user_id, "conversationId": {"$in": ids[start:start + 400]}}))
    return [h for h in named if theirs.intersection(h.conversationIds)]


def assert_user_data_not_held(uow: UnitOfWork, user_id: str) -> None:
    """Raise ``LegalHoldActive`` if a hold covers the user or any of their conversations:
    the guard of an administrative purge of everything a user owns."""
    found = holds_on_user(uow, user_id) or held_conversations_of(uow, user_id)
    if found:
        raise LegalHoldActive(details=[{"holdId": h.id, "name": h.name} for h in found])


def hide(repo: Repository[Any], where: Filter, *, by: str | None,
         now: datetime | None = None) -> int:
    """Mark the visible documents matching ``where`` hidden; returns how many."""
    changes = {HIDDEN_AT: now or utcnow(), HIDDEN_BY: by}
    return repo.update_many({**where, **VISIBLE}, changes)


def hide_conversation(uow: UnitOfWork, conversation_id: str, *, by: str | None,
                      now: datetime | None = None) -> int:
    """Hide a conversation and its messages from its user; returns documents hidden."""
    when = now or utcnow()
    count = hide(uow.conversations, {"conversationId": conversation_id}, by=by, now=when)
    return count + hide(uow.messages, {"conversationId": conversation_id}, by=by, now=when)


def is_hidden(doc: Document) -> bool:
    """Whether a user deleted ``doc`` under a hold (it is gone as far as they can tell)."""
    return getattr(doc, HIDDEN_AT, None) is not None


# Administration (``/api/admin/holds``): ADMIN creates, SUPER_ADMIN releases.


def _not_found() -> NotFound:
    return NotFound("No legal hold has this id.", code="HOLD_NOT_FOUND")


def create_hold(store: Store, caller: Caller, body: CreateHoldRequest) -> HoldView:
    """Place a hold; every custodian must be a user of the tenant."""
    with store.unit_of_work(caller.tenant_id) as uow:
        custodians = sorted(set(body.custodians))
        known = {u.id for u in uow.users.find({"_id": {"$in": custodians}})}
        missing = [c for c in custodians if c not in known]
        if missing:
            raise ValidationFailed("Every custodian must be a user of this tenant.",
                                   details=[{"field": "custodians", "message": "unknown user",
                                             "value": m} for m in missing])
        hold = LegalHold(id=new_uuid(), name=body.name, matter=body.matter, scope=body.scope,
                         custodians=custodians,
                         conversationIds=sorted(set(body.conversationIds)),
                         createdBy=caller.user_id, tenantId=caller.tenant_id)
        uow.repo(LegalHold).insert(hold)
        uow.record(AuditEvent(action="admin.hold_create", actor=caller.actor,
                              targetType="legalhold", targetId=hold.id,
                              metadata={"name": hold.name, "scope": hold.scope,
                                        "custodians": hold.custodians,
                                        "conversationIds": hold.conversationIds}))
        uow.commit()
    return HoldView.of(hold)


def list_holds(store: Store, caller: Caller, query: HoldListQuery) -> HoldList:
    where = {"status": query.status} if query.status else {}
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        page = uow.repo(LegalHold).page(where, sort_field="createdAt", descending=True,
                                        limit=query.limit, cursor=query.cursor)
    return HoldList(items=[HoldView.of(h) for h in page.items], nextCursor=page.nextCursor)


def get_hold(store: Store, caller: Caller, hold_id: str) -> HoldView:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        hold = uow.repo(LegalHold).get(hold_id)
    if hold is None:
        raise _not_found()
    return HoldView.of(hold)


def release_hold(store: Store, caller: Caller, hold_id: str, body: ReleaseHoldRequest
                 ) -> HoldView:
    """Release an active hold; what it preserved becomes subject to deletion and retention."""
    with store.unit_of_work(caller.tenant_id) as uow:
        repo = uow.repo(LegalHold)
        hold = repo.get(hold_id)
        if hold is None:
            raise _not_found()
        if hold.status != "active":
            raise Conflict("This hold is already released.", code="HOLD_ALREADY_RELEASED")
        now = utcnow()
        changes = {"status": "released", "releasedAt": now, "releasedBy": caller.user_id,
                   "releaseReason": body.reason}
        repo.update(hold_id, changes)
        uow.record(AuditEvent(action="admin.hold_release", actor=caller.actor,
                              targetType="legalhold", targetId=hold_id,
                              metadata={"reason": body.reason, "scope": hold.scope}))
        uow.commit()
    return HoldView.of(hold.model_copy(update={**changes, "updatedAt": now}))
