"""The prompt library (``/api/prompts``) and ``/api/categories`` through the mounted
functions, on SQLite and mongomock: versions and production, role gates, ACL sharing,
strangers, validation, holds, account deletion and fail-closed writes."""

from __future__ import annotations

from typing import Any

import pytest
from flask.testing import FlaskClient

from gorunchat.bootstrap import Container
from gorunchat.contracts.acl import AclEntry
from gorunchat.contracts.documents import User
from gorunchat.contracts.holds import LegalHold
from gorunchat.contracts.prompts import Prompt, PromptGroup
from gorunchat.contracts.roles import RoleDoc, default_permissions
from gorunchat.domain.ids import new_uuid, object_id
from gorunchat.services import prompts as prompt_service
from tests.fixtures.spine import fail_audit_writes
from tests.routes.conftest import UserFactory, mounted, user_factory


def _create(client: FlaskClient, auth: dict[str, str], name: str = "Summarize",
            text: str = "Summarize {{text}}", **group: Any) -> dict[str, Any]:
    response = client.post("/api/prompts", headers=auth, json={
        "prompt": {"prompt": text, "type": "text"}, "group": {"name": name, **group}})
    assert response.status_code == 200, response.json
    body: dict[str, Any] = response.json
    return body


def _share(container: Container, group_id: str, who: User | None, role_id: str) -> None:
    """An ACL entry as ``/api/permissions`` writes it (``who=None``: everyone)."""
    bits = {"promptGroup_viewer": 1, "promptGroup_editor": 3, "promptGroup_owner": 15}
    entry = AclEntry(id=object_id(), principalType="user" if who else "public",
                     principalId=who.id if who else None, resourceType="promptGroup",
                     resourceId=group_id, permBits=bits[role_id], roleId=role_id)
    with container.store.unit_of_work("default") as uow:
        uow.repo(AclEntry).insert(entry)
        uow.commit()


def _set_role(container: Container, role: str, **prompts: bool) -> None:
    permissions = default_permissions(role)
    permissions["PROMPTS"].update(prompts)
    with container.store.unit_of_work("default") as uow:
        uow.repo(RoleDoc).save(RoleDoc(name=role, permissions=permissions))
        uow.commit()


def _stored(container: Container, model: type[Any], where: dict[str, Any]) -> list[Any]:
    with container.store.unit_of_work("default", readonly=True) as uow:
        found: list[Any] = uow.repo(model).find(where)
    return found


# Create, read, versions ----------------------------------------------------------------

def test_create_makes_a_group_with_its_first_prompt_in_production(
        container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    client = mounted("prompts")

    created = _create(client, auth, oneliner="Short", category="write", command="sum-up")

    prompt, group = created["prompt"], created["group"]
    assert (prompt["prompt"], prompt["type"], prompt["author"]) == (
        "Summarize {{text}}", "text", user.id)
    assert prompt["groupId"] == group["_id"] and group["productionId"] == prompt["_id"]
    assert (group["name"], group["oneliner"], group["category"], group["command"]) == (
        "Summarize", "Short", "write", "sum-up")
    assert group["numberOfGenerations"] == 0 and group["author"] == user.id
    assert group["authorName"] == user.email
    assert group["productionPrompt"] == {"prompt": "Summarize {{text}}"}
    fetched = client.get(f"/api/prompts/groups/{group['_id']}", headers=auth)
    assert fetched.status_code == 200 and fetched.json["productionPrompt"] == {
        "prompt": "Summarize {{text}}"}
    one = client.get(f"/api/prompts/{prompt['_id']}", headers=auth)
    assert one.status_code == 200 and one.json["prompt"] == "Summarize {{text}}"
    owner = _stored(container, AclEntry, {"resourceId": group["_id"]})
    assert [(e.principalId, e.permBits, e.roleId) for e in owner] == [
        (user.id, 15, "promptGroup_owner")]


def test_versions_are_listed_newest_first_and_production_moves(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("prompts")
    group = _create(client, auth)["group"]
    gid = group["_id"]

    second = client.post(f"/api/prompts/groups/{gid}/prompts", headers=auth,
                         json={"prompt": {"prompt": "v2", "type": "chat"}})
    third = client.post("/api/prompts", headers=auth,
                        json={"prompt": {"prompt": "v3", "type": "text", "groupId": gid}})

    assert second.status_code == 200 and second.json["type"] == "chat"
    assert third.status_code == 200 and "group" not in third.json or third.json["group"] is None
    versions = client.get("/api/prompts", query_string={"groupId": gid}, headers=auth).json
    assert [v["prompt"] for v in versions] == ["v3", "v2", "Summarize {{text}}"]
    assert client.get(f"/api/prompts/groups/{gid}", headers=auth).json[
        "productionId"] == group["productionId"]
    made = client.patch(f"/api/prompts/{second.json['_id']}/tags/production", headers=auth)
    assert made.status_code == 200
    assert made.json == {"message": "Prompt production made successfully"}
    after = client.get(f"/api/prompts/groups/{gid}", headers=auth).json
    assert after["productionId"] == second.json["_id"]
    assert after["productionPrompt"] == {"prompt": "v2"}
    mine = client.get("/api/prompts", headers=auth).json
    assert {p["prompt"] for p in mine} == {"v3", "v2", "Summarize {{text}}"}


def test_deleting_production_promotes_the_newest_and_the_last_takes_the_group(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("prompts")
    created = _create(client, auth)
    gid, first = created["group"]["_id"], created["prompt"]["_id"]
    second = client.post(f"/api/prompts/groups/{gid}/prompts", headers=auth,
                         json={"prompt": {"prompt": "v2"}}).json["_id"]
    third = client.post(f"/api/prompts/groups/{gid}/prompts", headers=auth,
                        json={"prompt": {"prompt": "v3"}}).json["_id"]
    client.patch(f"/api/prompts/{second}/tags/production", headers=auth)

    gone = client.delete(f"/api/prompts/{second}", headers=auth)

    assert gone.status_code == 200 and gone.json == {"prompt": "Prompt deleted successfully",
                                                     "promptGroup": None}
    assert client.get(f"/api/prompts/groups/{gid}", headers=auth).json["productionId"] == third
    assert client.delete(f"/api/prompts/{first}", headers=auth).status_code == 200
    assert client.get(f"/api/prompts/groups/{gid}", headers=auth).json["productionId"] == third
    last = client.delete(f"/api/prompts/{third}", headers=auth)
    assert last.json["promptGroup"] == {"message": "Prompt group deleted successfully",
                                        "id": gid}
    assert client.get(f"/api/prompts/groups/{gid}", headers=auth).status_code == 404
    assert client.get(f"/api/prompts/{third}", headers=auth).status_code == 404
    assert _stored(container, AclEntry, {"resourceId": gid}) == []
    assert _stored(container, PromptGroup, {}) == []


def test_update_use_and_delete_group(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("prompts")
    gid = _create(client, auth, command="old", category="code")["group"]["_id"]

    patched = client.patch(f"/api/prompts/groups/{gid}", headers=auth,
                           json={"name": "Renamed", "oneliner": "one line", "command": None,
                                 "category": ""})
    used = [client.post(f"/api/prompts/groups/{gid}/use", headers=auth) for _ in range(2)]

    assert patched.status_code == 200
    assert (patched.json["name"], patched.json["oneliner"], patched.json["command"],
            patched.json["category"]) == ("Renamed", "one line", None, "")
    assert [u.json for u in used] == [{"numberOfGenerations": 1}, {"numberOfGenerations": 2}]
    assert client.get(f"/api/prompts/groups/{gid}", headers=auth).json[
        "numberOfGenerations"] == 2
    deleted = client.delete(f"/api/prompts/groups/{gid}", headers=auth)
    assert deleted.status_code == 200
    assert deleted.json["message"] == "Prompt group deleted successfully"
    assert client.get(f"/api/prompts/groups/{gid}", headers=auth).status_code == 404
    assert _stored(container, Prompt, {}) == [] and _stored(container, AclEntry, {}) == []


# Listing -------------------------------------------------------------------------------

def test_groups_page_filters_and_cursor(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    other, other_auth = make_user()
    client = mounted("prompts")
    ids = [_create(client, auth, name=f"Mine {n}", category="code" if n % 2 else "")["group"][
        "_id"] for n in range(5)]
    shared = _create(client, other_auth, name="Theirs", category="code")["group"]["_id"]
    _create(client, other_auth, name="Private")
    _share(container, shared, user, "promptGroup_viewer")
    client.post(f"/api/prompts/groups/{ids[2]}/use", headers=auth)

    first = client.get("/api/prompts/groups", query_string={"pageSize": 4, "pageNumber": 1},
                       headers=auth).json
    second = client.get("/api/prompts/groups", query_string={
        "pageSize": 4, "cursor": first["after"]}, headers=auth).json

    assert first["promptGroups"][0]["_id"] == ids[2]  # most used first
    assert (first["pageSize"], first["pages"], first["has_more"]) == ("4", "2", True)
    names = [g["name"] for g in first["promptGroups"] + second["promptGroups"]]
    assert sorted(names) == sorted([f"Mine {n}" for n in range(5)] + ["Theirs"])
    assert second["has_more"] is False and second["after"] is None

    def named(**query: Any) -> list[str]:
        page = client.get("/api/prompts/groups", query_string={"pageSize": 50, **query},
                          headers=auth).json
        return sorted(g["name"] for g in page["promptGroups"])

    assert named(name="MINE 1") == ["Mine 1"]
    assert named(category="code") == ["Mine 1", "Mine 3", "Theirs"]
    assert named(category="sys__no__category__sys") == ["Mine 0", "Mine 2", "Mine 4"]
    assert named(category="sys__my__prompts__sys") == [f"Mine {n}" for n in range(5)]
    assert named(category="sys__shared__prompts__sys") == ["Theirs"]
    paged = client.get("/api/prompts/groups", query_string={"pageSize": 4, "pageNumber": 2},
                       headers=auth).json
    assert len(paged["promptGroups"]) == 2 and paged["has_more"] is False
    bad = client.get("/api/prompts/groups", query_string={"cursor": "not-a-cursor"},
                     headers=auth)
    assert bad.status_code == 400
    everything = client.get("/api/prompts/all", headers=auth).json
    assert len(everything) == 6 and all("command" in g for g in everything)


def test_public_groups_are_marked_and_usable_by_everyone(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    _, reader = make_user()
    client = mounted("prompts")
    gid = _create(client, auth)["group"]["_id"]
    _share(container, gid, None, "promptGroup_viewer")

    listed = client.get("/api/prompts/all", headers=reader).json

    assert [(g["_id"], g["isPublic"]) for g in listed] == [(gid, True)]
    assert client.post(f"/api/prompts/groups/{gid}/use", headers=reader).status_code == 200
    assert client.patch(f"/api/prompts/groups/{gid}", headers=reader,
                        json={"name": "x"}).status_code == 403


# Permissions ---------------------------------------------------------------------------

def test_acl_viewer_reads_editor_changes_owner_deletes(
        container: Container, make_user: UserFactory) -> None:
    _, owner = make_user()
    viewer_user, viewer = make_user()
    editor_user, editor = make_user()
    client = mounted("prompts")
    created = _create(client, owner)
    gid, pid = created["group"]["_id"], created["prompt"]["_id"]
    _share(container, gid, viewer_user, "promptGroup_viewer")
    _share(container, gid, editor_user, "promptGroup_editor")

    assert client.get(f"/api/prompts/groups/{gid}", headers=viewer).status_code == 200
    assert client.get(f"/api/prompts/{pid}", headers=viewer).status_code == 200
    assert client.get("/api/prompts", query_string={"groupId": gid},
                      headers=viewer).status_code == 200
    assert client.post(f"/api/prompts/groups/{gid}/use", headers=viewer).status_code == 200
    for response in (
            client.patch(f"/api/prompts/groups/{gid}", headers=viewer, json={"name": "x"}),
            client.post(f"/api/prompts/groups/{gid}/prompts", headers=viewer,
                        json={"prompt": {"prompt": "x"}}),
            client.patch(f"/api/prompts/{pid}/tags/production", headers=viewer),
            client.delete(f"/api/prompts/{pid}", headers=viewer)):
        assert response.status_code == 403, response.json

    added = client.post(f"/api/prompts/groups/{gid}/prompts", headers=editor,
                        json={"prompt": {"prompt": "editor's"}})
    assert added.status_code == 200 and added.json["author"] == editor_user.id
    assert client.patch(f"/api/prompts/groups/{gid}", headers=editor,
                        json={"name": "Edited"}).status_code == 200
    assert client.patch(f"/api/prompts/{added.json['_id']}/tags/production",
                        headers=editor).status_code == 200
    assert client.delete(f"/api/prompts/groups/{gid}", headers=editor).status_code == 403
    assert client.delete(f"/api/prompts/{pid}", headers=editor).status_code == 403
    assert client.delete(f"/api/prompts/groups/{gid}", headers=owner).status_code == 200


def test_strangers_and_other_tenants_get_404(container: Container,
                                             make_user: UserFactory) -> None:
    _, owner = make_user()
    _, stranger = make_user()
    _, foreigner = make_user(tenant="other")
    client = mounted("prompts")
    created = _create(client, owner)
    gid, pid = created["group"]["_id"], created["prompt"]["_id"]

    for auth in (stranger, foreigner):
        assert client.get(f"/api/prompts/groups/{gid}", headers=auth).status_code == 404
        assert client.get(f"/api/prompts/{pid}", headers=auth).status_code == 404
        assert client.get("/api/prompts", query_string={"groupId": gid},
                          headers=auth).status_code == 404
        assert client.post(f"/api/prompts/groups/{gid}/use", headers=auth).status_code == 404
        assert client.post("/api/prompts", headers=auth, json={
            "prompt": {"prompt": "sneak", "groupId": gid}}).status_code == 404
        assert client.delete(f"/api/prompts/{pid}", headers=auth).json["error"][
            "code"] == "PROMPT_NOT_FOUND"
        assert client.get("/api/prompts/all", headers=auth).json == []
    assert client.get("/api/prompts/groups/nope", headers=owner).status_code == 404
    assert client.get("/api/prompts/nope", headers=owner).status_code == 404
    assert len(client.get("/api/prompts", query_string={"groupId": gid},
                          headers=owner).json) == 1


def test_role_without_use_or_create_is_refused(container: Container,
                                               make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("prompts")
    created = _create(client, auth)
    gid, pid = created["group"]["_id"], created["prompt"]["_id"]

    _set_role(container, "USER", CREATE=False)
    for response in (
            client.post("/api/prompts", headers=auth, json={
                "prompt": {"prompt": "x"}, "group": {"name": "n"}}),
            client.patch(f"/api/prompts/groups/{gid}", headers=auth, json={"name": "x"}),
            client.patch(f"/api/prompts/{pid}/tags/production", headers=auth),
            client.delete(f"/api/prompts/{pid}", headers=auth),
            client.delete(f"/api/prompts/groups/{gid}", headers=auth)):
        assert response.status_code == 403
        assert response.json["error"]["code"] == "PROMPTS_FORBIDDEN"
    assert client.get(f"/api/prompts/groups/{gid}", headers=auth).status_code == 200
    assert client.post(f"/api/prompts/groups/{gid}/prompts", headers=auth,
                       json={"prompt": {"prompt": "v2"}}).status_code == 200

    _set_role(container, "USER", USE=False)
    for response in (client.get("/api/prompts/all", headers=auth),
                     client.get(f"/api/prompts/groups/{gid}", headers=auth),
                     client.get("/api/prompts/groups", headers=auth),
                     client.get(f"/api/prompts/{pid}", headers=auth),
                     client.post(f"/api/prompts/groups/{gid}/use", headers=auth)):
        assert response.status_code == 403


# Validation ----------------------------------------------------------------------------

@pytest.mark.parametrize("body", [
    {"prompt": {"prompt": "x"}},
    {"prompt": {"prompt": "x"}, "group": {"name": "  "}},
    {"prompt": {"prompt": "   "}, "group": {"name": "n"}},
    {"prompt": {"prompt": "x", "type": "image"}, "group": {"name": "n"}},
    {"prompt": {"prompt": "x"}, "group": {"name": "n", "command": "Bad Command"}},
    {"prompt": {"prompt": "x"}, "group": {"name": "n", "command": "a" * 57}},
    {"prompt": {"prompt": "x"}, "group": {"name": "n", "category": "sys__my__prompts__sys"}},
    {"group": {"name": "n"}},
])
def test_invalid_create_bodies_are_refused(container: Container, make_user: UserFactory,
                                           body: dict[str, Any]) -> None:
    _, auth = make_user()

    response = mounted("prompts").post("/api/prompts", headers=auth, json=body)

    assert response.status_code in (400, 422), response.json
    assert _stored(container, PromptGroup, {}) == [] and _stored(container, Prompt, {}) == []


def test_invalid_updates_change_nothing(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("prompts")
    gid = _create(client, auth, command="keep")["group"]["_id"]

    for body in ({"command": "UPPER"}, {"author": "someone-else"}, {"productionId": "x"},
                 {"name": ""}, {}):
        response = client.patch(f"/api/prompts/groups/{gid}", headers=auth, json=body)
        assert response.status_code in (400, 422), (body, response.json)
    group = client.get(f"/api/prompts/groups/{gid}", headers=auth).json
    assert (group["name"], group["command"]) == ("Summarize", "keep")
    assert client.post(f"/api/prompts/groups/{gid}/prompts", headers=auth,
                       json={"prompt": {"prompt": ""}}).status_code == 422


# Categories ----------------------------------------------------------------------------

def test_categories_are_librechats_list(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()

    response = mounted("config").get("/api/categories", headers=auth)

    assert response.status_code == 200
    assert response.json[0] == {"label": "com_ui_idea", "value": "idea"}
    assert [c["value"] for c in response.json] == [
        "idea", "travel", "teach_or_explain", "write", "shop", "code", "misc", "roleplay",
        "finance"]
    assert mounted("config").get("/api/categories").status_code == 401


def test_categories_follow_the_configuration() -> None:
    from gorunchat.contracts.appconfig import AppConfig

    extra = AppConfig.model_validate({"prompts": {"categories": {
        "list": [{"value": "legal", "label": "Legal"}, {"value": "code"}]}}})
    only = AppConfig.model_validate({"prompts": {"categories": {
        "enableDefaultCategories": False, "list": [{"value": "legal"}]}}})
    broken = AppConfig.model_validate({"prompts": {"categories": {"list": [{"value": ""}]}}})

    listed = prompt_service.categories(prompt_service.categories_config(extra))
    assert listed[-1].model_dump() == {"label": "Legal", "value": "legal"}
    assert [c.value for c in listed].count("code") == 1
    assert [c.model_dump() for c in prompt_service.categories(
        prompt_service.categories_config(only))] == [{"label": "legal", "value": "legal"}]
    assert len(prompt_service.categories(prompt_service.categories_config(broken))) == 9


# Holds, account deletion, fail closed ---------------------------------------------------

def test_a_held_author_deleting_hides_instead(container: Container,
                                              make_user: UserFactory) -> None:
    user, auth = make_user()
    client = mounted("prompts")
    created = _create(client, auth)
    gid = created["group"]["_id"]
    with container.store.unit_of_work("default") as uow:
        uow.repo(LegalHold).insert(LegalHold(id=new_uuid(), name="matter", matter="m",
                                             scope="users", custodians=[user.id],
                                             createdBy="admin"))
        uow.commit()

    assert client.delete(f"/api/prompts/groups/{gid}", headers=auth).status_code == 200

    assert client.get(f"/api/prompts/groups/{gid}", headers=auth).status_code == 404
    assert client.get("/api/prompts/all", headers=auth).json == []
    assert client.get("/api/prompts", headers=auth).json == []
    kept = _stored(container, PromptGroup, {"_id": gid})
    assert len(kept) == 1 and getattr(kept[0], "hiddenAt", None) is not None
    assert len(_stored(container, Prompt, {"groupId": gid})) == 1


def test_account_deletion_takes_the_users_prompts_and_repairs_shared_groups(
        container: Container, make_user: UserFactory) -> None:
    leaving, leaving_auth = make_user()
    staying, staying_auth = make_user()
    client = mounted("prompts")
    own = _create(client, leaving_auth)["group"]["_id"]
    _share(container, own, staying, "promptGroup_viewer")
    theirs = _create(client, staying_auth, name="Shared")
    gid = theirs["group"]["_id"]
    _share(container, gid, leaving, "promptGroup_editor")
    added = client.post(f"/api/prompts/groups/{gid}/prompts", headers=leaving_auth,
                        json={"prompt": {"prompt": "leaving's version"}}).json["_id"]
    client.patch(f"/api/prompts/{added}/tags/production", headers=leaving_auth)

    assert mounted("user").delete("/api/user/delete", headers=leaving_auth).status_code == 200

    assert _stored(container, PromptGroup, {"author": leaving.id}) == []
    assert _stored(container, Prompt, {"author": leaving.id}) == []
    assert _stored(container, AclEntry, {"resourceId": own}) == []
    group = client.get(f"/api/prompts/groups/{gid}", headers=staying_auth).json
    assert group["productionId"] == theirs["prompt"]["_id"]
    assert [g["_id"] for g in client.get("/api/prompts/all", headers=staying_auth).json] == [
        gid]


def test_audit_failure_leaves_nothing_behind(sqlite_container: Container) -> None:
    _, auth = user_factory(sqlite_container)()
    client = mounted("prompts")
    created = _create(client, auth)
    gid = created["group"]["_id"]
    fail_audit_writes(sqlite_container)

    refused = [
        client.post("/api/prompts", headers=auth, json={"prompt": {"prompt": "x"},
                                                        "group": {"name": "new"}}),
        client.post(f"/api/prompts/groups/{gid}/prompts", headers=auth,
                    json={"prompt": {"prompt": "v2"}}),
        client.patch(f"/api/prompts/groups/{gid}", headers=auth, json={"name": "changed"}),
        client.post(f"/api/prompts/groups/{gid}/use", headers=auth),
        client.delete(f"/api/prompts/groups/{gid}", headers=auth),
        client.delete(f"/api/prompts/{created['prompt']['_id']}", headers=auth),
        client.patch(f"/api/prompts/{created['prompt']['_id']}/tags/production",
                     headers=auth),
    ]

    assert [(r.status_code, r.json["error"]["code"]) for r in refused] == [
        (503, "AUDIT_UNAVAILABLE")] * len(refused)
    groups = _stored(sqlite_container, PromptGroup, {})
    assert [(g.name, g.numberOfGenerations) for g in groups] == [("Summarize", 0)]
    assert len(_stored(sqlite_container, Prompt, {})) == 1
    assert len(_stored(sqlite_container, AclEntry, {})) == 1
