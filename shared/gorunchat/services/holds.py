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

from collections.abc import Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any

from gorunchat.contracts.documents import Document, utcnow
from gorunchat.contracts.errors import LegalHoldActive
from gorunchat.contracts.holds import LegalHold
from gorunchat.domain import holds as rules
from gorunchat.ports.store import Filter, Repository, UnitOfWork

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
    return getattr(doc, HIDDEN_AT, None) is not None

