"""The ``/api/presets`` routes through the mounted ``presets`` function."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.presets import Preset
from tests.fixtures.spine import fail_audit_writes
from tests.routes.conftest import UserFactory, mounted, user_factory


def _ids(client: Any, auth: dict[str, str]) -> list[str]:
    return [p["presetId"] for p in client.get("/api/presets", headers=auth).json]


def _stored(container: Container, preset_id: str) -> Preset | None:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return uow.repo(Preset).get(preset_id)


def test_save_creates_then_updates_by_preset_id(container: Container,
                                                make_user: UserFactory) -> None:
    user, auth = make_user()
    client = mounted("presets")

    created = client.post("/api/presets", headers=auth, json={
        "title": "Terse GPT", "endpoint": "openAI", "model": "gpt-4o", "temperature": 0.2,
        "promptPrefix": "Be brief.", "tools": [{"pluginKey": "web_search"}, "calculator", 3],
        "user": "someone-else", "tenantId": "acme"})
    preset_id = created.json["presetId"]
    updated = client.post("/api/presets", headers=auth,
                          json={"presetId": preset_id, "temperature": 0.7, "title": None})

    assert created.status_code == 201
    assert (created.json["user"], created.json["title"], created.json["temperature"]) == (
        user.id, "Terse GPT", 0.2)
    assert created.json["tools"] == ["web_search", "calculator"]
    assert "tenantId" not in created.json and len(preset_id) == 36
    assert updated.status_code == 201
    assert (updated.json["title"], updated.json["model"], updated.json["temperature"]) == (
        "Terse GPT", "gpt-4o", 0.7)
    assert _ids(client, auth) == [preset_id]
    stored = _stored(container, preset_id)
    assert stored is not None and (stored.user, stored.tenantId) == (user.id, "default")
    actions = [r.action for r in container.store.audit_log("default").records()]
    assert actions == ["preset.save", "preset.save"]


def test_list_sorts_by_order_then_most_recently_updated(container: Container,
                                                        make_user: UserFactory) -> None:
    user, auth = make_user()
    now = utcnow()
    with container.store.unit_of_work("default") as uow:
        for pid, order, age in [("old", None, 3), ("new", None, 1), ("second", 2, 9),
                                ("first", 1, 0)]:
            uow.repo(Preset).insert(Preset(presetId=pid, user=user.id, order=order,
                                           updatedAt=now - timedelta(minutes=age)))
        uow.commit()

    assert _ids(mounted("presets"), auth) == ["first", "second", "new", "old"]


def test_default_preset_is_exclusive(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    other_user, other_auth = make_user()
    client = mounted("presets")
    theirs = client.post("/api/presets", headers=other_auth,
                         json={"title": "theirs", "defaultPreset": True}).json["presetId"]
    one = client.post("/api/presets", headers=auth,
                      json={"title": "one", "defaultPreset": True, "order": 5}).json
    two = client.post("/api/presets", headers=auth,
                      json={"title": "two", "defaultPreset": True}).json

    listed = {p["presetId"]: p for p in client.get("/api/presets", headers=auth).json}

    assert (one["defaultPreset"], one["order"]) == (True, 0)
    assert (listed[two["presetId"]]["defaultPreset"], listed[two["presetId"]]["order"]) == (
        True, 0)
    assert "defaultPreset" not in listed[one["presetId"]]
    assert "order" not in listed[one["presetId"]]
    stored_theirs = _stored(container, theirs)
    assert stored_theirs is not None and stored_theirs.defaultPreset is True

    cleared = client.post("/api/presets", headers=auth,
                          json={"presetId": two["presetId"], "defaultPreset": False})
    assert cleared.status_code == 201
    assert "defaultPreset" not in cleared.json and "order" not in cleared.json


def test_delete_one_and_delete_all(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    _, other_auth = make_user()
    client = mounted("presets")
    ids = [client.post("/api/presets", headers=auth, json={"title": f"p{i}"}).json["presetId"]
           for i in range(3)]
    kept = client.post("/api/presets", headers=other_auth, json={"title": "kept"})

    one = client.post("/api/presets/delete", headers=auth, json={"presetId": ids[0]})
    missing = client.post("/api/presets/delete", headers=auth, json={"presetId": "nope"})
    everything = client.post("/api/presets/delete", headers=auth)

    assert (one.status_code, one.json) == (201, {"acknowledged": True, "deletedCount": 1})
    assert missing.json["deletedCount"] == 0
    assert (everything.status_code, everything.json["deletedCount"]) == (201, 2)
    assert _ids(client, auth) == []
    assert _ids(client, other_auth) == [kept.json["presetId"]]
    records = container.store.audit_log("default").records()
    assert [r.metadata.get("all") for r in records if r.action == "preset.delete"] == [
        False, False, True]


@pytest.mark.parametrize("body, status", [
    ({"title": "t" * 513}, 422),
    ({"defaultPreset": "yes"}, 422),
    ({"order": "first"}, 422),
    ({"presetId": ""}, 422),
    ({"$where": "1"}, 422),
    ({"nested": {"$gt": 1}}, 422),
    ({"deep": [[[[[[[[[1]]]]]]]]]}, 422),
    ({f"p{i}": i for i in range(101)}, 422),
    ({"promptPrefix": "x" * (300 * 1024)}, 413),
    ({"promptPrefix": "x" * (250 * 1024), "system": "y" * (10 * 1024)}, 413),
])
def test_bad_presets_are_refused_and_nothing_is_stored(
        container: Container, make_user: UserFactory, body: dict[str, Any],
        status: int) -> None:
    _, auth = make_user()
    client = mounted("presets")

    response = client.post("/api/presets", headers=auth, json=body)

    assert response.status_code == status
    assert _ids(client, auth) == []


def test_unknown_endpoints_and_parameters_are_kept(container: Container,
                                                   make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("presets")

    saved = client.post("/api/presets", headers=auth, json={
        "endpoint": "my-custom-llm", "top_k": 40, "stop": ["###"],
        "examples": [{"input": {"content": "hi"}}]})

    assert saved.status_code == 201
    listed = client.get("/api/presets", headers=auth).json[0]
    assert (listed["title"], listed["endpoint"], listed["top_k"], listed["stop"]) == (
        "New Chat", "my-custom-llm", 40, ["###"])
    assert listed["examples"] == [{"input": {"content": "hi"}}]


def test_rename_with_new_preset_id(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("presets")
    client.post("/api/presets", headers=auth, json={"presetId": "a", "title": "A"})
    client.post("/api/presets", headers=auth, json={"presetId": "b", "title": "B"})

    renamed = client.post("/api/presets", headers=auth,
                          json={"presetId": "a", "newPresetId": "c"})
    clash = client.post("/api/presets", headers=auth,
                        json={"presetId": "c", "newPresetId": "b"})

    assert (renamed.status_code, renamed.json["presetId"], renamed.json["title"]) == (
        201, "c", "A")
    assert (clash.status_code, clash.json["error"]["code"]) == (409, "PRESET_ID_TAKEN")
    assert sorted(_ids(client, auth)) == ["b", "c"]


@pytest.mark.parametrize("who", ["other user", "other tenant"])
def test_a_stranger_cannot_touch_anothers_preset(container: Container,
                                                 make_user: UserFactory, who: str) -> None:
    owner, owner_auth = make_user()
    client = mounted("presets")
    preset_id = client.post("/api/presets", headers=owner_auth,
                            json={"title": "mine", "temperature": 1}).json["presetId"]
    _, auth = make_user() if who == "other user" else user_factory(container)(tenant="acme")

    delete_one = client.post("/api/presets/delete", headers=auth, json={"presetId": preset_id})
    delete_all = client.post("/api/presets/delete", headers=auth, json={})
    overwrite = client.post("/api/presets", headers=auth,
                            json={"presetId": preset_id, "title": "hijacked"})

    if who == "other user":  # presetId is unique per tenant, as in LibreChat
        assert (overwrite.status_code, overwrite.json["error"]["code"]) == (
            409, "PRESET_ID_TAKEN")
    else:  # another tenant's ids are its own
        assert (overwrite.status_code, overwrite.json["title"]) == (201, "hijacked")
    assert delete_one.json["deletedCount"] == delete_all.json["deletedCount"] == 0
    mine = client.get("/api/presets", headers=owner_auth).json
    assert [(p["presetId"], p["title"], p["user"]) for p in mine] == [
        (preset_id, "mine", owner.id)]


def test_saving_fails_closed_without_audit(sqlite_container: Container) -> None:
    _, auth = user_factory(sqlite_container)()
    fail_audit_writes(sqlite_container)

    response = mounted("presets").post("/api/presets", headers=auth, json={"title": "x"})
    deleted = mounted("presets").post("/api/presets/delete", headers=auth)

    assert (response.status_code, response.json["error"]["code"]) == (503, "AUDIT_UNAVAILABLE")
    assert deleted.status_code == 503
    with sqlite_container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(Preset).count({}) == 0


def test_presets_go_with_the_account(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    _, other_auth = make_user()
    mounted("presets").post("/api/presets", headers=auth, json={"title": "mine"})
    mounted("presets").post("/api/presets", headers=other_auth, json={"title": "theirs"})

    deleted = mounted("user").delete("/api/user/delete", headers=auth)

    assert deleted.status_code == 200
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert [p.title for p in uow.repo(Preset).find({})] == ["theirs"]
