"""``/api/admin/audit-log`` and ``/api/admin/audit/lag``: read, filter, export, verify, lag."""

from __future__ import annotations

import csv
import io

from gorunchat.bootstrap import Container
from gorunchat.contracts.audit import AuditEvent
from tests.fixtures.spine import TASK_HEADERS, tamper
from tests.routes.conftest import UserFactory, mounted


def _hold(auth: dict[str, str], custodian: str, name: str = "Matter") -> str:
    response = mounted("admin").post("/api/admin/holds", headers=auth, json={
        "name": name, "scope": "users", "custodians": [custodian]})
    assert response.status_code == 201
    return str(response.json["id"])


def test_the_log_lists_newest_first_in_pages(container: Container,
                                             make_user: UserFactory) -> None:
    admin, auth = make_user(role="ADMIN")
    holds = [_hold(auth, admin.id, f"Matter {n}") for n in range(3)]
    admin_app = mounted("admin")

    first = admin_app.get("/api/admin/audit-log?limit=2", headers=auth)
    second = admin_app.get(f"/api/admin/audit-log?limit=2&cursor={first.json['nextCursor']}",
                           headers=auth)

    assert first.status_code == 200
    assert [r["targetId"] for r in first.json["items"]] == [holds[2], holds[1]]
    assert first.json["nextCursor"] == "2"
    assert [r["targetId"] for r in second.json["items"]] == [holds[0]]
    assert second.json["nextCursor"] is None


def test_the_log_filters_by_action_actor_and_target(container: Container,
                                                    make_user: UserFactory) -> None:
    admin, auth = make_user(role="ADMIN")
    other, other_auth = make_user(role="ADMIN")
    mine = _hold(auth, admin.id)
    _hold(other_auth, other.id)
    mounted("admin").get("/api/admin/audit-log/export.csv", headers=auth)

    by_actor = mounted("admin").get(f"/api/admin/audit-log?actorUserId={admin.id}",
                                    headers=auth)
    by_action = mounted("admin").get("/api/admin/audit-log?action=admin.audit_export",
                                     headers=auth)
    by_target = mounted("admin").get(f"/api/admin/audit-log?targetId={mine}", headers=auth)

    assert [r["action"] for r in by_actor.json["items"]] == [
        "admin.audit_export", "admin.hold_create"]
    assert [r["actor"]["userId"] for r in by_action.json["items"]] == [admin.id]
    assert [r["targetId"] for r in by_target.json["items"]] == [mine]


def test_one_record_by_id_and_an_unknown_id(container: Container,
                                            make_user: UserFactory) -> None:
    admin, auth = make_user(role="ADMIN")
    hold_id = _hold(auth, admin.id)
    record_id = mounted("admin").get("/api/admin/audit-log", headers=auth).json["items"][0]["id"]

    found = mounted("admin").get(f"/api/admin/audit-log/{record_id}", headers=auth)
    missing = mounted("admin").get("/api/admin/audit-log/no-such-record", headers=auth)

    assert found.status_code == 200
    assert (found.json["action"], found.json["targetId"], found.json["seq"]) == (
        "admin.hold_create", hold_id, 1)
    assert missing.status_code == 404
    assert missing.json["error"]["code"] == "AUDIT_RECORD_NOT_FOUND"


def test_csv_export_is_audited_and_defuses_formulas(container: Container,
                                                   make_user: UserFactory) -> None:
    admin, auth = make_user(role="ADMIN")
    _hold(auth, admin.id, name="=HYPERLINK(\"http://x\")")

    response = mounted("admin").get("/api/admin/audit-log/export.csv", headers=auth)

    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert [r["action"] for r in rows] == ["admin.hold_create", "admin.audit_export"]
    assert rows[0]["metadata"].startswith('{"conversationIds"')
    assert rows[1]["actorUserId"] == admin.id
    log = container.store.audit_log("default").records()
    assert [r.action for r in log] == ["admin.hold_create", "admin.audit_export"]


def test_csv_cells_that_look_like_formulas_are_quoted(container: Container,
                                                      make_user: UserFactory) -> None:
    _, auth = make_user(role="ADMIN")
    with container.store.unit_of_work("default") as uow:  # a target id a user chose
        uow.record(AuditEvent(action="conversation.update", targetType="conversation",
                              targetId='=HYPERLINK("http://evil")'))
        uow.commit()

    response = mounted("admin").get("/api/admin/audit-log/export.csv", headers=auth)

    rows = list(csv.DictReader(io.StringIO(response.data.decode())))
    assert rows[0]["targetId"] == '\'=HYPERLINK("http://evil")'


def test_verify_passes_then_names_the_altered_record(container: Container,
                                                     make_user: UserFactory) -> None:
    admin, auth = make_user(role="ADMIN")
    for n in range(4):
        _hold(auth, admin.id, f"Matter {n}")
    intact = mounted("admin").get("/api/admin/audit-log/verify", headers=auth)
    altered = container.store.audit_log("default").records()[2]
    tamper(container, "default", altered.seq, "name", "Quietly renamed")

    broken = mounted("admin").get("/api/admin/audit-log/verify", headers=auth)

    assert intact.status_code == 200
    assert (intact.json["ok"], intact.json["checked"], intact.json["headSeq"]) == (True, 4, 4)
    assert broken.status_code == 200
    assert broken.json["ok"] is False
    assert (broken.json["firstBrokenId"], broken.json["firstBrokenSeq"]) == (altered.id, 3)
    assert broken.json["reason"] == "hash does not match the record's content"
    assert broken.json["checked"] == 2


def test_lag_reports_the_backlog_until_the_projector_runs(container: Container,
                                                          make_user: UserFactory) -> None:
    admin, auth = make_user(role="ADMIN")
    _hold(auth, admin.id)
    _hold(auth, admin.id)
    first = container.store.audit_log("default").records()[0]

    before = mounted("admin").get("/api/admin/audit/lag", headers=auth)
    projected = mounted("tasks").post("/tasks/audit-projection", json={}, headers=TASK_HEADERS)
    after = mounted("admin").get("/api/admin/audit/lag", headers=auth)

    assert before.status_code == 200
    assert (before.json["auditPending"], before.json["auditTotal"]) == (2, 2)
    assert before.json["oldestPendingAt"] == first.ts.isoformat().replace("+00:00", "Z")
    assert before.json["lagSeconds"] >= 0
    assert projected.json["auditProjected"] == 2
    assert (after.json["auditPending"], after.json["lagSeconds"]) == (0, 0.0)
    assert after.json["oldestPendingAt"] is None


def test_bad_filters_are_a_clear_client_error(container: Container,
                                              make_user: UserFactory) -> None:
    _, auth = make_user(role="ADMIN")
    app = mounted("admin")

    zero = app.get("/api/admin/audit-log?limit=0", headers=auth)
    backwards = app.get("/api/admin/audit-log?since=2025-02-01T00:00:00Z"
                        "&until=2025-01-01T00:00:00Z", headers=auth)
    unknown = app.get("/api/admin/audit-log?color=red", headers=auth)
    cursor = app.get("/api/admin/audit-log?cursor=abc", headers=auth)

    assert [r.status_code for r in (zero, backwards, unknown, cursor)] == [422] * 4
    assert zero.json["error"]["details"][0]["field"] == "limit"
