"""``GET /api/files/agent/:agent_id``: the files an agent's tool resources name, for whoever
may view the agent; never files the agent's author does not own."""

from __future__ import annotations

from gorunchat.bootstrap import Container
from tests.routes.conftest import UserFactory, mounted
from tests.routes.test_files import upload


def test_an_agents_files_are_listed_for_its_viewers(container: Container,
                                                    make_user: UserFactory) -> None:
    _, auth = make_user()
    _, other = make_user()
    files = mounted("files")
    mine = upload(files, auth, b"handbook\n", "handbook.txt").json["file_id"]
    theirs = upload(files, other, b"not yours\n", "secret.txt").json["file_id"]
    made = mounted("agents").post("/api/agents", headers=auth, json={
        "name": "Helper", "provider": "openAI", "model": "gpt-4o",
        "tool_resources": {"file_search": {"file_ids": [mine, theirs, mine]}}})
    assert made.status_code in (200, 201), made.json
    agent_id = made.json["id"]

    listed = files.get(f"/api/files/agent/{agent_id}", headers=auth)
    assert listed.status_code == 200, listed.json
    assert [f["file_id"] for f in listed.json] == [mine]
    assert files.get(f"/api/files/agent/{agent_id}", headers=other).status_code == 404
    assert files.get("/api/files/agent/agent_nope", headers=auth).status_code == 404
