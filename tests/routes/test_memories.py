"""The ``/api/memories`` routes through the mounted ``memories`` function."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.memories import MemoryEntry
from gorunchat.contracts.roles import RoleDoc, default_permissions
from gorunchat.domain.ids import object_id
from tests.fixtures.spine import fail_audit_writes
from tests.routes.conftest import UserFactory, _settings, mounted, user_factory


def _keys(client: Any, auth: dict[str, str]) -> list[str]:
    return [m["key"] for m in client.get("/api/memories", headers=auth).json["memories"]]


def _configured(data_dir: Path, yaml: str) -> Iterator[Container]:
    (data_dir / "gorunchat.yaml").write_text(yaml, encoding="utf-8")
    c = Container(_settings(data_dir))
    set_container(c)
    yield c
    set_container(None)
    c.close()


@pytest.fixture
def limited(data_dir: Path) -> Iterator[Container]:
    yield from _configured(data_dir, "memory:\n  tokenLimit: 10\n  charLimit: 60\n")


@pytest.fixture
def disabled(data_dir: Path) -> Iterator[Container]:
    yield from _configured(data_dir, "memory:\n  disabled: true\n")


@pytest.fixture
def keyed(data_dir: Path) -> Iterator[Container]:
    yield from _configured(data_dir, "memory:\n  validKeys: [food, work_role]\n")


def test_create_list_update_delete(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    client = mounted("memories")

    created = client.post("/api/memories", headers=auth,
                          json={"key": " favourite_food ", "value": "  Likes ramen.  "})
    client.post("/api/memories", headers=auth, json={"key": "city", "value": "Lives in Oslo."})
    duplicate = client.post("/api/memories", headers=auth,
                            json={"key": "city", "value": "Lives in Bergen."})
    updated = client.patch("/api/memories/favourite_food", headers=auth,
                           json={"value": "Likes ramen and pho, a lot."})
    listed = client.get("/api/memories", headers=auth)

    assert created.status_code == 201
    assert created.json["created"] is True
    assert created.json["memory"]["key"] == "favourite_food"
    assert (created.json["memory"]["value"], created.json["memory"]["tokenCount"]) == (
        "Likes ramen.", 3)
    assert (duplicate.status_code, duplicate.json["error"]["code"]) == (409, "MEMORY_EXISTS")
    assert updated.status_code == 200
    assert (updated.json["updated"], updated.json["memory"]["tokenCount"]) == (True, 7)
    assert listed.status_code == 200
    assert [m["key"] for m in listed.json["memories"]] == ["favourite_food", "city"]
    assert (listed.json["totalTokens"], listed.json["tokenLimit"],
            listed.json["usagePercentage"], listed.json["charLimit"]) == (11, None, None, 10000)
    assert sorted(listed.json["memories"][0]) == ["key", "tokenCount", "updated_at", "value"]

    deleted = client.delete("/api/memories/city", headers=auth)
    again = client.delete("/api/memories/city", headers=auth)

    assert (deleted.status_code, deleted.json) == (200, {"deleted": True})
    assert (again.status_code, again.json["error"]["code"]) == (404, "MEMORY_NOT_FOUND")
    assert _keys(client, auth) == ["favourite_food"]
    records = container.store.audit_log("default").records()
    assert [r.action for r in records] == ["memory.create", "memory.create", "memory.update",
                                           "memory.delete"]
    assert all("Oslo" not in str(r.metadata) for r in records)
    assert records[0].metadata["key"] == "favourite_food"
    with container.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.repo(MemoryEntry).find({"userId": user.id})
    assert [(m.memory_key, m.value) for m in stored] == [
        ("favourite_food", "Likes ramen and pho, a lot.")]


def test_list_is_newest_first(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    now = utcnow()
    with container.store.unit_of_work("default") as uow:
        for key, age in [("b", 5), ("a", 1), ("c", 9)]:
            uow.repo(MemoryEntry).insert(MemoryEntry.model_validate({
                "_id": object_id(), "userId": user.id, "key": key, "value": key,
                "tokenCount": 1, "updated_at": now - timedelta(minutes=age)}))
        uow.commit()

    assert _keys(mounted("memories"), auth) == ["a", "b", "c"]

    # entries written by LibreChat (ObjectId ids) can be renamed and deleted too
    renamed = mounted("memories").patch("/api/memories/c", headers=auth,
                                        json={"key": "d", "value": "dee"})
    deleted = mounted("memories").delete("/api/memories/b", headers=auth)

    assert (renamed.status_code, deleted.status_code) == (200, 200)
    assert _keys(mounted("memories"), auth) == ["d", "a"]


def test_rename_moves_the_memory(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("memories")
    client.post("/api/memories", headers=auth, json={"key": "job", "value": "Baker."})
    client.post("/api/memories", headers=auth, json={"key": "pet", "value": "A cat."})

    renamed = client.patch("/api/memories/job", headers=auth,
                           json={"key": "work_role", "value": "Head baker."})
    clash = client.patch("/api/memories/work_role", headers=auth,
                         json={"key": "pet", "value": "Head baker."})
    missing = client.patch("/api/memories/nope", headers=auth, json={"value": "x"})

    assert (renamed.status_code, renamed.json["memory"]["key"]) == (200, "work_role")
    assert (clash.status_code, clash.json["error"]["code"]) == (409, "MEMORY_EXISTS")
    assert (missing.status_code, missing.json["error"]["code"]) == (404, "MEMORY_NOT_FOUND")
    assert sorted(_keys(client, auth)) == ["pet", "work_role"]


@pytest.mark.parametrize("body, status, code", [
    ({"key": "Food", "value": "x"}, 400, "MEMORY_KEY_INVALID"),
    ({"key": "food-2", "value": "x"}, 400, "MEMORY_KEY_INVALID"),
    ({"key": "", "value": "x"}, 400, "MEMORY_KEY_INVALID"),
    ({"key": "nothing", "value": "x"}, 400, "MEMORY_KEY_INVALID"),
    ({"key": "a" * 1001, "value": "x"}, 400, "MEMORY_KEY_TOO_LONG"),
    ({"key": "food", "value": "   "}, 400, "MEMORY_VALUE_REQUIRED"),
    ({"key": "food", "value": "v" * 10_001}, 400, "MEMORY_VALUE_TOO_LONG"),
    ({"key": "food"}, 422, "VALIDATION_FAILED"),
    ({"key": 3, "value": "x"}, 422, "VALIDATION_FAILED"),
    ({"key": "food", "value": "x" * (101 * 1024)}, 413, "PAYLOAD_TOO_LARGE"),
])
def test_bad_memories_are_refused(container: Container, make_user: UserFactory,
                                  body: dict[str, Any], status: int, code: str) -> None:
    _, auth = make_user()
    client = mounted("memories")

    response = client.post("/api/memories", headers=auth, json=body)

    assert (response.status_code, response.json["error"]["code"]) == (status, code)
    assert _keys(client, auth) == []


def test_update_checks_the_new_key_and_value(container: Container,
                                             make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("memories")
    client.post("/api/memories", headers=auth, json={"key": "food", "value": "Ramen."})

    bad_key = client.patch("/api/memories/food", headers=auth,
                           json={"key": "Food!", "value": "Pho."})
    blank = client.patch("/api/memories/food", headers=auth, json={"value": " "})

    assert (bad_key.status_code, bad_key.json["error"]["code"]) == (400, "MEMORY_KEY_INVALID")
    assert (blank.status_code, blank.json["error"]["code"]) == (400, "MEMORY_VALUE_REQUIRED")
    listed = client.get("/api/memories", headers=auth).json["memories"]
    assert [(m["key"], m["value"]) for m in listed] == [("food", "Ramen.")]


def test_token_limit_refuses_writes_past_it(limited: Container) -> None:
    _, auth = user_factory(limited)()
    client = mounted("memories")

    first = client.post("/api/memories", headers=auth,
                        json={"key": "a", "value": "x" * 24})  # 6 tokens
    over = client.post("/api/memories", headers=auth, json={"key": "b", "value": "y" * 20})
    fits = client.post("/api/memories", headers=auth, json={"key": "c", "value": "z" * 16})
    grow = client.patch("/api/memories/a", headers=auth, json={"value": "x" * 28})
    shrink = client.patch("/api/memories/a", headers=auth, json={"value": "x" * 4})
    too_long = client.post("/api/memories", headers=auth, json={"key": "d", "value": "w" * 61})
    listed = client.get("/api/memories", headers=auth).json

    assert first.status_code == 201 and fits.status_code == 201
    assert (over.status_code, over.json["error"]["code"]) == (400, "MEMORY_TOKEN_LIMIT")
    assert over.json["error"]["message"] == (
        "Adding this memory would exceed the token limit of 10. Current usage: 6 tokens.")
    assert (grow.status_code, grow.json["error"]["code"]) == (400, "MEMORY_TOKEN_LIMIT")
    assert shrink.status_code == 200
    assert (too_long.status_code, too_long.json["error"]["code"]) == (
        400, "MEMORY_VALUE_TOO_LONG")
    assert (listed["totalTokens"], listed["tokenLimit"], listed["usagePercentage"],
            listed["charLimit"]) == (5, 10, 50, 60)


def test_valid_keys_restrict_the_keys(keyed: Container) -> None:
    _, auth = user_factory(keyed)()
    client = mounted("memories")

    allowed = client.post("/api/memories", headers=auth, json={"key": "food", "value": "Pho."})
    other = client.post("/api/memories", headers=auth, json={"key": "pets", "value": "Cat."})
    rename = client.patch("/api/memories/food", headers=auth,
                          json={"key": "hobby", "value": "Pho."})

    assert allowed.status_code == 201
    assert (other.status_code, other.json["error"]["code"]) == (400, "MEMORY_KEY_NOT_ALLOWED")
    assert other.json["error"]["message"] == 'Invalid key "pets". Must be one of: food, work_role'
    assert rename.status_code == 400
    assert _keys(client, auth) == ["food"]


def test_disabled_memories_refuse_all_but_the_opt_in(disabled: Container) -> None:
    _, auth = user_factory(disabled)()
    client = mounted("memories")

    answers = [client.get("/api/memories", headers=auth),
               client.post("/api/memories", headers=auth, json={"key": "a", "value": "b"}),
               client.patch("/api/memories/a", headers=auth, json={"value": "b"}),
               client.delete("/api/memories/a", headers=auth)]
    opt_out = client.patch("/api/memories/preferences", headers=auth,
                           json={"memories": False})

    assert [(r.status_code, r.json["error"]["code"]) for r in answers] == [
        (403, "MEMORIES_DISABLED")] * 4
    assert opt_out.status_code == 200


def test_preferences_set_the_users_opt_in(container: Container,
                                          make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("memories")

    off = client.patch("/api/memories/preferences", headers=auth, json={"memories": False})
    bad = client.patch("/api/memories/preferences", headers=auth, json={"memories": "no"})
    me = mounted("user").get("/api/user", headers=auth)

    assert (off.status_code, off.json) == (200, {"updated": True,
                                                 "preferences": {"memories": False}})
    assert bad.status_code == 422
    assert me.json["personalization"]["memories"] is False
    records = container.store.audit_log("default").records()
    assert [(r.action, r.metadata) for r in records] == [
        ("memory.preferences_update", {"memories": False})]


def _revoke(container: Container, flag: str) -> None:
    permissions = default_permissions("USER")
    permissions["MEMORIES"][flag] = False
    with container.store.unit_of_work("default") as uow:
        uow.repo(RoleDoc).save(RoleDoc(name="USER", permissions=permissions))
        uow.commit()


@pytest.mark.parametrize("flag, method, path, body", [
    ("READ", "GET", "/api/memories", None),
    ("CREATE", "POST", "/api/memories", {"key": "b", "value": "v"}),
    ("UPDATE", "PATCH", "/api/memories/a", {"value": "v"}),
    ("UPDATE", "DELETE", "/api/memories/a", None),
    ("OPT_OUT", "PATCH", "/api/memories/preferences", {"memories": False}),
    ("USE", "GET", "/api/memories", None),
    ("USE", "PATCH", "/api/memories/preferences", {"memories": False}),
])
def test_role_permissions_gate_each_route(container: Container, make_user: UserFactory,
                                          flag: str, method: str, path: str,
                                          body: dict[str, Any] | None) -> None:
    _, auth = make_user()
    client = mounted("memories")
    client.post("/api/memories", headers=auth, json={"key": "a", "value": "kept"})
    _revoke(container, flag)

    response = client.open(path, method=method, headers=auth, json=body)

    assert (response.status_code, response.json["error"]["code"]) == (
        403, "MEMORIES_FORBIDDEN")
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert [m.value for m in uow.repo(MemoryEntry).find({})] == ["kept"]


@pytest.mark.parametrize("who", ["other user", "other tenant"])
def test_a_stranger_cannot_touch_anothers_memory(container: Container,
                                                 make_user: UserFactory, who: str) -> None:
    _, owner_auth = make_user()
    client = mounted("memories")
    client.post("/api/memories", headers=owner_auth, json={"key": "secret", "value": "Mine."})
    _, auth = make_user() if who == "other user" else user_factory(container)(tenant="acme")

    listed = client.get("/api/memories", headers=auth)
    update = client.patch("/api/memories/secret", headers=auth, json={"value": "Theirs."})
    delete = client.delete("/api/memories/secret", headers=auth)
    same_key = client.post("/api/memories", headers=auth,
                           json={"key": "secret", "value": "Their own."})

    assert listed.json["memories"] == []
    assert update.status_code == 404 and delete.status_code == 404
    assert same_key.status_code == 201  # keys are per user
    mine = client.get("/api/memories", headers=owner_auth).json["memories"]
    assert [(m["key"], m["value"]) for m in mine] == [("secret", "Mine.")]


def test_creating_fails_closed_without_audit(sqlite_container: Container) -> None:
    _, auth = user_factory(sqlite_container)()
    fail_audit_writes(sqlite_container)

    response = mounted("memories").post("/api/memories", headers=auth,
                                        json={"key": "a", "value": "b"})

    assert (response.status_code, response.json["error"]["code"]) == (503, "AUDIT_UNAVAILABLE")
    with sqlite_container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(MemoryEntry).count({}) == 0


def test_memories_go_with_the_account(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    other, other_auth = make_user()
    mounted("memories").post("/api/memories", headers=auth, json={"key": "a", "value": "b"})
    mounted("memories").post("/api/memories", headers=other_auth,
                             json={"key": "a", "value": "c"})

    deleted = mounted("user").delete("/api/user/delete", headers=auth)

    assert deleted.status_code == 200
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert [m.userId for m in uow.repo(MemoryEntry).find({})] == [other.id]


def test_a_hold_on_the_user_keeps_memories_and_presets_until_released(
        container: Container, make_user: UserFactory) -> None:
    from gorunchat.contracts.presets import Preset
    from tests.fixtures.holds import place_hold, release_hold, run_retention

    _, boss = make_user(role="SUPER_ADMIN")
    user, auth = make_user()
    mounted("memories").post("/api/memories", headers=auth, json={"key": "a", "value": "b"})
    mounted("presets").post("/api/presets", headers=auth, json={"title": "kept"})
    hold_id = place_hold(boss, scope="users", custodians=[user.id])

    deleted = mounted("user").delete("/api/user/delete", headers=auth)

    assert deleted.status_code == 200
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(MemoryEntry).count({"userId": user.id}) == 1
        assert uow.repo(Preset).count({"user": user.id}) == 1

    release_hold(boss, hold_id)
    run_retention()

    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(MemoryEntry).count({"userId": user.id}) == 0
        assert uow.repo(Preset).count({"user": user.id}) == 0
