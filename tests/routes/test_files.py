"""The ``/api/files`` routes through the mounted ``files`` function."""

from __future__ import annotations

import io
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from flask.testing import FlaskClient

from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.library import StoredFile
from tests.fixtures import samples
from tests.routes.conftest import UserFactory, _settings, mounted, user_factory


def upload(client: FlaskClient, auth: dict[str, str], data: bytes, name: str,
           path: str = "/api/files", **fields: str) -> Any:
    return client.post(path, data={"file": (io.BytesIO(data), name), **fields},
                       headers=auth, content_type="multipart/form-data")


def _stored(container: Container, file_id: str, tenant: str = "default") -> StoredFile | None:
    with container.store.unit_of_work(tenant, readonly=True) as uow:
        return uow.repo(StoredFile).get(file_id)


def _blob_path(container: Container, stored: StoredFile) -> Path:
    assert stored.storageKey is not None
    return Path(container.settings.data_dir) / "files" / stored.storageKey


@pytest.mark.parametrize(("name", "make", "kind", "text"), [
    ("notes.txt", lambda: "Einkaufsliste: Äpfel, Brot\n".encode(), "text/plain",
     "Einkaufsliste: Äpfel, Brot\n"),
    ("README.md", lambda: b"# Title\n\n*bold*", "text/markdown", "# Title\n\n*bold*"),
    ("table.csv", lambda: b"a,b\n1,2\n", "text/csv", "a,b\n1,2\n"),
    ("data.json", lambda: b'{"k": [1, 2]}', "application/json", '{"k": [1, 2]}'),
    ("report.pdf", samples.pdf, "application/pdf", "Quarterly report 2025: revenue grew"),
    ("protokoll.docx", samples.docx,
     "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
     "Protokoll der Sitzung\nGröße: 3 m²\nPosten\tBetrag €"),
])
def test_upload_extracts_text_for_prompts(container: Container, make_user: UserFactory,
                                          name: str, make: Any, kind: str, text: str) -> None:
    user, auth = make_user()

    response = upload(mounted("files"), auth, make(), name, file_id="temp-123")

    assert response.status_code == 200, response.json
    body = response.json
    assert (body["filename"], body["type"], body["temp_file_id"]) == (name, kind, "temp-123")
    assert body["message"] == "File uploaded and processed successfully"
    assert body["text"].strip() == text.strip()
    stored = _stored(container, body["file_id"])
    assert stored is not None and stored.user == user.id and stored.text == body["text"]
    [record] = container.store.audit_log("default").records()
    assert (record.action, record.targetId) == ("file.upload", body["file_id"])


def test_image_upload_records_dimensions(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    png = upload(mounted("files"), auth, samples.png(64, 48), "pixel.png")
    jpeg = upload(mounted("files"), auth, samples.jpeg(), "photo.jpg", path="/api/files/images")
    not_image = upload(mounted("files"), auth, b"text", "a.txt", path="/api/files/images")
    assert (png.json["type"], png.json["width"], png.json["height"]) == ("image/png", 64, 48)
    assert png.json["text"] is None
    assert jpeg.status_code == 200 and jpeg.json["type"] == "image/jpeg"
    assert not_image.status_code == 415


@pytest.mark.parametrize(("name", "make", "status", "code"), [
    ("../../etc/passwd.txt", lambda: b"x", 400, "INVALID_FILENAME"),
    ("..\\boot.ini", lambda: b"x", 400, "INVALID_FILENAME"),
    ("/etc/shadow", lambda: b"x", 400, "INVALID_FILENAME"),
    ("tab\tname.txt", lambda: b"x", 400, "INVALID_FILENAME"),
    ("empty.txt", lambda: b"", 400, "EMPTY_FILE"),
    ("program.exe", lambda: b"MZ\x90\x00\x03\x00\x00\x00" + bytes(range(256)) * 4, 415,
     "UNSUPPORTED_FILE_TYPE"),
    ("archive.zip", samples.plain_zip, 415, "UNSUPPORTED_FILE_TYPE"),
    ("invoice.png", samples.pdf, 415, "FILE_TYPE_MISMATCH"),
    ("photo.png", samples.jpeg, 415, "FILE_TYPE_MISMATCH"),
    ("broken.json", lambda: b"{oops", 415, "INVALID_JSON"),
    ("report.docx", samples.docx_bomb, 413, "ZIP_BOMB"),
    ("holiday.jpg", samples.jpeg_with_zip, 415, "POLYGLOT_FILE"),
    ("cat.png", samples.png_with_script, 415, "POLYGLOT_FILE"),
    ("header.png", lambda: b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, 415, "CORRUPT_FILE"),
])
def test_bad_uploads_get_clear_client_errors(container: Container, make_user: UserFactory,
                                             name: str, make: Any, status: int, code: str
                                             ) -> None:
    _, auth = make_user()

    response = upload(mounted("files"), auth, make(), name)

    assert response.status_code == status, response.json
    assert response.json["error"]["code"] == code
    assert mounted("files").get("/api/files", headers=auth).json == []
    assert list((Path(container.settings.data_dir) / "files").rglob("*.*")) == []


def test_multipart_is_required(container: Container, make_user: UserFactory) -> None:
    _, auth = make_user()
    client = mounted("files")
    as_json = client.post("/api/files", json={"file": "x"}, headers=auth)
    no_file = client.post("/api/files", data={"file_id": "x"}, headers=auth,
                          content_type="multipart/form-data")
    assert as_json.status_code == 415
    assert (no_file.status_code, no_file.json["error"]["code"]) == (400, "FILE_REQUIRED")


def test_owner_downloads_and_nobody_else(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    data = samples.png()
    file_id = upload(mounted("files"), auth, data, "Grüße.png").json["file_id"]
    client = mounted("files")

    mine = client.get(f"/api/files/download/{user.id}/{file_id}", headers=auth)
    _, stranger = make_user()
    _, foreign = user_factory(container)(tenant="acme")

    assert mine.status_code == 200
    assert mine.data == data
    assert mine.headers["Content-Type"] == "application/octet-stream"
    assert mine.headers["Content-Disposition"] == (
        "attachment; filename*=UTF-8''Gr%C3%BC%C3%9Fe.png")
    assert json.loads(unquote(mine.headers["X-File-Metadata"]))["file_id"] == file_id
    for auth_other in (stranger, foreign):
        for path in (f"/api/files/download/{user.id}/{file_id}",
                     f"/api/files/download-url/{user.id}/{file_id}",
                     f"/api/files/{file_id}/preview"):
            response = client.get(path, headers=auth_other)
            assert response.status_code == 404, path
            assert response.json["error"]["code"] == "FILE_NOT_FOUND"
        gone = client.delete("/api/files", json={"files": [{"file_id": file_id,
                                                           "filepath": "/x"}]},
                             headers=auth_other)
        assert gone.status_code == 404
    assert _stored(container, file_id) is not None


def test_download_path_must_name_the_caller(container: Container, make_user: UserFactory
                                            ) -> None:
    _, auth = make_user()
    other, _ = make_user()
    file_id = upload(mounted("files"), auth, b"secret", "s.txt").json["file_id"]
    response = mounted("files").get(f"/api/files/download/{other.id}/{file_id}", headers=auth)
    assert response.status_code == 404


def test_delete_removes_the_document_and_the_blob(container: Container,
                                                  make_user: UserFactory) -> None:
    user, auth = make_user()
    file_id = upload(mounted("files"), auth, b"to be deleted", "d.txt").json["file_id"]
    stored = _stored(container, file_id)
    assert stored is not None and _blob_path(container, stored).is_file()

    response = mounted("files").delete("/api/files", json={"files": [{
        "file_id": file_id, "filepath": stored.filepath}]}, headers=auth)
    nothing = mounted("files").delete("/api/files", json={"files": []}, headers=auth)

    assert response.status_code == 200
    assert response.json == {"message": "Files deleted successfully"}
    assert nothing.status_code == 204
    assert _stored(container, file_id) is None
    assert not _blob_path(container, stored).exists()
    assert mounted("files").get(f"/api/files/download/{user.id}/{file_id}",
                                headers=auth).status_code == 404
    journal = container.store.audit_log("default").discovery(where={"kind": "file.deleted"})
    assert [d.content["text"] for d in journal] == ["to be deleted"]


def test_list_config_usage_preview_and_download_url(container: Container,
                                                    make_user: UserFactory) -> None:
    user, auth = make_user()
    client = mounted("files")
    text_id = upload(client, auth, b"abc", "a.txt").json["file_id"]
    upload(client, auth, samples.png(), "p.png")

    listed = client.get("/api/files", headers=auth)
    config = client.get("/api/files/config", headers=auth)
    usage = client.post("/api/files/usage", json={}, headers=auth)
    preview = client.get(f"/api/files/{text_id}/preview", headers=auth)
    url = client.get(f"/api/files/download-url/{user.id}/{text_id}", headers=auth)
    agent = client.get("/api/files/agent/agent_123", headers=auth)

    assert [f["filename"] for f in listed.json] == ["p.png", "a.txt"]
    assert config.json["serverFileSizeLimit"] == 100 * 1024 * 1024
    assert config.json["endpoints"]["default"]["supportedMimeTypes"] == [".*"]
    assert usage.json["fileCount"] == 2
    assert usage.json["bytes"] == 3 + listed.json[0]["bytes"]
    assert usage.json["byType"]["text/plain"] == 3
    assert preview.json == {"file_id": text_id, "status": "ready", "text": "abc",
                            "textFormat": "text", "previewError": None}
    assert url.json["url"] == f"/api/files/download/{user.id}/{text_id}"
    assert url.json["filename"] == "a.txt"
    assert (agent.status_code, agent.json["error"]["code"]) == (404, "AGENT_NOT_FOUND")


CONFIG = """
fileConfig:
  serverFileSizeLimit: 1
  sizeLimits: {image: 0.05, pdf: 1, docx: 1, text: 0.01}
  userStorageLimit: 0.02
  imageLimits: {maxWidth: 100, maxHeight: 100, maxPixels: 5000}
  endpoints:
    anthropic: {fileSizeLimit: 1, supportedMimeTypes: ["image/.*"]}
"""


@pytest.fixture(params=["sqlite", "mongomock"])
def configured(request: pytest.FixtureRequest, data_dir: Path) -> Iterator[Container]:
    (data_dir / "gorunchat.yaml").write_text(CONFIG, encoding="utf-8")
    c = Container(_settings(data_dir, GORUNCHAT_CONFIG=str(data_dir / "gorunchat.yaml")))
    if request.param == "mongomock":
        import mongomock

        from gorunchat.adapters.mongo.store import MongoStore

        c.__dict__["store"] = MongoStore(mongomock.MongoClient(), "gorunchat_test")
    set_container(c)
    yield c
    set_container(None)
    c.close()


def test_limits_from_file_config(configured: Container) -> None:
    _, auth = user_factory(configured)()
    client = mounted("files")

    big_text = upload(client, auth, b"x" * 11_000, "big.txt")
    wide = upload(client, auth, samples.png(120, 10), "wide.png")
    many_pixels = upload(client, auth, samples.png(80, 80), "square.png")
    endpoint_refuses = upload(client, auth, b"hello", "a.txt", endpoint="anthropic")
    oversized_request = upload(client, auth, b"x" * (1024 * 1024 + 10), "huge.txt")

    assert (big_text.status_code, big_text.json["error"]["code"]) == (413, "FILE_TOO_LARGE")
    assert (wide.status_code, wide.json["error"]["code"]) == (413, "IMAGE_TOO_LARGE")
    assert many_pixels.json["error"]["code"] == "IMAGE_TOO_LARGE"
    assert endpoint_refuses.status_code == 415
    assert oversized_request.status_code == 413


def test_storage_quota_per_user(configured: Container) -> None:
    _, auth = user_factory(configured)()
    _, other = user_factory(configured)()
    client = mounted("files")

    first = upload(client, auth, b"a" * 9000, "one.txt")
    second = upload(client, auth, b"b" * 9000, "two.txt")
    third = upload(client, auth, b"c" * 9000, "three.txt")
    someone_else = upload(client, other, b"d" * 9000, "mine.txt")

    assert (first.status_code, second.status_code) == (200, 200)
    assert (third.status_code, third.json["error"]["code"]) == (413, "STORAGE_QUOTA_EXCEEDED")
    assert someone_else.status_code == 200


def test_upload_fails_closed_and_leaves_no_blob(sqlite_container: Container) -> None:
    container = sqlite_container
    _, auth = user_factory(container)()
    db = sqlite3.connect(container.settings.sqlite_file)
    db.execute("CREATE TRIGGER audit_down BEFORE INSERT ON auditlogs "
               "BEGIN SELECT RAISE(ABORT, 'audit storage unavailable'); END")
    db.commit()
    db.close()

    response = upload(mounted("files"), auth, b"never stored", "n.txt")

    assert response.status_code == 503
    assert response.json["error"]["code"] == "AUDIT_UNAVAILABLE"
    assert list((Path(container.settings.data_dir) / "files").rglob("*.*")) == []
