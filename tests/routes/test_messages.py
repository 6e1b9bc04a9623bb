"""The ``/api/messages`` routes through the mounted ``messages`` function."""

from __future__ import annotations

from typing import Any

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.documents import Message
from gorunchat.domain.ids import new_uuid
from gorunchat.domain.message_tree import NO_PARENT
from tests.fixtures.library import BRANCHED, seed
from tests.routes.conftest import UserFactory, mounted, user_factory

ARTIFACT = ("Here it is:\n:::artifact{identifier=\"greet\" type=\"application/vnd.code-html\" "
            "title=\"Greeting\"}\n```html\n<p>Hello, wörld</p>\n```\n:::\nEnjoy.")


def _stored(container: Container, message_id: str) -> Message | None:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return uow.messages.get(message_id)


def test_create_saves_into_the_paths_conversation(container: Container,
                                                  make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    message_id = new_uuid()

    response = mounted("messages").post(f"/api/messages/{seeded.conversation_id}", json={
        "messageId": message_id, "parentMessageId": seeded.ids["a1"], "text": "Danke schön!",
        "isCreatedByUser": True, "sender": "User", "user": "someone-else",
        "tenantId": "acme"}, headers=auth)

    assert response.status_code == 201
    assert response.json["conversationId"] == seeded.conversation_id
    stored = _stored(container, message_id)
    assert stored is not None
    assert (stored.user, stored.tenantId, stored.text) == (user.id, "default", "Danke schön!")
    [record] = container.store.audit_log("default").records()
    assert (record.action, record.targetId) == ("message.create", message_id)
    [entry] = container.store.audit_log("default").discovery(where={"messageId": message_id})
    assert (entry.kind, entry.content["text"]) == ("message.created", "Danke schön!")


def test_create_with_another_conversation_in_the_body_is_400(container: Container,
                                                             make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    other = seed(container, user.id)

    response = mounted("messages").post(f"/api/messages/{seeded.conversation_id}", json={
        "conversationId": other.conversation_id, "text": "x"}, headers=auth)

    assert response.status_code == 400
    assert response.json["error"]["code"] == "CONVERSATION_MISMATCH"


def test_create_cannot_take_over_another_conversations_message_id(
        container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    other = seed(container, user.id)
    response = mounted("messages").post(f"/api/messages/{seeded.conversation_id}", json={
        "messageId": other.ids["u1"], "text": "hijack"}, headers=auth)
    assert response.status_code == 409
    stored = _stored(container, other.ids["u1"])
    assert stored is not None and stored.text == "Hello"


def test_list_returns_the_tree_parents_first(container: Container, make_user: UserFactory
                                             ) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tree=BRANCHED)

    response = mounted("messages").get(f"/api/messages/{seeded.conversation_id}", headers=auth)

    assert response.status_code == 200
    order = [m["messageId"] for m in response.json]
    assert order == [seeded.ids[k] for k in ("u1", "a1", "u2", "a3", "u2b", "a4", "a2")]
    position = {m: i for i, m in enumerate(order)}
    for message in response.json:
        if message["parentMessageId"] != NO_PARENT:
            assert position[message["parentMessageId"]] < position[message["messageId"]]


def test_get_one_and_cursor_pages(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tree=BRANCHED)
    client = mounted("messages")

    one = client.get(f"/api/messages/{seeded.conversation_id}/{seeded.ids['a2']}",
                     headers=auth)
    first = client.get(f"/api/messages?conversationId={seeded.conversation_id}&pageSize=4"
                       "&sortDirection=asc", headers=auth)
    rest = client.get(f"/api/messages?conversationId={seeded.conversation_id}&pageSize=4"
                      f"&sortDirection=asc&cursor={first.json['nextCursor']}", headers=auth)
    by_id = client.get(f"/api/messages?conversationId={seeded.conversation_id}"
                       f"&messageId={seeded.ids['a3']}", headers=auth)

    assert one.status_code == 200 and [m["text"] for m in one.json] == [
        "Day one: Kiyomizu-dera"]
    texts = [m["text"] for m in first.json["messages"] + rest.json["messages"]]
    assert texts == [t for _, _, t in BRANCHED]
    assert rest.json["nextCursor"] is None
    assert [m["text"] for m in by_id.json["messages"]] == ["Arashiyama bamboo grove"]


def test_edit_text_or_one_content_part(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    with container.store.unit_of_work("default") as uow:
        uow.messages.update(seeded.ids["a1"], {"content": [
            {"type": "think", "think": "hmm"}, {"type": "text", "text": "Hi there"},
            {"type": "image_url", "image_url": {"url": "x"}}]})
        uow.commit()
    client = mounted("messages")
    base = f"/api/messages/{seeded.conversation_id}"

    text = client.put(f"{base}/{seeded.ids['u1']}", json={"text": "Hello again"}, headers=auth)
    part = client.put(f"{base}/{seeded.ids['a1']}", json={"text": "Hi, edited", "index": 1},
                      headers=auth)
    image = client.put(f"{base}/{seeded.ids['a1']}", json={"text": "x", "index": 2},
                       headers=auth)
    beyond = client.put(f"{base}/{seeded.ids['a1']}", json={"text": "x", "index": 9},
                        headers=auth)

    assert text.status_code == 200 and text.json["text"] == "Hello again"
    assert part.json["content"][1] == {"type": "text", "text": "Hi, edited"}
    assert (image.status_code, image.json["error"]["code"]) == (400, "NOT_TEXT_CONTENT")
    assert (beyond.status_code, beyond.json["error"]["code"]) == (400, "INVALID_INDEX")
    edits = container.store.audit_log("default").discovery(
        where={"messageId": seeded.ids["u1"]})
    assert [(d.kind, d.content["text"], d.content["previousText"]) for d in edits] == [
        ("message.edited", "Hello again", "Hello")]


def test_edit_must_name_a_message_of_that_conversation(container: Container,
                                                       make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    other = seed(container, user.id)
    response = mounted("messages").put(
        f"/api/messages/{seeded.conversation_id}/{other.ids['u1']}", json={"text": "x"},
        headers=auth)
    assert response.status_code == 404
    assert response.json["error"]["code"] == "MESSAGE_NOT_FOUND"


def test_delete_keeps_the_words_in_the_journal(container: Container, make_user: UserFactory
                                               ) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    response = mounted("messages").delete(
        f"/api/messages/{seeded.conversation_id}/{seeded.ids['a1']}", headers=auth)
    assert response.status_code == 204
    assert _stored(container, seeded.ids["a1"]) is None
    [entry] = container.store.audit_log("default").discovery(
        where={"messageId": seeded.ids["a1"], "kind": "message.deleted"})
    assert entry.content["text"] == "Hi there"


def test_feedback_is_set_and_cleared(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    url = f"/api/messages/{seeded.conversation_id}/{seeded.ids['a1']}/feedback"
    client = mounted("messages")

    given = client.put(url, json={"feedback": {"rating": "thumbsDown", "tag": "inaccurate",
                                               "text": "Das stimmt nicht."}}, headers=auth)
    cleared = client.put(url, json={"feedback": None}, headers=auth)
    invalid = client.put(url, json={"feedback": {"rating": "meh"}}, headers=auth)

    assert given.status_code == 200
    assert given.json == {"messageId": seeded.ids["a1"],
                          "conversationId": seeded.conversation_id,
                          "feedback": {"rating": "thumbsDown", "tag": "inaccurate",
                                       "text": "Das stimmt nicht."}}
    assert cleared.json["feedback"] is None
    assert invalid.status_code == 422
    stored = _stored(container, seeded.ids["a1"])
    assert stored is not None and stored.feedback is None


def test_branch_keeps_one_agents_parts(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    with container.store.unit_of_work("default") as uow:
        uow.messages.update(seeded.ids["a1"], {"content": [
            {"type": "text", "text": "Agent A says hi", "agentId": "agent_a", "groupId": 1},
            {"type": "text", "text": "Agent B says hello", "agentId": "agent_b", "groupId": 1}]})
        uow.commit()
    client = mounted("messages")

    branched = client.post("/api/messages/branch", json={
        "messageId": seeded.ids["a1"], "agentId": "agent_b"}, headers=auth)
    from_user = client.post("/api/messages/branch", json={
        "messageId": seeded.ids["u1"], "agentId": "agent_b"}, headers=auth)
    unknown_agent = client.post("/api/messages/branch", json={
        "messageId": seeded.ids["a1"], "agentId": "agent_z"}, headers=auth)

    assert branched.status_code == 201
    assert branched.json["content"] == [{"type": "text", "text": "Agent B says hello"}]
    assert branched.json["parentMessageId"] == seeded.ids["u1"]
    assert branched.json["messageId"] != seeded.ids["a1"]
    assert from_user.json["error"]["code"] == "USER_MESSAGE"
    assert unknown_agent.json["error"]["code"] == "AGENT_NOT_IN_MESSAGE"


def test_artifact_edit_replaces_the_code(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tree=[("u1", None, "Make a page"), ("a1", "u1", ARTIFACT)])
    client = mounted("messages")

    edited = client.post(f"/api/messages/artifact/{seeded.ids['a1']}", json={
        "index": 0, "original": "<p>Hello, wörld</p>", "updated": "<h1>Hallo, Welt</h1>"},
        headers=auth)
    wrong = client.post(f"/api/messages/artifact/{seeded.ids['a1']}", json={
        "index": 0, "original": "<p>absent</p>", "updated": "x"}, headers=auth)
    beyond = client.post(f"/api/messages/artifact/{seeded.ids['a1']}", json={
        "index": 3, "original": "a", "updated": "b"}, headers=auth)

    assert edited.status_code == 200
    assert edited.json["conversationId"] == seeded.conversation_id
    assert "```html\n<h1>Hallo, Welt</h1>\n```" in edited.json["text"]
    assert edited.json["text"].endswith(":::\nEnjoy.")
    assert wrong.json["error"]["code"] == "ARTIFACT_CONTENT_NOT_FOUND"
    assert beyond.json["error"]["code"] == "ARTIFACT_NOT_FOUND"


def test_search_finds_the_callers_messages_with_titles(container: Container,
                                                       make_user: UserFactory) -> None:
    user, auth = make_user()
    other, other_auth = make_user()
    seed(container, user.id, tree=BRANCHED, title="Trip")
    seed(container, other.id, tree=BRANCHED, title="Their trip")

    mine = mounted("messages").get("/api/messages?search=Nishiki", headers=auth)
    theirs = mounted("messages").get("/api/messages?search=Nishiki", headers=other_auth)
    none = mounted("messages").get("/api/messages", headers=auth)

    assert [(m["text"], m["title"]) for m in mine.json["messages"]] == [
        ("Nishiki market", "Trip")]
    assert [m["title"] for m in theirs.json["messages"]] == ["Their trip"]
    assert none.json == {"messages": [], "nextCursor": None}


MESSAGE_ROUTES: list[tuple[str, str, Any]] = [
    ("get", "/api/messages/{c}", None),
    ("post", "/api/messages/{c}", {"text": "sneaky"}),
    ("get", "/api/messages/{c}/{m}", None),
    ("put", "/api/messages/{c}/{m}", {"text": "sneaky"}),
    ("delete", "/api/messages/{c}/{m}", None),
    ("put", "/api/messages/{c}/{m}/feedback", {"feedback": {"rating": "thumbsUp"}}),
    ("post", "/api/messages/artifact/{m}", {"index": 0, "original": "a", "updated": "b"}),
    ("post", "/api/messages/branch", {"messageId": "{m}", "agentId": "a"}),
    ("get", "/api/messages?conversationId={c}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), MESSAGE_ROUTES)
@pytest.mark.parametrize("who", ["other user", "other tenant"])
def test_authorization_matrix_answers_404(container: Container, make_user: UserFactory,
                                          method: str, path: str, body: Any, who: str) -> None:
    owner, _ = make_user()
    seeded = seed(container, owner.id)
    _, auth = make_user() if who == "other user" else user_factory(container)(tenant="acme")
    ids = {"c": seeded.conversation_id, "m": seeded.ids["a1"]}
    kwargs: dict[str, Any] = {"headers": auth}
    if body is not None:
        kwargs["json"] = {k: v.format(**ids) if isinstance(v, str) else v
                          for k, v in body.items()}

    response = getattr(mounted("messages"), method)(path.format(**ids), **kwargs)

    assert response.status_code == 404
    assert response.json["error"]["code"] in {"CONVERSATION_NOT_FOUND", "MESSAGE_NOT_FOUND"}
    stored = _stored(container, seeded.ids["a1"])
    assert stored is not None and stored.text == "Hi there" and stored.feedback is None
