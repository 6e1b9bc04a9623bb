"""Repository basics: insert, get, save, update, delete, on every store."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gorunchat.contracts.errors import Conflict
from tests.contract.backends import Backend, MongoBackend
from tests.contract.helpers import T0, TENANT, at, conversation, message, seed, user


def test_insert_then_get_returns_the_stored_document(backend: Backend) -> None:
    doc = conversation("c1", title="Plans", tags=["work"], endpoint="openAI", folder="inbox")
    with backend.store.unit_of_work(TENANT) as uow:
        inserted = uow.conversations.insert(doc)
        uow.commit()

    with backend.store.unit_of_work(TENANT) as uow:
        found = uow.conversations.get("c1")

    assert found == inserted
    assert found is not None
    assert found.tenantId == TENANT
    assert found.title == "Plans"
    assert found.tags == ["work"]
    assert found.model_extra == {"folder": "inbox"}
    assert found.createdAt == T0


def test_datetimes_are_kept_to_the_millisecond_in_utc(backend: Backend) -> None:
    precise = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    with backend.store.unit_of_work(TENANT) as uow:
        inserted = uow.messages.insert(message("m1", createdAt=precise))
        uow.commit()
    with backend.store.unit_of_work(TENANT) as uow:
        found = uow.messages.get("m1")

    assert inserted.createdAt == datetime(2024, 5, 1, 12, 0, 0, 123000, tzinfo=UTC)
    assert found is not None
    assert found.createdAt == inserted.createdAt
    assert found.createdAt.utcoffset() is not None
    assert found.createdAt.utcoffset().total_seconds() == 0  # type: ignore[union-attr]


def test_user_key_is_stored_as_underscore_id(backend: Backend) -> None:
    seed(backend.store, TENANT, [user("65a1b2c3d4e5f60718293a4b", name="Ada")])
    with backend.store.unit_of_work(TENANT) as uow:
        found = uow.users.get("65a1b2c3d4e5f60718293a4b")
        by_filter = uow.users.find({"_id": "65a1b2c3d4e5f60718293a4b"})

    assert found is not None
    assert found.id == "65a1b2c3d4e5f60718293a4b"
    assert found.name == "Ada"
    assert [u.id for u in by_filter] == ["65a1b2c3d4e5f60718293a4b"]


def test_get_of_a_missing_key_is_none(backend: Backend) -> None:
    with backend.store.unit_of_work(TENANT) as uow:
        assert uow.conversations.get("nope") is None
        assert uow.conversations.find_one({"title": "nope"}) is None


def test_insert_of_an_existing_key_is_a_conflict(backend: Backend) -> None:
    seed(backend.store, TENANT, [conversation("c1", title="first")])

    with backend.store.unit_of_work(TENANT) as uow, pytest.raises(Conflict):
        uow.conversations.insert(conversation("c1", title="second"))

    with backend.store.unit_of_work(TENANT) as uow:
        found = uow.conversations.get("c1")
    assert found is not None
    assert found.title == "first"


def test_insert_twice_in_one_unit_is_a_conflict(backend: Backend) -> None:
    with backend.store.unit_of_work(TENANT) as uow:
        uow.users.insert(user("u1"))
        with pytest.raises(Conflict):
            uow.users.insert(user("u1", email="again@example.com"))


def test_save_inserts_then_replaces_the_whole_document(backend: Backend) -> None:
    with backend.store.unit_of_work(TENANT) as uow:
        uow.conversations.save(conversation("c1", title="draft", folder="inbox"))
        uow.commit()
    with backend.store.unit_of_work(TENANT) as uow:
        saved = uow.conversations.save(conversation("c1", title="final", tags=["done"]))
        uow.commit()

    with backend.store.unit_of_work(TENANT) as uow:
        found = uow.conversations.get("c1")
        total = uow.conversations.count({})

    assert found == saved
    assert found is not None
    assert found.title == "final"
    assert found.tags == ["done"]
    assert found.model_extra == {}
    assert total == 1


def test_update_sets_fields_and_updated_at(backend: Backend) -> None:
    seed(backend.store, TENANT, [conversation("c1", title="old")])
    before = datetime.now(UTC).replace(microsecond=0)

    with backend.store.unit_of_work(TENANT) as uow:
        updated = uow.conversations.update("c1", {"title": "new", "isPinned": True})
        uow.commit()
    with backend.store.unit_of_work(TENANT) as uow:
        found = uow.conversations.get("c1")

    assert updated is not None
    assert updated.title == "new"
    assert updated.isPinned is True
    assert updated.updatedAt >= before
    assert updated.createdAt == T0
    assert found == updated


def test_update_keeps_an_explicit_updated_at_and_never_moves_key_or_tenant(
    backend: Backend,
) -> None:
    seed(backend.store, TENANT, [conversation("c1")])
    with backend.store.unit_of_work(TENANT) as uow:
        uow.conversations.update("c1", {"updatedAt": at(60), "conversationId": "c2",
                                        "tenantId": "elsewhere"})
        uow.commit()
    with backend.store.unit_of_work(TENANT) as uow:
        found = uow.conversations.get("c1")
        moved = uow.conversations.get("c2")

    assert found is not None
    assert found.updatedAt == at(60)
    assert found.tenantId == TENANT
    assert moved is None


def test_update_of_a_missing_key_is_none(backend: Backend) -> None:
    with backend.store.unit_of_work(TENANT) as uow:
        assert uow.conversations.update("nope", {"title": "x"}) is None


def test_update_many_counts_and_changes_only_matches(backend: Backend) -> None:
    seed(backend.store, TENANT, [conversation("c1", user="u1"), conversation("c2", user="u1"),
                                 conversation("c3", user="u2")])
    with backend.store.unit_of_work(TENANT) as uow:
        changed = uow.conversations.update_many({"user": "u1"}, {"isArchived": True})
        uow.commit()
    with backend.store.unit_of_work(TENANT) as uow:
        archived = sorted(c.conversationId for c in uow.conversations.find({"isArchived": True}))

    assert changed == 2
    assert archived == ["c1", "c2"]


def test_delete_and_delete_many(backend: Backend) -> None:
    seed(backend.store, TENANT, [message("m1", convo="c1"), message("m2", convo="c1"),
                                 message("m3", convo="c2"), message("m4", convo="c2")])
    with backend.store.unit_of_work(TENANT) as uow:
        deleted_one = uow.messages.delete("m3")
        deleted_missing = uow.messages.delete("nope")
        deleted_many = uow.messages.delete_many({"conversationId": "c1"})
        uow.commit()
    with backend.store.unit_of_work(TENANT) as uow:
        left = [m.messageId for m in uow.messages.find({})]

    assert deleted_one is True
    assert deleted_missing is False
    assert deleted_many == 2
    assert left == ["m4"]


def test_increment_adds_and_missing_fields_count_as_zero(backend: Backend) -> None:
    from gorunchat.contracts.balance import Balance

    with backend.store.unit_of_work(TENANT) as uow:
        uow.repo(Balance).insert(Balance(id="b1", user="u1", tokenCredits=100.0))
        uow.commit()
    with backend.store.unit_of_work(TENANT) as uow:
        seen = uow.repo(Balance).increment("b1", {"tokenCredits": -30.5})
        again = uow.repo(Balance).increment("b1", {"tokenCredits": 10})
        assert uow.repo(Balance).increment("missing", {"tokenCredits": 1}) is None
        uow.commit()
    with backend.store.unit_of_work(TENANT, readonly=True) as uow:
        found = uow.repo(Balance).get("b1")
    assert seen is not None and seen.tokenCredits == 69.5
    assert again is not None and again.tokenCredits == 79.5
    assert found is not None and found.tokenCredits == 79.5


def test_increments_of_overlapping_units_both_count(mongo: MongoBackend) -> None:
    """Two units that read the same balance and then both debit it: neither debit is lost
    (SQLite serialises writing units, so only the MongoDB stores can interleave them)."""
    from gorunchat.contracts.balance import Balance

    store = mongo.store
    with store.unit_of_work(TENANT) as uow:
        uow.repo(Balance).insert(Balance(id="b1", user="u1", tokenCredits=100.0))
        uow.commit()
    with store.unit_of_work(TENANT) as first, store.unit_of_work(TENANT) as second:
        assert first.repo(Balance).get("b1") is not None
        assert second.repo(Balance).get("b1") is not None
        first.repo(Balance).increment("b1", {"tokenCredits": -20})
        second.repo(Balance).increment("b1", {"tokenCredits": -30})
        first.commit()
        second.commit()
    with store.unit_of_work(TENANT, readonly=True) as uow:
        found = uow.repo(Balance).get("b1")
    assert found is not None and found.tokenCredits == 50.0
