"""The BigQuery query sink with the official client against the local BigQuery server."""

from __future__ import annotations

from pathlib import Path

import pytest

from gorunchat.adapters.gcp.bigquery import BigQuerySink, build_client
from gorunchat.adapters.local.archive import LocalArchive
from gorunchat.adapters.sqlite.store import SqliteStore
from gorunchat.contracts.audit import Actor, AuditEvent, DiscoveryEvent
from gorunchat.contracts.errors import ServiceUnavailable
from gorunchat.ports.querysink import AUDIT_TABLE, AuditRow
from gorunchat.services import projector
from tests.fixtures.bigquery_server import BigQueryServer
from tests.gcp.conftest import PROJECT

AUDIT = f"{PROJECT}.gorunchat_audit.audit"
DISCOVERY = f"{PROJECT}.gorunchat_audit.discovery"


def _sink(server: BigQueryServer) -> BigQuerySink:
    return BigQuerySink(build_client(PROJECT, server.endpoint), "gorunchat_audit")


def _store(tmp_path: Path, events: int) -> SqliteStore:
    store = SqliteStore(tmp_path / "store.sqlite3")
    for n in range(events):
        with store.unit_of_work("acme") as uow:
            uow.record(AuditEvent(action="conversation.update", targetId=f"c{n}",
                                  actor=Actor(userId="u1", role="USER"),
                                  metadata={"fields": ["title"], "n": n}))
            uow.journal(DiscoveryEvent(kind="conversation.renamed", userId="u1",
                                       conversationId=f"c{n}", content={"title": f"T{n}"}))
            uow.commit()
    return store


def test_ensure_creates_the_dataset_and_partitioned_tables_once(
        bigquery_server: BigQueryServer) -> None:
    sink = _sink(bigquery_server)

    sink.ensure()
    sink.ensure()

    tables = bigquery_server.state.tables
    assert sorted(tables) == [AUDIT, DISCOVERY]
    audit = tables[AUDIT]
    assert audit["timePartitioning"] == {"type": "DAY", "field": "ts"}
    assert audit["clustering"] == {"fields": ["tenantId"]}
    assert [f["name"] for f in audit["schema"]["fields"]][:5] == [
        "id", "tenantId", "seq", "ts", "action"]


def test_records_land_as_rows_keyed_by_their_id(bigquery_server: BigQueryServer,
                                                tmp_path: Path) -> None:
    store = _store(tmp_path, 2)
    records = store.audit_log("acme").unprojected(10)
    sink = _sink(bigquery_server)
    sink.ensure()

    sink.insert(AUDIT_TABLE, [projector.audit_row(r) for r in records])
    sink.insert(AUDIT_TABLE, [projector.audit_row(r) for r in records])  # replayed

    rows = bigquery_server.state.table_rows(AUDIT)
    assert bigquery_server.state.received == 4
    assert [(r["id"], r["seq"], r["actor"]["userId"]) for r in rows] == [
        (records[0].id, 1, "u1"), (records[1].id, 2, "u1")]
    assert rows[1]["metadata"] == '{"fields": ["title"], "n": 1}'
    assert list(bigquery_server.state.rows[AUDIT]) == [r.id for r in records]


def test_a_crash_after_the_bigquery_write_adds_no_duplicates_on_rerun(
        bigquery_server: BigQueryServer, tmp_path: Path) -> None:
    store = _store(tmp_path, 5)
    sink = _sink(bigquery_server)

    class CrashBeforeMarking(LocalArchive):
        crashed = False

        def put_once(self, key: str, data: bytes, content_type: str) -> bool:
            if not CrashBeforeMarking.crashed:
                CrashBeforeMarking.crashed = True
                raise ServiceUnavailable("process killed")
            return super().put_once(key, data, content_type)

    run = projector.Projector(store=store, sink=sink,
                              archive=CrashBeforeMarking(tmp_path / "archive"))

    with pytest.raises(ServiceUnavailable):
        projector.project(run)
    written_before_crash = len(bigquery_server.state.table_rows(AUDIT))
    rerun = projector.project(run)

    assert written_before_crash == 5
    assert (rerun.auditProjected, rerun.discoveryProjected) == (5, 5)
    assert len(bigquery_server.state.table_rows(AUDIT)) == 5
    assert len(bigquery_server.state.table_rows(DISCOVERY)) == 5
    assert bigquery_server.state.received == 15  # 5 before the crash, 5 + 5 after
    assert store.audit_log("acme").backlog().auditPending == 0


def test_missing_tables_are_created_on_first_insert(bigquery_server: BigQueryServer,
                                                    tmp_path: Path) -> None:
    store = _store(tmp_path, 1)
    sink = _sink(bigquery_server)

    sink.insert(AUDIT_TABLE, [projector.audit_row(r)
                              for r in store.audit_log("acme").unprojected(1)])

    assert len(bigquery_server.state.table_rows(AUDIT)) == 1


def test_rows_the_schema_refuses_are_an_error(bigquery_server: BigQueryServer) -> None:
    sink = _sink(bigquery_server)
    sink.ensure()
    bad = AuditRow(id="r1", tenantId="acme", seq=1, ts="not a time", action="x",
                   actor=Actor(), metadata="{}", prevHash="0", hash="1")

    with pytest.raises(ServiceUnavailable) as raised:
        sink.insert(AUDIT_TABLE, [bad])

    assert raised.value.code == "QUERY_SINK_REJECTED"
    assert bigquery_server.state.table_rows(AUDIT) == []


def test_an_unreachable_bigquery_is_unavailable() -> None:
    server = BigQueryServer().start()
    endpoint = server.endpoint
    server.stop()
    sink = BigQuerySink(build_client(PROJECT, endpoint), "gorunchat_audit",
                        retry_deadline_s=0.5)

    with pytest.raises(ServiceUnavailable) as raised:
        sink.ensure()

    assert raised.value.code == "QUERY_SINK_UNAVAILABLE"
