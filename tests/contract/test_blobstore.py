"""The ``BlobStore`` port: one suite for the filesystem and the Cloud Storage adapters."""

from __future__ import annotations

from pathlib import Path

import pytest

from gorunchat.adapters.local.blobstore import FilesystemBlobStore
from gorunchat.contracts.errors import BadRequest, NotFound
from gorunchat.ports.blobstore import BlobStore
from tests.fixtures.gcs import emulator_fixture, gcs_fixture  # noqa: F401  (fixtures)


@pytest.fixture(params=["filesystem", "gcs"])
def blobs(request: pytest.FixtureRequest, tmp_path: Path) -> BlobStore:
    if request.param == "filesystem":
        return FilesystemBlobStore(tmp_path / "files")
    store: BlobStore = request.getfixturevalue("gcs")
    return store


def test_round_trip_replace_and_delete(blobs: BlobStore) -> None:
    key = f"t1/u1/{blobs.source}-file"
    blobs.put(key, b"first", "text/plain")
    blobs.put(key, "zweite Fassung ü".encode(), "text/plain")

    assert blobs.get(key) == "zweite Fassung ü".encode()
    assert blobs.exists(key) is True
    assert blobs.delete(key) is True
    assert blobs.delete(key) is False
    assert blobs.exists(key) is False
    with pytest.raises(NotFound):
        blobs.get(key)


def test_filesystem_keys_cannot_leave_the_root(tmp_path: Path) -> None:
    store = FilesystemBlobStore(tmp_path / "files")
    for key in ("../escape", "t1/../../escape", "/abs/path", "t1//x", ""):
        with pytest.raises(BadRequest):
            store.put(key, b"x", "text/plain")
    assert list(tmp_path.rglob("escape")) == []
    assert store.signed_url("t1/u1/f", filename="f", content_type="text/plain") is None
