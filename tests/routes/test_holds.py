"""Legal holds: ``/api/admin/holds`` and the guard every destroying path calls."""

from __future__ import annotations

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.errors import LegalHoldActive
from gorunchat.services import holds
from tests.fixtures.spine import conversation
from tests.routes.conftest import UserFactory, mounted


def _create(auth: dict[str, str], **body: object):  # type: ignore[no-untyped-def]
    return mounted("admin").post("/api/admin/holds", headers=auth,
                                 json={"name": "Acme v. Us", **body})


def test_an_admin_places_a_hold_on_custodians_and_it_is_audited(
        container: Container, make_user: UserFactory) -> None:
    admin, auth = make_user(role="ADMIN")
    custodian, _ = make_user()

    response = _create(auth, matter="Case 42", scope="users", custodians=[custodian.id])

    assert response.status_code == 201
    body = response.json
    assert (body["scope"], body["custodians"], body["status"], body["createdBy"]) == (
        "users", [custodian.id], "active", admin.id)
    record = container.store.audit_log("default").records()[-1]
    assert (record.action, record.targetId, record.metadata["custodians"]) == (
        "admin.hold_create", body["id"], [custodian.id])


@pytest.mark.parametrize(("body", "field"), [
    ({"scope": "users"}, ""),
    ({"scope": "conversations"}, ""),
    ({"scope": "tenant", "custodians": ["u1"]}, ""),
    ({"scope": "everything"}, "scope"),
])
def test_a_hold_must_name_what_it_covers(container: Container, make_user: UserFactory,
                                         body: dict[str, object], field: str) -> None:
    _, auth = make_user(role="ADMIN")

    response = _create(auth, **body)

    assert response.status_code == 422
    assert response.json["error"]["details"][0]["field"] == field


def test_custodians_must_be_users_of_the_tenant(container: Container,
                                                make_user: UserFactory) -> None:
    _, auth = make_user(role="ADMIN")

    response = _create(auth, scope="users", custodians=["nobody-here"])

    assert response.status_code == 422
    assert response.json["error"]["details"][0]["value"] == "nobody-here"


def test_holds_are_listed_newest_first_and_read_one_by_one(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user(role="SUPER_ADMIN")
    first = _create(auth, scope="tenant").json["id"]
    second = _create(auth, scope="conversations", conversationIds=["c1"]).json["id"]
    mounted("admin").post(f"/api/admin/holds/{first}/release", headers=auth,
                          json={"reason": "Settled"})

    everything = mounted("admin").get("/api/admin/holds", headers=auth)
    active = mounted("admin").get("/api/admin/holds?status=active", headers=auth)
    one = mounted("admin").get(f"/api/admin/holds/{second}", headers=auth)
    missing = mounted("admin").get("/api/admin/holds/nope", headers=auth)

    assert [h["id"] for h in everything.json["items"]] == [second, first]
    assert [h["id"] for h in active.json["items"]] == [second]
    assert one.json["conversationIds"] == ["c1"]
    assert (missing.status_code, missing.json["error"]["code"]) == (404, "HOLD_NOT_FOUND")


def test_a_super_admin_releases_a_hold_once(container: Container,
                                            make_user: UserFactory) -> None:
    boss, auth = make_user(role="SUPER_ADMIN")
    hold_id = _create(auth, scope="tenant").json["id"]

    released = mounted("admin").post(f"/api/admin/holds/{hold_id}/release", headers=auth,
                                      json={"reason": "Case closed"})
    again = mounted("admin").post(f"/api/admin/holds/{hold_id}/release", headers=auth,
                                  json={"reason": "Again"})

    assert released.status_code == 200
    assert (released.json["status"], released.json["releasedBy"],
            released.json["releaseReason"]) == ("released", boss.id, "Case closed")
    assert (again.status_code, again.json["error"]["code"]) == (409, "HOLD_ALREADY_RELEASED")
    actions = [r.action for r in container.store.audit_log("default").records()]
    assert actions == ["admin.hold_create", "admin.hold_release"]


def test_the_guard_refuses_to_destroy_held_users_and_conversations(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user(role="ADMIN")
    custodian, _ = make_user()
    bystander, _ = make_user()
    held_convo = conversation(container, bystander.id)
    free_convo = conversation(container, bystander.id)
    _create(auth, scope="users", custodians=[custodian.id])
    _create(auth, scope="conversations", conversationIds=[held_convo])

    with container.store.unit_of_work("default") as uow:
        with pytest.raises(LegalHoldActive) as raised:
            holds.assert_not_held(uow, user_id=custodian.id)
        with pytest.raises(LegalHoldActive):
            holds.assert_not_held(uow, conversation_id=held_convo, user_id=bystander.id)
        holds.assert_not_held(uow, user_id=bystander.id)
        holds.assert_not_held(uow, conversation_id=free_convo, user_id=bystander.id)
        assert holds.disposal_for_user(uow, custodian.id) is holds.Disposal.HIDE
        assert holds.disposal_for_user(uow, bystander.id) is holds.Disposal.DELETE
        assert holds.disposal_for_conversation(uow, held_convo, bystander.id) == "hide"

    assert raised.value.code == "LEGAL_HOLD_ACTIVE"
    assert raised.value.details is not None and len(raised.value.details) == 1


def test_a_tenant_hold_covers_everyone(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user(role="ADMIN")
    anyone, _ = make_user()
    _create(auth, scope="tenant")

    with container.store.unit_of_work("default", readonly=True) as uow:
        assert holds.is_user_held(uow, anyone.id) is True
        assert holds.is_conversation_held(uow, "any-conversation", None) is True


def test_a_user_deleting_held_data_hides_it_instead(container: Container,
                                                    make_user: UserFactory) -> None:
    _, auth = make_user(role="ADMIN")
    custodian, _ = make_user()
    convo = conversation(container, custodian.id, messages=3)
    _create(auth, scope="users", custodians=[custodian.id])

    with container.store.unit_of_work("default") as uow:
        hidden = holds.hide_conversation(uow, convo, by=custodian.id)
        uow.commit()

    with container.store.unit_of_work("default", readonly=True) as uow:
        visible = uow.conversations.find({"user": custodian.id, **holds.VISIBLE})
        kept = uow.conversations.get(convo)
        kept_messages = uow.messages.count({"conversationId": convo})
    assert hidden == 4
    assert visible == []
    assert kept is not None and holds.is_hidden(kept) is True
    assert kept_messages == 3


def test_a_hold_blocks_deleting_a_custodian_until_it_is_released(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user(role="SUPER_ADMIN")
    custodian, _ = make_user()
    conversation(container, custodian.id)
    hold_id = _create(auth, scope="users", custodians=[custodian.id]).json["id"]

    refused = mounted("admin").delete(f"/api/admin/users/{custodian.id}", headers=auth)
    with container.store.unit_of_work("default", readonly=True) as uow:
        kept = (uow.users.get(custodian.id) is not None,
                uow.conversations.count({"user": custodian.id}))
    mounted("admin").post(f"/api/admin/holds/{hold_id}/release", headers=auth,
                          json={"reason": "Settled"})
    allowed = mounted("admin").delete(f"/api/admin/users/{custodian.id}", headers=auth)

    assert (refused.status_code, refused.json["error"]["code"]) == (409, "LEGAL_HOLD_ACTIVE")
    assert refused.json["error"]["details"][0]["holdId"] == hold_id
    assert kept == (True, 1)
    assert allowed.status_code == 200
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.users.get(custodian.id) is None
