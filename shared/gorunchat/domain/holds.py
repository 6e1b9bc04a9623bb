"""Hold evaluation: which active holds cover a user, a conversation or a whole tenant.

Pure functions over the holds a service has read; no store, no clock.
"""

from __future__ import annotations

from collections.abc import Iterable

from gorunchat.contracts.holds import LegalHold


def _active(holds: Iterable[LegalHold]) -> list[LegalHold]:
    return [h for h in holds if h.status == "active"]


def holds_on_user(holds: Iterable[LegalHold], user_id: str) -> list[LegalHold]:
    """Active holds that preserve everything of ``user_id`` (tenant-wide or as custodian)."""
    return [h for h in _active(holds)
            if h.scope == "tenant" or (h.scope == "users" and user_id in h.custodians)]


def holds_on_conversation(holds: Iterable[LegalHold], conversation_id: str,
                          user_id: str | None) -> list[LegalHold]:
    """Active holds that preserve ``conversation_id`` (owned by ``user_id``, if known)."""
    found = []
    for hold in _active(holds):
        if hold.scope == "tenant":
            found.append(hold)
        elif hold.scope == "conversations" and conversation_id in hold.conversationIds:
            found.append(hold)
        elif hold.scope == "users" and user_id is not None and user_id in hold.custodians:
            found.append(hold)
    return found


def tenant_wide(holds: Iterable[LegalHold]) -> bool:
    """Whether an active hold preserves the whole tenant."""
    return any(h.scope == "tenant" for h in _active(holds))


def held_users(holds: Iterable[LegalHold]) -> frozenset[str]:
    """Every custodian of an active user hold."""
    return frozenset(u for h in _active(holds) if h.scope == "users" for u in h.custodians)


def held_conversations(holds: Iterable[LegalHold]) -> frozenset[str]:
    """Every conversation named by an active conversation hold."""
    return frozenset(c for h in _active(holds) if h.scope == "conversations"
                     for c in h.conversationIds)
