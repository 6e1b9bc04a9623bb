"""Prompts deleted under a hold on their author are kept while it lasts and removed (with the
group's ACL entries) by the first retention run after it is released."""

from __future__ import annotations

from gorunchat.bootstrap import Container
from gorunchat.contracts.acl import AclEntry
from gorunchat.contracts.admin_audit import RetentionSettings
from gorunchat.contracts.prompts import Prompt, PromptGroup
from gorunchat.services import retention
from tests.routes.conftest import UserFactory, mounted


def _count(container: Container, group_id: str) -> tuple[int, int, int]:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return (uow.repo(PromptGroup).count({"_id": group_id}),
                uow.repo(Prompt).count({"groupId": group_id}),
                uow.repo(AclEntry).count({"resourceId": group_id}))


def test_prompts_deleted_under_a_hold_go_once_it_is_released(
        container: Container, make_user: UserFactory) -> None:
    author, auth = make_user()
    _, admin = make_user(role="SUPER_ADMIN")
    client = mounted("prompts")
    created = client.post("/api/prompts", headers=auth, json={
        "prompt": {"prompt": "Summarise {{text}}", "type": "text"},
        "group": {"name": "Summaries", "category": "general"}})
    assert created.status_code == 200, created.json
    group_id = created.json["group"]["_id"]
    hold = mounted("admin").post("/api/admin/holds", headers=admin, json={
        "name": "Matter", "scope": "users", "custodians": [author.id]})
    assert hold.status_code in (200, 201), hold.json
    assert client.delete(f"/api/prompts/groups/{group_id}", headers=auth).status_code == 200

    retention.run(container.store, RetentionSettings())
    kept = _count(container, group_id)
    mounted("admin").post(f"/api/admin/holds/{hold.json['id']}/release", headers=admin,
                          json={"reason": "Settled"})
    retention.run(container.store, RetentionSettings())

    assert kept[:2] == (1, 1) and kept[2] >= 1
    assert _count(container, group_id) == (0, 0, 0)
    log = container.store.audit_log("default")
    assert [r.targetId for r in log.records(
        where={"action": "retention.promptgroup_purged"})] == [group_id]
    assert len(log.records(where={"action": "retention.prompt_purged"})) == 1
