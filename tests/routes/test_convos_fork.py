"""``POST /api/convos/fork`` and ``/duplicate`` with LibreChat's options."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gorunchat.bootstrap import Container, set_container
from gorunchat.domain.message_tree import NO_PARENT
from tests.fixtures.library import BRANCHED, Seeded, seed
from tests.routes.conftest import UserFactory, _settings, mounted, user_factory

ALL = {text for _, _, text in BRANCHED}


def _fork(seeded: Seeded, auth: dict[str, str], target: str, **options: Any) -> Any:
    return mounted("convos").post("/api/convos/fork", json={
        "conversationId": seeded.conversation_id, "messageId": seeded.ids[target], **options},
        headers=auth)


def _texts(response: Any) -> set[str]:
    return {m["text"] for m in response.json["messages"]}


@pytest.mark.parametrize(("option", "target", "expected"), [
    ("directPath", "a3", {"Plan a trip to Kyōto", "Day one: Fushimi Inari", "And day two?",
                          "Arashiyama bamboo grove"}),
    ("includeBranches", "u2", {"Plan a trip to Kyōto", "Day one: Fushimi Inari",
                               "Day one: Kiyomizu-dera", "And day two?", "What about food?"}),
    ("targetLevel", "u2", {"Plan a trip to Kyōto", "Day one: Fushimi Inari",
                           "Day one: Kiyomizu-dera", "And day two?", "What about food?"}),
    ("targetLevel", "a1", {"Plan a trip to Kyōto", "Day one: Fushimi Inari",
                           "Day one: Kiyomizu-dera"}),
    (None, "a4", ALL),
])
def test_fork_options_choose_the_messages(container: Container, make_user: UserFactory,
                                          option: str | None, target: str,
                                          expected: set[str]) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tree=BRANCHED, title="Trip")

    response = _fork(seeded, auth, target, **({"option": option} if option else {}))

    assert response.status_code == 200
    assert _texts(response) == expected
    conversation = response.json["conversation"]
    assert conversation["conversationId"] != seeded.conversation_id
    assert conversation["title"] == "Trip" and conversation["user"] == user.id
    ids = {m["messageId"] for m in response.json["messages"]}
    assert ids.isdisjoint(seeded.ids.values())
    parents = {m["parentMessageId"] for m in response.json["messages"]}
    assert parents <= ids | {NO_PARENT}


def test_fork_keeps_the_tree_order_of_timestamps(container: Container,
                                                 make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tree=BRANCHED)
    response = _fork(seeded, auth, "a4")
    created = {m["messageId"]: m["createdAt"] for m in response.json["messages"]}
    for message in response.json["messages"]:
        if message["parentMessageId"] != NO_PARENT:
            assert created[message["parentMessageId"]] < message["createdAt"]


def test_split_at_target_makes_that_level_the_roots(container: Container,
                                                    make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tree=BRANCHED)

    response = _fork(seeded, auth, "u2", splitAtTarget=True,
                     latestMessageId=seeded.ids["a3"], option="directPath")
    missing_latest = _fork(seeded, auth, "u2", splitAtTarget=True)

    assert response.status_code == 200
    messages = {m["text"]: m for m in response.json["messages"]}
    assert set(messages) == {"And day two?", "Arashiyama bamboo grove"}
    assert messages["And day two?"]["parentMessageId"] == NO_PARENT
    assert missing_latest.status_code == 400
    assert missing_latest.json["error"]["code"] == "LATEST_MESSAGE_REQUIRED"


def test_fork_is_stored_audited_and_journaled(container: Container, make_user: UserFactory
                                              ) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tree=BRANCHED)

    response = _fork(seeded, auth, "a3", option="directPath")

    new_id = response.json["conversation"]["conversationId"]
    listed = mounted("messages").get(f"/api/messages/{new_id}", headers=auth)
    assert [m["text"] for m in listed.json] == [
        "Plan a trip to Kyōto", "Day one: Fushimi Inari", "And day two?",
        "Arashiyama bamboo grove"]
    [record] = container.store.audit_log("default").records()
    assert (record.action, record.targetId) == ("conversation.fork", new_id)
    assert record.metadata["option"] == "directPath"
    journal = container.store.audit_log("default").discovery(where={"conversationId": new_id})
    assert sorted(d.kind for d in journal) == ["conversation.forked"] + ["message.created"] * 4


def test_fork_from_an_unknown_message_is_not_found(container: Container,
                                                   make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    other = seed(container, user.id)
    response = mounted("convos").post("/api/convos/fork", json={
        "conversationId": seeded.conversation_id, "messageId": other.ids["u1"]}, headers=auth)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "MESSAGE_NOT_FOUND"


def test_fork_of_someone_elses_conversation_is_not_found(container: Container,
                                                         make_user: UserFactory) -> None:
    owner, _ = make_user()
    seeded = seed(container, owner.id)
    _, stranger = make_user()
    _, foreign = user_factory(container)(tenant="acme")
    for auth in (stranger, foreign):
        response = _fork(seeded, auth, "a1")
        assert response.status_code == 404
        assert response.json["error"]["code"] == "CONVERSATION_NOT_FOUND"


def test_duplicate_copies_every_branch(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tree=BRANCHED, title="Trip", tags=["travel"],
                  isPinned=True)

    copy = mounted("convos").post("/api/convos/duplicate", json={
        "conversationId": seeded.conversation_id, "title": "Trip (copy)"}, headers=auth)
    same_title = mounted("convos").post("/api/convos/duplicate", json={
        "conversationId": seeded.conversation_id}, headers=auth)

    assert copy.status_code == 201
    assert copy.json["conversation"]["title"] == "Trip (copy)"
    assert copy.json["conversation"]["tags"] == []
    assert copy.json["conversation"]["isPinned"] is False
    assert _texts(copy) == ALL
    assert same_title.json["conversation"]["title"] == "Trip"


@pytest.fixture
def with_redis(data_dir: Path, redis_url: str) -> Iterator[Container]:
    c = Container(_settings(data_dir, REDIS_URL=redis_url, FORK_USER_MAX="3",
                            FORK_IP_MAX="100"))
    set_container(c)
    yield c
    set_container(None)
    c.close()


def test_fork_and_duplicate_share_one_rate_limit(with_redis: Container) -> None:
    user, auth = user_factory(with_redis)()
    seeded = seed(with_redis, user.id, tree=BRANCHED)
    client = mounted("convos")

    statuses = [_fork(seeded, auth, "a1").status_code for _ in range(2)]
    statuses.append(client.post("/api/convos/duplicate", json={
        "conversationId": seeded.conversation_id}, headers=auth).status_code)
    blocked = _fork(seeded, auth, "a1")

    assert statuses == [200, 200, 201]
    assert blocked.status_code == 429
    assert blocked.json["error"]["code"] == "RATE_LIMITED"
    assert "Retry-After" in blocked.headers
