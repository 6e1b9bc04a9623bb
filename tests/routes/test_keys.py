"""``/api/keys``: BYOK keys are sealed at rest, never returned, and expire."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from gorunchat.bootstrap import Container
from gorunchat.contracts.errors import GoRunChatError
from gorunchat.contracts.keys import UserKey
from gorunchat.services import keys
from tests.routes.conftest import UserFactory, mounted


def test_a_key_is_sealed_at_rest_and_only_its_expiry_is_returned(
        container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    expires = (datetime.now(UTC) + timedelta(days=30)).replace(microsecond=0)

    put = mounted("keys").put("/api/keys", headers=auth, json={
        "name": "openAI", "value": "sk-secret-123", "expiresAt": expires.isoformat()})
    got = mounted("keys").get("/api/keys?name=openAI", headers=auth)

    assert (put.status_code, put.data) == (201, b"")
    assert got.status_code == 200 and b"sk-secret" not in got.data
    assert datetime.fromisoformat(got.json["expiresAt"]) == expires
    with container.store.unit_of_work("default", readonly=True) as uow:
        stored = uow.repo(UserKey).find_one({"userId": user.id, "name": "openAI"})
    assert stored is not None and "sk-secret" not in stored.value
    assert stored.value.startswith("grc1.")
    assert keys.user_key(container.store, container.secretbox, "default", user.id,
                         "openAI") == "sk-secret-123"
    assert container.store.audit_log("default").records()[-1].action == "key.put"


def test_a_key_without_expiry_never_expires_and_a_missing_one_is_null(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    mounted("keys").put("/api/keys", headers=auth, json={"name": "anthropic", "value": "k"})

    assert mounted("keys").get("/api/keys?name=anthropic", headers=auth).json == {
        "expiresAt": "never"}
    assert mounted("keys").get("/api/keys?name=google", headers=auth).json == {
        "expiresAt": None}


def test_an_expired_key_is_unusable_and_reads_as_absent(
        container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    mounted("keys").put("/api/keys", headers=auth, json={"name": "openAI", "value": "sk-1"})
    with container.store.unit_of_work("default") as uow:
        uow.repo(UserKey).update_many({"userId": user.id}, {
            "expiresAt": datetime.now(UTC) - timedelta(minutes=1)})
        uow.commit()

    expiry = mounted("keys").get("/api/keys?name=openAI", headers=auth)
    try:
        keys.user_key(container.store, container.secretbox, "default", user.id, "openAI")
        code = "none"
    except GoRunChatError as exc:
        code = exc.code

    assert expiry.json == {"expiresAt": None}
    assert code == "EXPIRED_USER_KEY"
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(UserKey).count({"userId": user.id}) == 0


def test_a_past_expiry_is_refused(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    response = mounted("keys").put("/api/keys", headers=auth,
                                   json={"name": "openAI", "value": "x", "expiresAt": past})
    assert (response.status_code, response.json["error"]["code"]) == (400, "KEY_EXPIRY_PAST")


def test_a_sealed_key_copied_to_another_user_does_not_open(
        container: Container, make_user: UserFactory) -> None:
    owner, owner_auth = make_user()
    thief, _ = make_user()
    mounted("keys").put("/api/keys", headers=owner_auth, json={"name": "openAI", "value": "sk"})
    with container.store.unit_of_work("default") as uow:
        sealed = uow.repo(UserKey).find_one({"userId": owner.id})
        assert sealed is not None
        uow.repo(UserKey).insert(UserKey(id="stolen", userId=thief.id, name="openAI",
                                         value=sealed.value))
        uow.commit()

    try:
        keys.user_key(container.store, container.secretbox, "default", thief.id, "openAI")
        code = "opened"
    except GoRunChatError as exc:
        code = exc.code

    assert code == "INVALID_USER_KEY"


def test_delete_one_and_delete_all(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    for name in ("openAI", "anthropic", "google"):
        mounted("keys").put("/api/keys", headers=auth, json={"name": name, "value": "v"})

    one = mounted("keys").delete("/api/keys/openAI", headers=auth)
    unguarded = mounted("keys").delete("/api/keys", headers=auth)
    with container.store.unit_of_work("default", readonly=True) as uow:
        left = sorted(k.name for k in uow.repo(UserKey).find({"userId": user.id}))
    everything = mounted("keys").delete("/api/keys?all=true", headers=auth)

    assert one.status_code == 204 and left == ["anthropic", "google"]
    assert unguarded.status_code == 422
    assert everything.status_code == 204
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(UserKey).count({"userId": user.id}) == 0
