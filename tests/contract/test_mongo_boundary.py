"""What is particular to the MongoDB adapter: LibreChat data, indexes, races on the chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from bson import ObjectId

from gorunchat.adapters.mongo.store import MongoStore
from gorunchat.contracts.audit import AuditEvent
from gorunchat.domain.hashchain import first_break
from tests.contract.backends import MongoBackend
from tests.contract.helpers import T0, TENANT, conversation, seed


def test_librechat_object_ids_and_naive_dates_are_translated(mongo: MongoBackend) -> None:
    oid = ObjectId("65a1b2c3d4e5f60718293a4b")
    naive = datetime(2024, 5, 1, 12, 0, 0)
    mongo.db["users"].insert_one({"_id": oid, "tenantId": TENANT, "email": "ada@example.com",
                                  "createdAt": naive, "updatedAt": naive, "__v": 0})
    mongo.db["conversations"].insert_one({"tenantId": TENANT, "conversationId": "c1",
                                          "user": str(oid), "createdAt": naive,
                                          "updatedAt": naive, "title": "From LibreChat"})
    mongo.db["sessions"].insert_one({"_id": ObjectId(), "tenantId": TENANT, "user": oid,
                                     "refreshTokenHash": "h", "expiration": naive})

    with mongo.store.unit_of_work(TENANT) as uow:
        found = uow.users.get(str(oid))
        by_filter = uow.users.find({"_id": {"$in": [str(oid)]}})
        convo = uow.conversations.get("c1")
        sessions = uow.sessions.find({"user": str(oid)})

    assert found is not None
    assert found.id == "65a1b2c3d4e5f60718293a4b"
    assert found.createdAt == T0
    assert found.model_extra == {"__v": 0}
    assert [u.id for u in by_filter] == [str(oid)]
    assert convo is not None
    assert convo.title == "From LibreChat"
    assert "_id" not in (convo.model_extra or {})
    assert [s.user for s in sessions] == [str(oid)]


def test_saving_a_librechat_document_keeps_its_stored_id(mongo: MongoBackend) -> None:
    oid = ObjectId("65a1b2c3d4e5f60718293a4b")
    convo_oid = ObjectId()
    mongo.db["users"].insert_one({"_id": oid, "tenantId": TENANT, "email": "ada@example.com"})
    mongo.db["conversations"].insert_one({"_id": convo_oid, "tenantId": TENANT,
                                          "conversationId": "c1", "user": str(oid)})

    with mongo.store.unit_of_work(TENANT) as uow:
        user = uow.users.get(str(oid))
        convo = uow.conversations.get("c1")
        assert user is not None and convo is not None
        uow.users.save(user.model_copy(update={"name": "Ada"}))
        uow.conversations.save(convo.model_copy(update={"title": "Renamed"}))
        uow.users.update(str(oid), {"role": "ADMIN"})
        uow.commit()

    raw_user = mongo.db["users"].find_one({"email": "ada@example.com"})
    raw_convo = mongo.db["conversations"].find_one({"conversationId": "c1"})
    assert raw_user is not None and raw_convo is not None
    assert (raw_user["_id"], raw_user["name"], raw_user["role"]) == (oid, "Ada", "ADMIN")
    assert (raw_convo["_id"], raw_convo["title"]) == (convo_oid, "Renamed")
    assert mongo.db["users"].count_documents({}) == 1


def test_indexes_are_created_once_and_again_without_error(mongo: MongoBackend) -> None:
    MongoStore(mongo.client, mongo.database)  # a second start over the same database

    def names(collection: str) -> set[str]:
        return set(mongo.db[collection].index_information())

    def unique(collection: str, name: str) -> bool:
        return bool(mongo.db[collection].index_information()[name].get("unique"))

    assert {"tenant_conversationId_unique", "tenant_user_updatedAt",
            "tenant_updatedAt"} <= names("conversations")
    assert unique("conversations", "tenant_conversationId_unique")
    assert unique("users", "tenant__id_unique")
    assert unique("messages", "tenant_messageId_unique")
    assert unique("auditlogs", "tenant_seq_unique")
    assert unique("auditlogs", "id_unique")
    assert unique("audit_heads", "tenant_unique")
    assert {"tenant_id_unique", "unprojected"} <= names("discoveryrecords")


def test_records_carry_projected_at_for_a_later_projector(mongo: MongoBackend) -> None:
    with mongo.store.unit_of_work(TENANT) as uow:
        uow.record(AuditEvent(action="login"))
        uow.commit()

    record = mongo.db["auditlogs"].find_one({"tenantId": TENANT})
    head = mongo.db["audit_heads"].find_one({"tenantId": TENANT})
    assert record is not None and head is not None
    assert record["projectedAt"] is None
    assert (head["seq"], head["hash"], head["projectedAt"]) == (1, record["hash"], None)


def test_a_writer_that_stopped_before_moving_the_head_does_not_block(mongo: MongoBackend
                                                                      ) -> None:
    with mongo.store.unit_of_work(TENANT) as uow:
        uow.record(AuditEvent(action="a1"))
        uow.record(AuditEvent(action="a2"))
        uow.commit()
    # As if the writer of seq 2 had stopped after inserting it but before moving the head.
    first = mongo.db["auditlogs"].find_one({"tenantId": TENANT, "seq": 1})
    assert first is not None
    mongo.db["audit_heads"].update_one({"tenantId": TENANT},
                                       {"$set": {"seq": 1, "hash": first["hash"]}})

    with mongo.store.unit_of_work(TENANT) as uow:
        uow.record(AuditEvent(action="a3"))
        [record] = uow.commit()

    chain = [r.model_dump() for r in mongo.store.audit_log(TENANT).records()]
    assert record.seq == 3
    assert [r["action"] for r in chain] == ["a1", "a2", "a3"]
    assert first_break(chain) is None
    assert mongo.db["audit_heads"].find_one({"tenantId": TENANT})["seq"] == 3  # type: ignore[index]


class _RacingAuditLogs:
    """Lets another writer commit just before this store's first audit insert lands."""

    def __init__(self, inner: Any, rival: MongoStore) -> None:
        self._inner, self._rival, self.raced = inner, rival, False

    def insert_one(self, *args: Any, **kwargs: Any) -> Any:
        if not self.raced:
            self.raced = True
            with self._rival.unit_of_work(TENANT) as uow:
                uow.record(AuditEvent(action="rival"))
                uow.commit()
        return self._inner.insert_one(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _RacingClient:
    def __init__(self, inner: Any, logs: _RacingAuditLogs) -> None:
        self._inner, self._logs = inner, logs

    def __getitem__(self, name: str) -> Any:
        outer = self

        class _Db:
            def __getitem__(self, collection: str) -> Any:
                db = outer._inner[name]
                return outer._logs if collection == "auditlogs" else db[collection]

            def __getattr__(self, attr: str) -> Any:
                return getattr(outer._inner[name], attr)

        return _Db()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def test_losing_a_race_for_the_next_link_retries_after_the_winner(mongo: MongoBackend
                                                                   ) -> None:
    seed(mongo.store, TENANT, [conversation("c0")])
    logs = _RacingAuditLogs(mongo.db["auditlogs"], mongo.store)
    racing = MongoStore(_RacingClient(mongo.client, logs), mongo.database,
                        create_indexes=False, transactions=False)

    with racing.unit_of_work(TENANT) as uow:
        uow.conversations.update("c0", {"title": "mine"})
        uow.record(AuditEvent(action="mine-1"))
        uow.record(AuditEvent(action="mine-2"))
        records = uow.commit()

    chain = [r.model_dump() for r in mongo.store.audit_log(TENANT).records()]
    assert logs.raced is True
    assert [(r.seq, r.action) for r in records] == [(2, "mine-1"), (3, "mine-2")]
    assert [r["action"] for r in chain] == ["rival", "mine-1", "mine-2"]
    assert first_break(chain) is None
    with mongo.store.unit_of_work(TENANT) as uow:
        assert uow.conversations.get("c0").title == "mine"  # type: ignore[union-attr]


def test_mongomock_commits_without_transactions(mongo: MongoBackend) -> None:
    if mongo.name != "mongomock":
        pytest.skip("a real server answers for itself")
    assert mongo.store.transactions is False  # type: ignore[attr-defined]
