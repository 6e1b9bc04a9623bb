"""The ``/api/tags`` (bookmark) routes through the mounted ``tags`` function."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from gorunchat.bootstrap import Container
from tests.fixtures.library import seed
from tests.routes.conftest import UserFactory, mounted, user_factory


def _tags(client, auth: dict[str, str]) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    return [(t["tag"], t["count"], t["position"]) for t in client.get("/api/tags",
                                                                      headers=auth).json]


def _convo_tags(container: Container, conversation_id: str) -> list[str]:
    with container.store.unit_of_work("default", readonly=True) as uow:
        found = uow.conversations.get(conversation_id)
    assert found is not None
    return found.tags


def test_create_appends_and_can_tag_a_conversation(container: Container,
                                                   make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    client = mounted("tags")

    first = client.post("/api/tags", json={"tag": "Reisen ✈", "description": "Urlaub"},
                        headers=auth)
    second = client.post("/api/tags", json={"tag": "work", "conversationId":
                                            seeded.conversation_id, "addToConversation": True},
                         headers=auth)

    assert first.status_code == 200
    assert (first.json["tag"], first.json["position"], first.json["count"]) == (
        "Reisen ✈", 0, 0)
    assert (second.json["position"], second.json["count"]) == (1, 1)
    assert _convo_tags(container, seeded.conversation_id) == ["work"]
    assert _tags(client, auth) == [("Reisen ✈", 0, 0), ("work", 1, 1)]
    assert client.post("/api/tags", json={"tag": "  "}, headers=auth).status_code == 422


def test_set_conversation_tags_creates_and_counts(container: Container,
                                                  make_user: UserFactory) -> None:
    user, auth = make_user()
    one = seed(container, user.id)
    two = seed(container, user.id)
    client = mounted("tags")

    set_one = client.put(f"/api/tags/convo/{one.conversation_id}",
                         json={"tags": ["travel", "family", "travel"]}, headers=auth)
    client.put(f"/api/tags/convo/{two.conversation_id}", json={"tags": ["travel"]},
               headers=auth)
    client.put(f"/api/tags/convo/{one.conversation_id}", json={"tags": ["family"]},
               headers=auth)

    assert set_one.status_code == 200
    assert set_one.json == ["travel", "family"]
    assert _tags(client, auth) == [("travel", 1, 0), ("family", 1, 1)]
    assert _convo_tags(container, one.conversation_id) == ["family"]
    records = container.store.audit_log("default").records()
    assert [r.action for r in records] == ["tag.set_conversation"] * 3


def test_rename_moves_the_tag_on_its_conversations(container: Container,
                                                   make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tags=["wrk"])
    client = mounted("tags")
    client.post("/api/tags", json={"tag": "wrk"}, headers=auth)
    client.post("/api/tags", json={"tag": "home"}, headers=auth)

    renamed = client.put("/api/tags/wrk", json={"tag": "work", "description": "Büro"},
                         headers=auth)
    clash = client.put("/api/tags/work", json={"tag": "home"}, headers=auth)

    assert renamed.status_code == 200
    assert (renamed.json["tag"], renamed.json["description"]) == ("work", "Büro")
    assert _convo_tags(container, seeded.conversation_id) == ["work"]
    assert (clash.status_code, clash.json["error"]["code"]) == (409, "TAG_EXISTS")


def test_positions_move_without_gaps(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("tags")
    for name in ("a", "b", "c", "d"):
        client.post("/api/tags", json={"tag": name}, headers=auth)

    client.put("/api/tags/d", json={"position": 0}, headers=auth)
    after_up = [t[0] for t in _tags(client, auth)]
    client.put("/api/tags/d", json={"position": 2}, headers=auth)
    after_down = [t[0] for t in _tags(client, auth)]
    client.delete("/api/tags/a", headers=auth)

    assert after_up == ["d", "a", "b", "c"]
    assert after_down == ["a", "b", "d", "c"]
    assert [(t[0], t[2]) for t in _tags(client, auth)] == [("b", 0), ("d", 1), ("c", 2)]


def test_delete_takes_the_tag_off_conversations(container: Container,
                                                make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    client = mounted("tags")
    client.put(f"/api/tags/convo/{seeded.conversation_id}", json={"tags": ["a/b c", "keep"]},
               headers=auth)

    # A "/" inside a tag has to be encoded twice to survive routing (LibreChat decodes twice).
    deleted = client.delete(f"/api/tags/{quote(quote('a/b c', safe=''), safe='')}",
                            headers=auth)
    missing = client.delete("/api/tags/nope", headers=auth)

    assert deleted.status_code == 200
    assert deleted.json["tag"] == "a/b c"
    assert _convo_tags(container, seeded.conversation_id) == ["keep"]
    assert (missing.status_code, missing.json["error"]["code"]) == (404, "TAG_NOT_FOUND")


@pytest.mark.parametrize("who", ["other user", "other tenant"])
def test_another_users_tags_and_conversations_are_not_found(
        container: Container, make_user: UserFactory, who: str) -> None:
    owner, owner_auth = make_user()
    seeded = seed(container, owner.id)
    client = mounted("tags")
    client.post("/api/tags", json={"tag": "private"}, headers=owner_auth)
    _, auth = make_user() if who == "other user" else user_factory(container)(tenant="acme")

    set_tags = client.put(f"/api/tags/convo/{seeded.conversation_id}", json={"tags": ["x"]},
                          headers=auth)
    update = client.put("/api/tags/private", json={"description": "mine"}, headers=auth)
    delete = client.delete("/api/tags/private", headers=auth)
    create_on = client.post("/api/tags", json={"tag": "y", "addToConversation": True,
                                               "conversationId": seeded.conversation_id},
                            headers=auth)

    assert set_tags.status_code == 404
    assert update.status_code == 404 and delete.status_code == 404
    assert create_on.status_code == 404
    assert client.get("/api/tags", headers=auth).json == []
    assert _tags(client, owner_auth) == [("private", 0, 0)]
    assert _convo_tags(container, seeded.conversation_id) == []
