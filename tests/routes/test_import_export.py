"""``POST /api/convos/import`` and the JSON export, through the mounted ``convos`` function."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient

from gorunchat.bootstrap import Container, set_container
from gorunchat.domain.message_tree import NO_PARENT
from tests.fixtures.library import BRANCHED, seed
from tests.routes.conftest import UserFactory, _settings, mounted, user_factory

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports"


def _upload(client: FlaskClient, data: bytes, auth: dict[str, str],
            name: str = "export.json") -> Any:
    return client.post("/api/convos/import", data={"file": (io.BytesIO(data), name)},
                       headers=auth, content_type="multipart/form-data")


def _messages(container: Container, conversation_id: str) -> list[Any]:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return uow.messages.find({"conversationId": conversation_id}, sort=[("createdAt", 1)])


def test_imports_a_librechat_export_with_its_branches(container: Container,
                                                      make_user: UserFactory) -> None:
    user, auth = make_user()
    data = (FIXTURES / "librechat-export.json").read_bytes()

    response = _upload(mounted("convos"), data, auth)

    assert response.status_code == 201
    assert response.json["message"] == "Conversation(s) imported successfully"
    assert (response.json["imported"], response.json["failed"]) == (1, 0)
    [conversation_id] = response.json["conversationIds"]
    got = mounted("convos").get(f"/api/convos/{conversation_id}", headers=auth).json
    assert got["title"] == "Übersetzung: Bewerbungsschreiben 📄"
    assert got["isArchived"] is False and got["user"] == user.id  # protected options dropped
    assert got["temperature"] == 0.7
    messages = _messages(container, conversation_id)
    assert len(messages) == 5
    by_text = {m.text: m for m in messages}
    question = by_text["Bitte übersetze mein Anschreiben ins Englische. Der Lebenslauf ist "
                       "angehängt."]
    assert question.parentMessageId == NO_PARENT and question.isCreatedByUser is True
    assert question.files is not None and question.files[0]["filename"] == "Lebenslauf_Müller.pdf"
    answers = [m for m in messages if m.parentMessageId == question.messageId]
    assert len(answers) == 2  # the regenerated answer is a sibling branch
    formal = next(m for m in messages if m.content)
    assert formal.content is not None and formal.content[1]["text"].startswith("Certainly.")
    assert "b1d7a9e0-1111-4c2a-9e1b-000000000001" not in {m.messageId for m in messages}


def test_imports_chatgpt_conversations_and_reports_the_broken_one(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    data = (FIXTURES / "chatgpt-conversations.json").read_bytes()

    response = _upload(mounted("convos"), data, auth, name="conversations.json")

    assert response.status_code == 201
    assert (response.json["imported"], response.json["failed"]) == (2, 1)
    assert response.json["errors"] == [{"index": 2, "title": "Broken export entry",
                                        "code": "INVALID_CONVERSATION",
                                        "message": "The conversation has no mapping."}]
    tokyo_id, regex_id = response.json["conversationIds"]
    tokyo = _messages(container, tokyo_id)
    assert [m.text for m in tokyo][:2] == ["この写真の場所から始まる週末の予定を立ててください。",
                                           "新宿駅から出発して、土曜日は新宿御苑と渋谷へ。"]
    assert len(tokyo) == 6  # system prompt, hidden context and the tool call are skipped
    first = tokyo[0]
    assert first.files is not None
    assert {f["file_id"] for f in first.files} == {"file-Shinjuku77"}
    second_answer = tokyo[1]
    children = [m for m in tokyo if m.parentMessageId == second_answer.messageId]
    assert sorted(m.text for m in children) == ["日曜日は?", "雨の場合の代わりは?"]
    rainy = next(m for m in tokyo if m.text == "雨の場合の代わりは?")
    museum = next(m for m in tokyo if m.text.startswith("雨なら"))
    assert museum.parentMessageId == rainy.messageId  # the skipped tool node is bridged
    code = _messages(container, regex_id)[-1]
    assert code.text.startswith("```\nimport re")
    listed = mounted("convos").get("/api/convos?search=regex", headers=auth).json
    assert [c["title"] for c in listed["conversations"]] == ["Regex for ISO dates"]


def test_an_export_imports_back_to_the_same_tree(container: Container,
                                                 make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, tree=BRANCHED, title="Trip to Kyōto")
    client = mounted("convos")

    nested = client.get(f"/api/convos/{seeded.conversation_id}/export", headers=auth)
    flat = client.get(f"/api/convos/{seeded.conversation_id}/export?recursive=false",
                      headers=auth)
    imported = _upload(client, nested.data, auth)
    reimported = _upload(client, flat.data, auth)

    assert nested.status_code == 200
    assert nested.json["recursive"] is True
    assert [n["text"] for n in nested.json["messagesTree"]] == ["Plan a trip to Kyōto"]
    assert len(nested.json["messagesTree"][0]["children"]) == 2
    assert len(flat.json["messages"]) == 7 and "user" not in flat.json["messages"][0]
    for response in (imported, reimported):
        assert response.status_code == 201
        copy = _messages(container, response.json["conversationIds"][0])
        assert sorted(m.text for m in copy) == sorted(t for _, _, t in BRANCHED)
        roots = [m for m in copy if m.parentMessageId == NO_PARENT]
        assert [m.text for m in roots] == ["Plan a trip to Kyōto"]
    actions = [r.action for r in container.store.audit_log("default").records()]
    assert actions.count("conversation.export") == 2
    assert actions.count("conversation.import") == 2


def test_imported_words_are_journaled(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    response = _upload(mounted("convos"), (FIXTURES / "librechat-export.json").read_bytes(),
                       auth)
    [conversation_id] = response.json["conversationIds"]
    journal = container.store.audit_log("default").discovery(
        where={"conversationId": conversation_id})
    assert sum(d.kind == "message.created" for d in journal) == 5
    assert [d.kind for d in journal if d.kind.startswith("conversation.")] == [
        "conversation.imported"]


@pytest.mark.parametrize(("payload", "status", "code"), [
    (b"{not json", 400, "INVALID_IMPORT_FILE"),
    (b'{"hello": "world"}', 400, "UNSUPPORTED_IMPORT_FORMAT"),
    (b"\xff\xfe\x00garbage", 400, "INVALID_IMPORT_FILE"),
    (b"[1, 2]", 422, "IMPORT_FAILED"),
])
def test_unreadable_files_are_client_errors(container: Container, make_user: UserFactory,
                                            payload: bytes, status: int, code: str) -> None:
    _, auth = make_user()
    response = _upload(mounted("convos"), payload, auth)
    assert response.status_code == status
    assert response.json["error"]["code"] == code


def test_a_request_without_a_file_is_a_client_error(container: Container,
                                                    make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("convos")
    no_part = client.post("/api/convos/import", data={"other": "x"}, headers=auth,
                          content_type="multipart/form-data")
    as_json = client.post("/api/convos/import", json={"file": "x"}, headers=auth)
    assert (no_part.status_code, no_part.json["error"]["code"]) == (400, "FILE_REQUIRED")
    assert as_json.status_code == 415


@pytest.fixture
def limited(data_dir: Path) -> Iterator[Container]:
    c = Container(_settings(data_dir, CONVERSATION_IMPORT_MAX_FILE_SIZE_BYTES="4000",
                            CONVERSATION_IMPORT_MAX_CONVERSATIONS="2",
                            CONVERSATION_IMPORT_MAX_MESSAGES="3"))
    set_container(c)
    yield c
    set_container(None)
    c.close()


def _chat(title: str, turns: int) -> dict[str, Any]:
    mapping: dict[str, Any] = {"r": {"id": "r", "message": None, "parent": None,
                                     "children": ["m0"]}}
    for i in range(turns):
        mapping[f"m{i}"] = {"id": f"m{i}", "parent": "r" if i == 0 else f"m{i - 1}",
                            "children": [f"m{i + 1}"] if i + 1 < turns else [],
                            "message": {"author": {"role": "user" if i % 2 == 0 else
                                                   "assistant"}, "create_time": 1.7e9 + i,
                                        "content": {"content_type": "text",
                                                    "parts": [f"turn {i}"]}}}
    return {"title": title, "create_time": 1.7e9, "mapping": mapping}


def test_limits_on_size_count_and_messages(limited: Container) -> None:
    _, auth = user_factory(limited)()
    client = mounted("convos")

    too_big = _upload(client, b"[" + b" " * 5000 + b"]", auth)
    too_many = _upload(client, json.dumps([_chat(f"c{i}", 1) for i in range(3)]).encode(),
                       auth)
    long_one = _upload(client, json.dumps([_chat("short", 2), _chat("long", 4)]).encode(),
                       auth)

    assert (too_big.status_code, too_big.json["error"]["code"]) == (413, "FILE_TOO_LARGE")
    assert too_many.status_code == 413
    assert too_many.json["error"]["code"] == "IMPORT_TOO_MANY_CONVERSATIONS"
    assert long_one.status_code == 201
    assert long_one.json["imported"] == 1
    assert long_one.json["errors"][0]["code"] == "TOO_MANY_MESSAGES"
    assert long_one.json["errors"][0]["title"] == "long"


@pytest.fixture
def with_redis(data_dir: Path, redis_url: str) -> Iterator[Container]:
    c = Container(_settings(data_dir, REDIS_URL=redis_url, IMPORT_USER_MAX="2",
                            IMPORT_USER_WINDOW="1"))
    set_container(c)
    yield c
    set_container(None)
    c.close()


def test_imports_are_rate_limited_per_user(with_redis: Container) -> None:
    _, auth = user_factory(with_redis)()
    _, other_auth = user_factory(with_redis)()
    client = mounted("convos")
    data = (FIXTURES / "librechat-export.json").read_bytes()

    statuses = [_upload(client, data, auth).status_code for _ in range(3)]
    limited = _upload(client, data, auth)
    other = _upload(client, data, other_auth)

    assert statuses == [201, 201, 429]
    assert limited.json["error"]["code"] == "RATE_LIMITED"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert other.status_code == 201
