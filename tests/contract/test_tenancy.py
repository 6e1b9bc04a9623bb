"""A tenant never sees, changes or deletes another tenant's documents."""

from __future__ import annotations

import pytest

from gorunchat.contracts.errors import Conflict
from tests.contract.backends import Backend
from tests.contract.helpers import OTHER, TENANT, conversation, message, seed, user


def _seed_both(backend: Backend) -> None:
    seed(backend.store, TENANT, [conversation("shared", title="ours"),
                                 conversation("only-ours", title="ours"),
                                 message("m1", convo="shared")])
    seed(backend.store, OTHER, [conversation("shared", title="theirs"),
                                message("m2", convo="shared")])


def test_the_same_key_lives_separately_in_each_tenant(backend: Backend) -> None:
    _seed_both(backend)
    with backend.store.unit_of_work(TENANT) as ours:
        mine = ours.conversations.get("shared")
    with backend.store.unit_of_work(OTHER) as theirs:
        other = theirs.conversations.get("shared")
    assert mine is not None and other is not None
    assert (mine.title, mine.tenantId) == ("ours", TENANT)
    assert (other.title, other.tenantId) == ("theirs", OTHER)


def test_reads_never_reach_another_tenant(backend: Backend) -> None:
    _seed_both(backend)
    with backend.store.unit_of_work(OTHER) as uow:
        assert uow.conversations.get("only-ours") is None
        assert [c.title for c in uow.conversations.find({})] == ["theirs"]
        assert uow.conversations.count({}) == 1
        assert uow.conversations.find({"tenantId": TENANT}) == []
        assert uow.conversations.count({"tenantId": {"$in": [TENANT, OTHER]}}) == 1
        assert [m.messageId for m in uow.messages.find({"conversationId": "shared"})] == ["m2"]
        page = uow.conversations.page({}, sort_field="updatedAt", descending=True, limit=10,
                                      cursor=None)
        assert [c.title for c in page.items] == ["theirs"]


def test_writes_never_reach_another_tenant(backend: Backend) -> None:
    _seed_both(backend)
    with backend.store.unit_of_work(OTHER) as uow:
        assert uow.conversations.update("only-ours", {"title": "hijacked"}) is None
        assert uow.conversations.update_many({}, {"title": "hijacked"}) == 1
        assert uow.conversations.delete("only-ours") is False
        assert uow.messages.delete("m1") is False
        assert uow.messages.delete_many({}) == 1
        uow.commit()

    with backend.store.unit_of_work(TENANT) as uow:
        titles = sorted((c.conversationId, c.title) for c in uow.conversations.find({}))
        messages = [m.messageId for m in uow.messages.find({})]
    assert titles == [("only-ours", "ours"), ("shared", "ours")]
    assert messages == ["m1"]


@pytest.mark.parametrize("write", ["insert", "save"])
def test_a_user_id_of_another_tenant_is_never_taken_over(backend: Backend, write: str) -> None:
    # SQLite keys are unique per tenant. MongoDB's ``_id`` is unique per collection, so there
    # the second tenant gets a Conflict (the port allows it). The first user is untouched.
    key = "65a1b2c3d4e5f60718293a4b"
    seed(backend.store, TENANT, [user(key, name="Ada")])
    per_tenant_keys = backend.name == "sqlite"

    raised: Conflict | None = None
    try:
        with backend.store.unit_of_work(OTHER) as uow:
            getattr(uow.users, write)(user(key, name="Mallory"))
            uow.commit()
    except Conflict as exc:
        raised = exc
    with backend.store.unit_of_work(OTHER) as uow:
        theirs = uow.users.get(key)
    with backend.store.unit_of_work(TENANT) as uow:
        ours = uow.users.get(key)

    assert (raised is None) is per_tenant_keys
    assert (theirs.name if theirs else None) == ("Mallory" if per_tenant_keys else None)
    assert ours is not None
    assert (ours.name, ours.tenantId) == ("Ada", TENANT)


def test_conflicts_are_per_tenant_for_conversations(backend: Backend) -> None:
    seed(backend.store, TENANT, [conversation("c1")])
    seed(backend.store, OTHER, [conversation("c1")])
    with backend.store.unit_of_work(OTHER) as uow, pytest.raises(Conflict):
        uow.conversations.insert(conversation("c1"))
