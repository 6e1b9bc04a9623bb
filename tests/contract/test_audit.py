"""Audit records are hash-chained per tenant, written with the changes, or nothing is."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest

from gorunchat.contracts.audit import Actor, AuditEvent, AuditRecord, DiscoveryEvent
from gorunchat.contracts.errors import AuditUnavailable
from gorunchat.domain.hashchain import GENESIS, first_break
from gorunchat.ports.store import Store
from tests.contract.backends import Backend
from tests.contract.helpers import OTHER, TENANT, conversation, message, seed


def _commit(store: Store, tenant: str, *actions: str, **metadata: Any) -> list[AuditRecord]:
    with store.unit_of_work(tenant) as uow:
        for action in actions:
            uow.record(AuditEvent(action=action, actor=Actor(userId="u1", role="USER"),
                                  targetType="conversation", targetId=action,
                                  metadata=metadata))
        return uow.commit()


def _chain(store: Store, tenant: str) -> list[dict[str, Any]]:
    return [r.model_dump() for r in store.audit_log(tenant).records()]


def test_records_chain_per_tenant_across_units(backend: Backend) -> None:
    written = _commit(backend.store, TENANT, "a1", "a2")
    written += _commit(backend.store, OTHER, "b1")
    written += _commit(backend.store, TENANT, "a3")
    written += _commit(backend.store, OTHER, "b2")
    written += _commit(backend.store, TENANT, "a4", "a5")

    ours = backend.store.audit_log(TENANT).records()
    theirs = backend.store.audit_log(OTHER).records()

    assert [(r.seq, r.action) for r in ours] == [(1, "a1"), (2, "a2"), (3, "a3"), (4, "a4"),
                                                 (5, "a5")]
    assert [(r.seq, r.action) for r in theirs] == [(1, "b1"), (2, "b2")]
    assert ours[0].prevHash == GENESIS
    assert [r.prevHash for r in ours[1:]] == [r.hash for r in ours[:-1]]
    assert first_break([r.model_dump() for r in ours]) is None
    assert first_break([r.model_dump() for r in theirs]) is None
    assert sorted(ours + theirs, key=lambda r: r.id) == sorted(written, key=lambda r: r.id)


def test_records_keep_every_field_and_metadata_of_any_json_shape(backend: Backend) -> None:
    when = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
    metadata = {"when": when, "nested": {"list": [1, 2.5, None, True, "ünï"]}, "n": 7}
    [written] = _commit(backend.store, TENANT, "conversation.update", **metadata)

    [stored] = backend.store.audit_log(TENANT).records()

    assert stored == written
    assert stored.metadata == {"when": "2024-05-01T12:00:00.123456+00:00",
                               "nested": {"list": [1, 2.5, None, True, "ünï"]}, "n": 7}
    assert stored.actor == Actor(userId="u1", role="USER")
    assert (stored.targetType, stored.targetId) == ("conversation", "conversation.update")
    assert stored.ts.microsecond % 1000 == 0
    assert first_break(_chain(backend.store, TENANT)) is None


def test_reading_the_log_by_position_and_filter(backend: Backend) -> None:
    for action in ("login", "conversation.create", "login", "conversation.delete"):
        _commit(backend.store, TENANT, action)
    [foreign] = _commit(backend.store, OTHER, "login")
    log = backend.store.audit_log(TENANT)
    everything = log.records()

    assert [r.seq for r in log.records(after_seq=2)] == [3, 4]
    assert [r.seq for r in log.records(limit=2)] == [1, 2]
    assert [r.seq for r in log.records(descending=True)] == [4, 3, 2, 1]
    assert [r.seq for r in log.records(descending=True, after_seq=3)] == [2, 1]
    assert [r.seq for r in log.records(where={"action": "login"})] == [1, 3]
    assert [r.seq for r in log.records(where={"actorUserId": "u1", "targetId": "login"})] == [
        1, 3]
    assert [r.seq for r in log.records(where={"since": everything[0].ts})] == [1, 2, 3, 4]
    assert log.records(where={"until": everything[0].ts}) == []
    assert log.get(everything[2].id) == everything[2]
    assert log.get(foreign.id) is None


def test_discovery_records_are_written_with_the_unit(backend: Backend) -> None:
    with backend.store.unit_of_work(TENANT) as uow:
        uow.messages.insert(message("m1", text="hello"))
        uow.journal(DiscoveryEvent(kind="message.created", userId="u1", conversationId="c1",
                                   messageId="m1", content={"text": "hello", "parts": [1]}))
        uow.journal(DiscoveryEvent(kind="message.deleted", userId="u2", conversationId="c2",
                                   messageId="m9"))
        assert uow.commit() == []
    with backend.store.unit_of_work(OTHER) as uow:
        uow.journal(DiscoveryEvent(kind="message.created", conversationId="c1"))
        uow.commit()

    log = backend.store.audit_log(TENANT)
    found = log.discovery()
    by_convo = log.discovery(where={"conversationId": "c1"})

    assert [(d.kind, d.userId, d.messageId, d.tenantId) for d in found] == [
        ("message.created", "u1", "m1", TENANT), ("message.deleted", "u2", "m9", TENANT)]
    assert found[0].content == {"text": "hello", "parts": [1]}
    assert [d.messageId for d in by_convo] == ["m1"]
    assert [d.messageId for d in log.discovery(where={"userId": "u2"})] == ["m9"]
    assert [d.kind for d in log.discovery(where={"kind": "message.deleted"})] == [
        "message.deleted"]
    assert len(log.discovery(limit=1)) == 1


@pytest.mark.parametrize("failing", ["auditlogs", "discoveryrecords"])
def test_when_records_cannot_be_written_nothing_is(backend: Backend, failing: str) -> None:
    seed(backend.store, TENANT, [conversation("c0", title="before"), message("m0")])
    _commit(backend.store, TENANT, "seeded")

    with backend.with_failing_writes(failing) as broken:
        with broken.unit_of_work(TENANT) as uow:
            uow.conversations.insert(conversation("c1"))
            uow.conversations.update("c0", {"title": "after"})
            uow.messages.delete("m0")
            uow.record(AuditEvent(action="conversation.create", targetId="c1"))
            uow.journal(DiscoveryEvent(kind="conversation.created", conversationId="c1"))
            with pytest.raises(AuditUnavailable) as raised:
                uow.commit()

    assert raised.value.code == "AUDIT_UNAVAILABLE"
    with backend.store.unit_of_work(TENANT) as uow:
        assert uow.conversations.get("c1") is None
        assert [(c.conversationId, c.title) for c in uow.conversations.find({})] == [
            ("c0", "before")]
        assert [m.messageId for m in uow.messages.find({})] == ["m0"]
    assert backend.store.audit_log(TENANT).discovery() == []
    if failing == "auditlogs":
        assert [r.action for r in backend.store.audit_log(TENANT).records()] == ["seeded"]

    # The chain is intact and continues once the log is back.
    _commit(backend.store, TENANT, "after-outage")
    chain = _chain(backend.store, TENANT)
    assert chain[-1]["action"] == "after-outage"
    assert first_break(chain) is None


def test_a_tampered_record_is_named_by_first_break(backend: Backend) -> None:
    _commit(backend.store, TENANT, "a1", "a2", "a3", note="original")
    backend.tamper(TENANT, 2, "note", "edited")

    chain = _chain(backend.store, TENANT)
    broken = first_break(chain)

    assert chain[1]["metadata"] == {"note": "edited"}
    assert broken is not None
    index, record, reason = broken
    assert (index, record["seq"], record["action"]) == (1, 2, "a2")
    assert reason == "hash does not match the record's content"


def test_concurrent_commits_keep_one_gapless_chain(backend: Backend) -> None:
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            for n in range(5):
                _commit(backend.store, TENANT, f"w{worker}.{n}")
        except BaseException as exc:  # noqa: B036 - surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    chain = _chain(backend.store, TENANT)
    assert errors == []
    assert [r["seq"] for r in chain] == list(range(1, 21))
    assert sorted(r["action"] for r in chain) == sorted(
        f"w{w}.{n}" for w in range(4) for n in range(5))
    assert first_break(chain) is None
