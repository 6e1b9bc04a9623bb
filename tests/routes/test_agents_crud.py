"""LibreChat's agent routes (``/api/agents``…) through the mounted ``agents`` function."""

from __future__ import annotations

from typing import Any

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.acl import AclEntry
from gorunchat.contracts.actions import ActionDoc
from gorunchat.contracts.agents import Agent
from gorunchat.contracts.documents import User
from gorunchat.domain.ids import object_id
from tests.fixtures.holds import audit_metadata, place_hold, release_hold, run_retention
from tests.fixtures.spine import fail_audit_writes
from tests.routes.conftest import UserFactory, mounted, user_factory

BODY = {"name": "Researcher", "description": "Finds papers", "instructions": "Be careful.",
        "provider": "openAI", "model": "gpt-4o", "tools": ["web_search", "web_search"],
        "model_parameters": {"temperature": 0.2}, "category": "rd",
        "conversation_starters": ["Find me a paper"], "recursion_limit": 25}


def create(auth: dict[str, str], **fields: Any) -> dict[str, Any]:
    response = mounted("agents").post("/api/agents", headers=auth, json={**BODY, **fields})
    assert response.status_code == 201, response.json
    return dict(response.json)


def stored(container: Container, agent_id: str) -> Agent | None:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return uow.repo(Agent).find_one({"id": agent_id})


def share(container: Container, agent: dict[str, Any], who: User, role: str) -> None:
    bits = {"viewer": 1, "editor": 3, "owner": 15}[role]
    with container.store.unit_of_work("default") as uow:
        uow.repo(AclEntry).insert(AclEntry(
            id=object_id(), principalType="user", principalId=who.id, principalModel="User",
            resourceType="agent", resourceId=agent["_id"], permBits=bits,
            roleId=f"agent_{role}"))
        uow.commit()


def entries(container: Container, agent: dict[str, Any]) -> int:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return uow.repo(AclEntry).count({"resourceType": "agent", "resourceId": agent["_id"]})


def test_create_stores_the_agent_with_its_first_version_and_an_owner_entry(
        container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()

    agent = create(auth)

    assert agent["id"].startswith("agent_") and len(agent["id"]) == 27
    assert (agent["author"], agent["name"], agent["tools"], agent["version"]) == (
        user.id, "Researcher", ["web_search"], 1)
    assert agent["versions"][0]["instructions"] == "Be careful."
    saved = stored(container, agent["id"])
    assert saved is not None and saved.oid == agent["_id"] and saved.category == "rd"
    with container.store.unit_of_work("default", readonly=True) as uow:
        owner = uow.repo(AclEntry).find_one({"resourceId": agent["_id"]})
    assert owner is not None and (owner.principalId, owner.permBits) == (user.id, 15)


@pytest.mark.parametrize("fields", [
    {"provider": ""}, {"tools": ["t"] * 129}, {"recursion_limit": 0}, {"name": "n" * 257},
    {"category": "no spaces"}, {"tools": ["bad\nname"]}, {"conversation_starters": [1]},
])
def test_create_refuses_bad_input_and_stores_nothing(
        container: Container, make_user: UserFactory, fields: dict[str, Any]) -> None:
    _, auth = make_user()

    response = mounted("agents").post("/api/agents", headers=auth, json={**BODY, **fields})

    assert response.status_code == 422
    assert response.json["error"]["code"] == "VALIDATION_FAILED"
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(Agent).count({}) == 0


def test_create_fails_closed_when_audit_is_unavailable(sqlite_container: Container) -> None:
    _, auth = user_factory(sqlite_container)()
    fail_audit_writes(sqlite_container)

    response = mounted("agents").post("/api/agents", headers=auth, json=BODY)

    assert (response.status_code, response.json["error"]["code"]) == (503, "AUDIT_UNAVAILABLE")
    with sqlite_container.store.unit_of_work("default", readonly=True) as uow:
        assert (uow.repo(Agent).count({}), uow.repo(AclEntry).count({})) == (0, 0)


def _set_role(admin: dict[str, str], **flags: bool) -> None:
    response = mounted("roles").put("/api/roles/USER/agents", headers=admin, json=flags)
    assert response.status_code == 200, response.json


def test_the_role_gates_use_and_create(container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="ADMIN")
    _, auth = make_user()
    agent = create(auth)
    client = mounted("agents")

    _set_role(admin, CREATE=False)
    refused = client.post("/api/agents", headers=auth, json=BODY)
    still_read = client.get(f"/api/agents/{agent['id']}", headers=auth)
    no_delete = client.delete(f"/api/agents/{agent['id']}", headers=auth)
    _set_role(admin, USE=False)
    no_list = client.get("/api/agents", headers=auth)

    assert (refused.status_code, refused.json["error"]["code"]) == (
        403, "AGENTS_CREATE_FORBIDDEN")
    assert still_read.status_code == 200
    assert no_delete.status_code == 403
    assert (no_list.status_code, no_list.json["error"]["code"]) == (403, "AGENTS_USE_FORBIDDEN")
    assert stored(container, agent["id"]) is not None


def test_viewer_editor_and_stranger_see_what_their_bits_allow(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    viewer, viewer_auth = make_user()
    editor, editor_auth = make_user()
    _, stranger_auth = make_user()
    agent = create(auth)
    share(container, agent, viewer, "viewer")
    share(container, agent, editor, "editor")
    client = mounted("agents")
    path = f"/api/agents/{agent['id']}"

    seen = client.get(path, headers=viewer_auth)
    viewer_expanded = client.get(f"{path}/expanded", headers=viewer_auth)
    viewer_patch = client.patch(path, headers=viewer_auth, json={"name": "Mine"})
    editor_expanded = client.get(f"{path}/expanded", headers=editor_auth)
    editor_patch = client.patch(path, headers=editor_auth, json={"name": "Edited"})
    editor_delete = client.delete(path, headers=editor_auth)
    stranger = [client.get(p, headers=stranger_auth).status_code
                for p in (path, f"{path}/expanded", f"{path}/versions")]

    assert seen.status_code == 200
    assert seen.json["name"] == "Researcher" and seen.json["version"] == 1
    assert "instructions" not in seen.json and "tools" not in seen.json
    assert "author" not in seen.json  # only the author sees the author
    assert viewer_expanded.status_code == 403 and viewer_patch.status_code == 403
    assert editor_expanded.json["instructions"] == "Be careful."
    assert editor_patch.status_code == 200 and editor_patch.json["name"] == "Edited"
    assert editor_delete.status_code == 403
    assert stranger == [404, 404, 404]
    assert client.get(path, headers=auth).json["author"] == owner.id


def test_list_shows_only_what_the_acl_allows(container: Container,
                                             make_user: UserFactory) -> None:
    _, auth = make_user()
    viewer, viewer_auth = make_user()
    _, stranger_auth = make_user()
    shared, private = create(auth, name="Shared"), create(auth, name="Private")
    share(container, shared, viewer, "viewer")
    client = mounted("agents")

    mine = client.get("/api/agents", headers=auth).json
    theirs = client.get("/api/agents", headers=viewer_auth).json
    editable = client.get("/api/agents?requiredPermission=2", headers=viewer_auth).json
    nothing = client.get("/api/agents", headers=stranger_auth).json

    assert mine["object"] == "list"
    assert {a["id"] for a in mine["data"]} == {shared["id"], private["id"]}
    assert [a["id"] for a in theirs["data"]] == [shared["id"]]
    assert "instructions" not in theirs["data"][0] and "author" not in theirs["data"][0]
    assert editable["data"] == []
    assert nothing == {"object": "list", "data": [], "first_id": None, "last_id": None,
                       "has_more": False, "after": None}


def test_list_pages_with_a_cursor_newest_change_first(container: Container,
                                                     make_user: UserFactory) -> None:
    _, auth = make_user()
    made = [create(auth, name=f"Agent {i}") for i in range(5)]
    client = mounted("agents")
    client.patch(f"/api/agents/{made[0]['id']}", headers=auth, json={"name": "Agent 0b"})

    pages, cursor = [], None
    while True:
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/agents", headers=auth, query_string=query).json
        pages.append(page)
        cursor = page["after"]
        if not page["has_more"]:
            break
    by_after = client.get("/api/agents", headers=auth,
                          query_string={"limit": "2", "after": pages[0]["after"]}).json

    ids = [a["id"] for p in pages for a in p["data"]]
    assert ids == [made[0]["id"], *[m["id"] for m in reversed(made[1:])]]
    assert [len(p["data"]) for p in pages] == [2, 2, 1]
    assert pages[0]["first_id"] == made[0]["id"] and pages[-1]["after"] is None
    assert by_after["data"] == pages[1]["data"]
    bad = client.get("/api/agents?cursor=not-a-cursor", headers=auth)
    assert (bad.status_code, bad.json["error"]["code"]) == (400, "INVALID_CURSOR")
    assert client.get("/api/agents?limit=0", headers=auth).status_code == 422


def test_list_filters_by_search_category_and_promotion(container: Container,
                                                      make_user: UserFactory) -> None:
    _, auth = make_user()
    finance = create(auth, name="Ledger bot", description="Counts money", category="finance")
    create(auth, name="Helper", description="general help", category="general")
    with container.store.unit_of_work("default") as uow:
        saved = uow.repo(Agent).find_one({"id": finance["id"]})
        assert saved is not None
        uow.repo(Agent).update(saved.oid, {"is_promoted": True})
        uow.commit()
    client = mounted("agents")

    def names(query: str) -> list[str]:
        return [a["name"] for a in client.get(f"/api/agents?{query}", headers=auth).json["data"]]

    assert names("search=MONEY") == ["Ledger bot"]
    assert names("search=.*") == []  # a search is text, never a pattern
    assert names("category=general") == ["Helper"]
    assert names("promoted=1") == ["Ledger bot"]
    assert names("promoted=0") == ["Helper"]


def test_categories_count_the_agents_the_caller_can_see(container: Container,
                                                       make_user: UserFactory) -> None:
    _, auth = make_user()
    _, other_auth = make_user()
    create(auth, category="finance")
    create(auth, category="finance")
    create(other_auth, category="finance")
    promoted = create(auth, category="it")
    with container.store.unit_of_work("default") as uow:
        saved = uow.repo(Agent).find_one({"id": promoted["id"]})
        assert saved is not None
        uow.repo(Agent).update(saved.oid, {"is_promoted": True})
        uow.commit()

    found = mounted("agents").get("/api/agents/categories", headers=auth).json

    counts = {c["value"]: c.get("count") for c in found}
    assert found[0]["value"] == "promoted" and found[-1]["value"] == "all"
    assert (counts["promoted"], counts["finance"], counts["it"], counts["hr"]) == (1, 2, 1, 0)
    assert found[-1] == {"value": "all", "label": "All", "count": None,
                         "description": "All available agents"}
    general = next(c for c in found if c["value"] == "general")
    assert general["label"] == "com_agents_category_general"


def test_each_update_appends_a_version_and_a_duplicate_is_refused(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    agent = create(auth)
    client = mounted("agents")
    path = f"/api/agents/{agent['id']}"

    changed = client.patch(path, headers=auth, json={"instructions": "Be bold.",
                                                     "unknownField": "dropped"})
    again = client.patch(path, headers=auth, json={"instructions": "Be bold."})
    nothing = client.patch(path, headers=auth, json={})
    history = client.get(f"{path}/versions", headers=auth)

    assert changed.status_code == 200 and changed.json["version"] == 2
    assert "unknownField" not in changed.json
    assert again.status_code == 409
    assert again.json["error"]["code"] == "DUPLICATE_VERSION"
    assert again.json["error"]["message"].startswith("Duplicate version")
    assert again.json["error"]["details"] == [{"versionIndex": 1}]
    assert nothing.status_code == 200 and nothing.json["version"] == 2
    assert [v["instructions"] for v in history.json] == ["Be careful.", "Be bold."]
    assert history.json[1]["updatedBy"] is not None


def test_an_agent_chain_keeps_its_edges(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    agent = create(auth)
    edges = [{"from": agent["id"], "to": "agent_other", "edgeType": "handoff"}]

    chained = mounted("agents").patch(f"/api/agents/{agent['id']}", headers=auth,
                                      json={"edges": edges})

    assert chained.status_code == 200
    assert (chained.json["edges"], chained.json["versions"][-1]["edges"]) == (edges, edges)


def test_patch_can_remove_the_avatar_and_refuses_projects(container: Container,
                                                         make_user: UserFactory) -> None:
    _, auth = make_user()
    agent = create(auth, avatar={"filepath": "/x.png", "source": "local"})
    client = mounted("agents")
    path = f"/api/agents/{agent['id']}"

    cleared = client.patch(path, headers=auth, json={"avatar": None})
    projects = client.patch(path, headers=auth, json={"projectIds": ["p1"]})

    assert cleared.status_code == 200 and cleared.json["avatar"] is None
    assert (projects.status_code, projects.json["error"]["code"]) == (
        403, "AGENTS_SHARED_GLOBAL_FORBIDDEN")


def test_revert_restores_a_version(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    agent = create(auth)
    client = mounted("agents")
    path = f"/api/agents/{agent['id']}"
    client.patch(path, headers=auth, json={"name": "Second", "artifacts": "default"})

    reverted = client.post(f"{path}/revert", headers=auth, json={"version_index": 0})
    missing = client.post(f"{path}/revert", headers=auth, json={"version_index": 9})
    negative = client.post(f"{path}/revert", headers=auth, json={"version_index": -1})

    assert reverted.status_code == 200
    assert (reverted.json["name"], reverted.json.get("artifacts")) == ("Researcher", None)
    assert reverted.json["version"] == 2
    assert (missing.status_code, missing.json["error"]["code"]) == (
        400, "AGENT_VERSION_NOT_FOUND")
    assert negative.status_code == 422


def _action(container: Container, agent: dict[str, Any], user: User) -> ActionDoc:
    doc = ActionDoc(action_id=object_id(), agent_id=agent["id"], user=user.id, metadata={
        "raw_spec": "{}", "domain": "api.example.com", "api_key": "sealed-secret",
        "oauth_client_secret": "sealed", "auth": {"type": "service_http"}})
    with container.store.unit_of_work("default") as uow:
        uow.repo(ActionDoc).insert(doc)
        uow.commit()
    return doc


def test_duplicate_copies_the_agent_and_its_actions_without_secrets(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    viewer, viewer_auth = make_user()
    agent = create(auth, tool_resources={"context": {"file_ids": ["f1"]},
                                         "file_search": {"file_ids": ["f2"]}})
    _action(container, agent, owner)
    share(container, agent, viewer, "viewer")

    response = mounted("agents").post(f"/api/agents/{agent['id']}/duplicate",
                                      headers=viewer_auth)

    assert response.status_code == 201
    copy, actions = response.json["agent"], response.json["actions"]
    assert copy["id"] != agent["id"] and copy["author"] == viewer.id
    assert copy["name"].startswith("Researcher (") and copy["version"] == 1
    assert copy["tool_resources"] == {"context": {"file_ids": ["f1"]}}
    assert copy["instructions"] == "Be careful."
    assert len(actions) == 1 and "api_key" not in actions[0]["metadata"]
    assert "oauth_client_secret" not in actions[0]["metadata"]
    assert copy["actions"] == [f"api.example.com_action_{actions[0]['action_id']}"]
    with container.store.unit_of_work("default", readonly=True) as uow:
        copied = uow.repo(ActionDoc).get(actions[0]["action_id"])
        owner_entry = uow.repo(AclEntry).find_one({"resourceId": copy["_id"]})
    assert copied is not None and copied.user == viewer.id
    assert "api_key" not in copied.metadata
    assert owner_entry is not None and owner_entry.principalId == viewer.id


def test_delete_removes_the_agent_its_acl_entries_and_actions(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    viewer, _ = make_user()
    agent = create(auth)
    share(container, agent, viewer, "viewer")
    _action(container, agent, owner)
    client = mounted("agents")

    response = client.delete(f"/api/agents/{agent['id']}", headers=auth)

    assert (response.status_code, response.json) == (200, {"message": "Agent deleted"})
    assert stored(container, agent["id"]) is None and entries(container, agent) == 0
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(ActionDoc).count({"agent_id": agent["id"]}) == 0
    assert client.get(f"/api/agents/{agent['id']}", headers=auth).status_code == 404


def test_account_deletion_takes_the_users_agents(container: Container,
                                                make_user: UserFactory) -> None:
    _, auth = make_user()
    viewer, viewer_auth = make_user()
    agent = create(auth)
    share(container, agent, viewer, "viewer")

    assert mounted("user").delete("/api/user/delete", headers=auth).status_code == 200

    assert stored(container, agent["id"]) is None and entries(container, agent) == 0
    gone = mounted("agents").get(f"/api/agents/{agent['id']}", headers=viewer_auth)
    assert gone.status_code == 404


def test_under_a_hold_deleting_hides_the_agent(container: Container,
                                              make_user: UserFactory) -> None:
    _, boss = make_user(role="SUPER_ADMIN")
    user, auth = make_user()
    first, second = create(auth), create(auth, name="Second")
    place_hold(boss, scope="users", custodians=[user.id])
    client = mounted("agents")

    deleted = client.delete(f"/api/agents/{first['id']}", headers=auth)
    listed = client.get("/api/agents", headers=auth).json
    account = mounted("user").delete("/api/user/delete", headers=auth)

    assert deleted.status_code == 200
    assert [a["id"] for a in listed["data"]] == [second["id"]]
    assert account.status_code == 200
    for agent in (first, second):
        kept = stored(container, agent["id"])
        assert kept is not None and kept.model_extra and kept.model_extra["hiddenAt"]
        assert entries(container, agent) == 1


def test_sharing_through_the_permissions_routes_uses_the_agents_db_id(
        container: Container, make_user: UserFactory) -> None:
    _, admin = make_user(role="ADMIN")  # ADMIN's role may share
    colleague, colleague_auth = make_user()
    agent = create(admin)

    shared = mounted("roles").put(f"/api/permissions/agent/{agent['_id']}", headers=admin,
                                  json={"updated": [{"type": "user", "id": colleague.id,
                                                     "accessRoleId": "agent_viewer"}]})
    public = mounted("roles").put(f"/api/permissions/agent/{agent['_id']}", headers=admin,
                                  json={"public": True, "publicAccessRoleId": "agent_viewer"})

    assert shared.status_code == 200 and public.status_code == 200
    seen = mounted("agents").get(f"/api/agents/{agent['id']}", headers=colleague_auth)
    assert seen.status_code == 200 and seen.json["isPublic"] is True
    listed = mounted("agents").get("/api/agents", headers=colleague_auth).json["data"]
    assert [(a["id"], a["isPublic"]) for a in listed] == [(agent["id"], True)]


def test_every_change_is_audited(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    agent = create(auth)
    client = mounted("agents")
    path = f"/api/agents/{agent['id']}"
    client.patch(path, headers=auth, json={"name": "Renamed"})
    client.post(f"{path}/revert", headers=auth, json={"version_index": 0})
    copy = client.post(f"{path}/duplicate", headers=auth).json["agent"]
    client.delete(path, headers=auth)

    assert audit_metadata(container, "agent.create")["dbId"] == agent["_id"]
    assert audit_metadata(container, "agent.update")["fields"] == ["name"]
    assert audit_metadata(container, "agent.revert")["versionIndex"] == 0
    duplicated = audit_metadata(container, "agent.duplicate")
    assert (duplicated["sourceId"], duplicated["dbId"]) == (agent["id"], copy["_id"])
    assert audit_metadata(container, "agent.delete")["aclEntries"] == 1


def test_retention_removes_an_agent_deleted_under_a_released_hold(
        container: Container, make_user: UserFactory) -> None:
    _, boss = make_user(role="SUPER_ADMIN")
    user, auth = make_user()
    agent, kept = create(auth), create(auth, name="Kept")
    hold_id = place_hold(boss, scope="users", custodians=[user.id])
    mounted("agents").delete(f"/api/agents/{agent['id']}", headers=auth)

    run_retention()
    still_held = stored(container, agent["id"])
    release_hold(boss, hold_id)
    run_retention()

    assert still_held is not None
    assert stored(container, agent["id"]) is None and entries(container, agent) == 0
    assert stored(container, kept["id"]) is not None
    assert audit_metadata(container, "retention.agent_purged")["aclEntries"] == 1
