"""Avatar uploads (``POST /api/files/images/avatar``, ``.../agents/:agent_id/avatar``,
``.../assistants/:assistant_id/avatar``) through the mounted ``files`` function."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.agents import Agent
from gorunchat.contracts.library import StoredFile
from tests.fixtures.samples import jpeg, jpeg_with_zip, pdf, png
from tests.fixtures.spine import fail_audit_writes
from tests.routes.conftest import UserFactory, mounted, user_factory
from tests.routes.test_agents_crud import create, share

AVATAR = "/api/files/images/avatar"


def send(auth: dict[str, str], data: bytes, name: str = "me.png", path: str = AVATAR,
         **fields: str) -> Any:
    return mounted("files").post(path, data={"file": (io.BytesIO(data), name), **fields},
                                 headers=auth, content_type="multipart/form-data")


def avatars(container: Container) -> list[StoredFile]:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return uow.repo(StoredFile).find({"context": "avatar"})


def file_id_of(url: str) -> str:
    return url.split("?")[0].rsplit("/", 1)[-1]


def test_a_user_avatar_is_stored_set_on_the_user_and_served(
        container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    _, colleague = make_user()
    _, outsider = make_user(tenant="acme")
    image = png(300, 200)

    response = send(auth, image)

    assert response.status_code == 200
    url = response.json["url"]
    assert url.startswith(f"/api/files/download/{user.id}/") and url.endswith("?manual=true")
    assert mounted("user").get("/api/user", headers=auth).json["avatar"] == url
    path = url.split("?")[0]
    for who in (auth, colleague):
        served = mounted("files").get(path, headers=who)
        assert served.status_code == 200 and served.data == image
    assert mounted("files").get(path, headers=outsider).status_code == 404
    assert mounted("files").get("/api/files", headers=auth).json == []
    (record,) = avatars(container)
    assert (record.type, record.width, record.height) == ("image/png", 300, 200)


def test_a_new_avatar_replaces_the_old_record_and_blob(container: Container,
                                                      make_user: UserFactory) -> None:
    _, auth = make_user()
    first = send(auth, png()).json["url"]
    (old,) = avatars(container)

    second = send(auth, jpeg(), "me.jpg", manual="false")

    assert second.status_code == 200 and second.json["url"].endswith("?manual=false")
    (current,) = avatars(container)
    assert current.file_id == file_id_of(second.json["url"]) != file_id_of(first)
    assert not container.blobs.exists(old.storageKey or "")
    assert container.blobs.exists(current.storageKey or "")


@pytest.mark.parametrize(("data", "name", "status", "code"), [
    (b"not an image at all", "me.png", 415, None),
    (pdf(), "me.pdf", 415, "UNSUPPORTED_FILE_TYPE"),
    (jpeg_with_zip(), "me.jpg", 415, None),
    (png()[:40], "me.png", 415, None),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * (2 * 1024 * 1024), "big.png", 413, "FILE_TOO_LARGE"),
])
def test_an_avatar_must_be_an_image_by_its_content_and_small(
        container: Container, make_user: UserFactory, data: bytes, name: str, status: int,
        code: str | None) -> None:
    user, auth = make_user()

    response = send(auth, data, name)

    assert response.status_code == status, response.json
    if code:
        assert response.json["error"]["code"] == code
    assert avatars(container) == []
    assert mounted("user").get("/api/user", headers=auth).json["avatar"] is None


def test_an_avatar_request_needs_a_multipart_file(container: Container,
                                                 make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("files")

    not_multipart = client.post(AVATAR, headers=auth, json={"file": "x"})
    no_file = client.post(AVATAR, headers=auth, data={"manual": "true"},
                          content_type="multipart/form-data")

    assert not_multipart.status_code == 415
    assert (no_file.status_code, no_file.json["error"]["code"]) == (400, "FILE_REQUIRED")


def test_a_user_avatar_fails_closed(sqlite_container: Container) -> None:
    _, auth = user_factory(sqlite_container)()
    fail_audit_writes(sqlite_container)

    response = send(auth, png())

    assert (response.status_code, response.json["error"]["code"]) == (503, "AUDIT_UNAVAILABLE")
    assert avatars(sqlite_container) == []
    assert mounted("user").get("/api/user", headers=auth).json["avatar"] is None
    stored = Path(sqlite_container.settings.data_dir) / "files"
    assert [p for p in stored.rglob("*") if p.is_file()] == []


def test_an_agent_avatar_needs_edit_and_becomes_the_agents_avatar(
        container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    viewer, viewer_auth = make_user()
    _, stranger_auth = make_user()
    agent = create(auth)
    share(container, agent, viewer, "viewer")
    path = f"/api/files/images/agents/{agent['id']}/avatar"

    stranger = send(stranger_auth, png(), path=path)
    refused = send(viewer_auth, png(), path=path)
    first = send(auth, png(), path=path)
    second = send(auth, jpeg(), "a.jpg", path=path)

    assert stranger.status_code == 404 and refused.status_code == 403
    assert first.status_code == 201 and second.status_code == 201
    avatar = second.json["avatar"]
    assert avatar["source"] == "local" and avatar["filepath"].startswith("/api/files/download/")
    assert second.json["version"] == 3
    (record,) = avatars(container)
    assert avatar["filepath"].endswith(record.file_id)
    served = mounted("files").get(avatar["filepath"], headers=viewer_auth)
    assert served.status_code == 200 and served.data[:2] == b"\xff\xd8"


def test_deleting_the_agent_deletes_its_avatar(container: Container,
                                              make_user: UserFactory) -> None:
    _, auth = make_user()
    agent = create(auth)
    send(auth, png(), path=f"/api/files/images/agents/{agent['id']}/avatar")
    (record,) = avatars(container)

    assert mounted("agents").delete(f"/api/agents/{agent['id']}", headers=auth).status_code == 200

    assert avatars(container) == []
    assert not container.blobs.exists(record.storageKey or "")
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.repo(Agent).count({}) == 0


def test_deleting_the_account_deletes_the_avatar_records(container: Container,
                                                        make_user: UserFactory) -> None:
    _, auth = make_user()
    agent = create(auth)
    send(auth, png())
    send(auth, png(), path=f"/api/files/images/agents/{agent['id']}/avatar")
    assert len(avatars(container)) == 2

    assert mounted("user").delete("/api/user/delete", headers=auth).status_code == 200

    assert avatars(container) == []


def test_assistants_do_not_exist(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()

    response = send(auth, png(), path="/api/files/images/assistants/asst_1/avatar")

    assert (response.status_code, response.json["error"]["code"]) == (
        404, "ASSISTANT_NOT_FOUND")
