"""The Cloud Storage blob store against the ``gcp-storage-emulator`` server, directly and
behind the mounted ``files`` function."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gorunchat.adapters.gcp.storage import GcsBlobStore
from gorunchat.bootstrap import Container, set_container
from gorunchat.contracts.errors import NotFound
from tests.fixtures import gcs as gcs_fixtures
from tests.fixtures.gcs import emulator_fixture, gcs_fixture  # noqa: F401  (fixtures)
from tests.routes.conftest import _settings, mounted, user_factory


def test_put_get_delete_and_a_signed_url(gcs: GcsBlobStore) -> None:
    data = "Bericht über Ähnlichkeit".encode()
    gcs.put("default/u1/f1", data, "text/plain")

    url = gcs.signed_url("default/u1/f1", filename="Bericht ü.txt", content_type="text/plain")
    fetched = httpx.get(url or "", timeout=5)

    assert gcs.get("default/u1/f1") == data
    assert gcs.exists("default/u1/f1") is True
    assert url is not None and "X-Goog-Signature=" in url and f"/{gcs_fixtures.BUCKET}/" in url
    assert fetched.status_code == 200 and fetched.content == data
    assert gcs.delete("default/u1/f1") is True
    assert gcs.delete("default/u1/f1") is False
    assert gcs.exists("default/u1/f1") is False
    with pytest.raises(NotFound):
        gcs.get("default/u1/f1")


@pytest.fixture
def gcs_container(data_dir: Path, gcs: GcsBlobStore) -> Iterator[Container]:
    c = Container(_settings(data_dir))
    c.__dict__["blobs"] = gcs
    set_container(c)
    yield c
    set_container(None)
    c.close()


def test_files_routes_on_cloud_storage(gcs_container: Container, gcs: GcsBlobStore) -> None:
    user, auth = user_factory(gcs_container)()
    client = mounted("files")

    uploaded = client.post("/api/files", data={"file": (io.BytesIO(b"cloud notes"), "c.txt")},
                           headers=auth, content_type="multipart/form-data")
    file_id = uploaded.json["file_id"]
    download = client.get(f"/api/files/download/{user.id}/{file_id}", headers=auth)
    signed = client.get(f"/api/files/download-url/{user.id}/{file_id}", headers=auth)
    fetched = httpx.get(signed.json["url"], timeout=5).content
    key = f"default/{user.id}/{file_id}"
    deleted = client.delete("/api/files", json={"files": [{"file_id": file_id}]}, headers=auth)

    assert uploaded.status_code == 200 and uploaded.json["source"] == "gcs"
    assert download.data == b"cloud notes"
    assert fetched == b"cloud notes"
    assert deleted.status_code == 200
    assert gcs.exists(key) is False
