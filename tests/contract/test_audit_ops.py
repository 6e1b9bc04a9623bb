"""The projector and retention side of the audit log: backlog, marking, pruning, leases."""

from __future__ import annotations

from datetime import timedelta

from gorunchat.contracts.audit import AuditEvent, DiscoveryEvent
from gorunchat.domain.hashchain import first_break
from gorunchat.ports.store import Store
from tests.contract.backends import Backend
from tests.contract.helpers import OTHER, T0, TENANT


def _append(store: Store, tenant: str, actions: list[str]) -> None:
    with store.unit_of_work(tenant) as uow:
        for action in actions:
            uow.record(AuditEvent(action=action))
            uow.journal(DiscoveryEvent(kind=f"{action}.seen", userId="u1"))
        uow.commit()


def test_unprojected_records_come_in_order_until_marked(backend: Backend) -> None:
    _append(backend.store, TENANT, ["a", "b", "c"])
    log = backend.store.audit_log(TENANT)

    first = log.unprojected(2)
    marked = log.mark_projected([r.id for r in first], T0)
    marked_again = log.mark_projected([r.id for r in first], T0)

    assert [r.seq for r in first] == [1, 2]
    assert (marked, marked_again) == (2, 0)
    assert [r.action for r in log.unprojected(10)] == ["c"]
    backlog = log.backlog()
    assert (backlog.auditPending, backlog.auditTotal) == (1, 3)
    assert backlog.oldestAuditPendingAt == log.unprojected(1)[0].ts


def test_discovery_backlog_is_marked_separately(backend: Backend) -> None:
    _append(backend.store, TENANT, ["a", "b"])
    log = backend.store.audit_log(TENANT)

    pending = log.unprojected_discovery(10)
    log.mark_discovery_projected([pending[0].id], T0)

    assert [d.kind for d in pending] == ["a.seen", "b.seen"]
    assert [d.id for d in log.unprojected_discovery(10)] == [pending[1].id]
    backlog = log.backlog()
    assert (backlog.discoveryPending, backlog.discoveryTotal) == (1, 2)
    assert (backlog.auditPending, backlog.auditTotal) == (2, 2)


def test_backlog_is_per_tenant(backend: Backend) -> None:
    _append(backend.store, TENANT, ["a"])
    _append(backend.store, OTHER, ["b", "c"])

    mine = backend.store.audit_log(TENANT).backlog()

    assert (mine.auditPending, mine.discoveryPending) == (1, 1)
    assert backend.store.audit_tenants() == sorted([TENANT, OTHER])
    assert backend.store.audit_log("nobody").head() is None


def test_pruning_a_projected_prefix_keeps_the_rest_verifiable(backend: Backend) -> None:
    _append(backend.store, TENANT, ["a", "b", "c", "d"])
    log = backend.store.audit_log(TENANT)
    log.mark_projected([r.id for r in log.unprojected(3)], T0)
    second = log.records()[1]

    removed = log.prune_through(2)

    anchor = log.anchor()
    assert removed == 2
    assert anchor is not None and (anchor.seq, anchor.hash) == (2, second.hash)
    rest = log.records(after_seq=anchor.seq)
    assert [r.seq for r in rest] == [3, 4]
    assert first_break([r.model_dump() for r in rest], prev=anchor.hash,
                       expected_seq=anchor.seq + 1) is None
    head = log.head()
    assert head is not None and head.seq == 4


def test_an_unprojected_record_is_never_pruned(backend: Backend) -> None:
    _append(backend.store, TENANT, ["a", "b"])
    log = backend.store.audit_log(TENANT)

    removed = log.prune_through(2)

    assert removed == 0
    assert log.anchor() is None
    assert [r.seq for r in log.records()] == [1, 2]


def test_expired_discovery_is_projected_and_older_than_the_cutoff(backend: Backend) -> None:
    _append(backend.store, TENANT, ["a", "b"])
    log = backend.store.audit_log(TENANT)
    records = log.unprojected_discovery(10)
    log.mark_discovery_projected([records[0].id], T0)
    cutoff = records[1].ts + timedelta(seconds=1)

    expired = log.expired_discovery(cutoff, 10)
    deleted = log.delete_discovery([d.id for d in expired])

    assert [d.id for d in expired] == [records[0].id]
    assert deleted == 1
    assert [d.id for d in log.discovery()] == [records[1].id]


def test_a_lease_has_one_owner_until_it_expires_or_is_released(backend: Backend) -> None:
    log = backend.store.audit_log(TENANT)

    first = log.try_lease("projection", "worker-1", 60)
    rival = log.try_lease("projection", "worker-2", 60)
    renewed = log.try_lease("projection", "worker-1", 60)
    other_tenant = backend.store.audit_log(OTHER).try_lease("projection", "worker-2", 60)
    log.release_lease("projection", "worker-1")
    after_release = log.try_lease("projection", "worker-2", -1)  # taken, already expired
    after_expiry = log.try_lease("projection", "worker-3", 60)

    assert (first, rival, renewed, other_tenant) == (True, False, True, True)
    assert (after_release, after_expiry) == (True, True)


def test_expired_discovery_leaves_out_what_holds_preserve(backend: Backend) -> None:
    with backend.store.unit_of_work(TENANT) as uow:
        uow.journal(DiscoveryEvent(kind="k", userId="held", conversationId="c1"))
        uow.journal(DiscoveryEvent(kind="k", userId="free", conversationId="c2"))
        uow.journal(DiscoveryEvent(kind="k", userId="free", conversationId="kept"))
        uow.journal(DiscoveryEvent(kind="k", userId=None, conversationId=None))
        uow.commit()
    log = backend.store.audit_log(TENANT)
    records = log.unprojected_discovery(10)
    log.mark_discovery_projected([d.id for d in records], T0)

    expired = log.expired_discovery(records[-1].ts + timedelta(seconds=1), 10,
                                    exclude_users=["held"], exclude_conversations=["kept"])

    assert [(d.userId, d.conversationId) for d in expired] == [("free", "c2"), (None, None)]
