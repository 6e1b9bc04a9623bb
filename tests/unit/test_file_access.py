"""File access beyond the owner's routes: images for vision prompts, files behind a share link.

These service functions are what the chat flow and the share routes call; they run here on
the real SQLite store and filesystem blob store.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from gorunchat.adapters.local.blobstore import FilesystemBlobStore
from gorunchat.adapters.local.documents import LibraryDocumentReader
from gorunchat.adapters.sqlite.store import SqliteStore
from gorunchat.contracts.audit import Actor
from gorunchat.contracts.documents import utcnow
from gorunchat.contracts.files import FileConfig
from gorunchat.contracts.identity import Principal
from gorunchat.contracts.library import StoredFile
from gorunchat.services import file_access, files
from gorunchat.services.caller import Caller
from tests.fixtures import samples


def _caller(user: str) -> Caller:
    return Caller(principal=Principal(userId=user, tenantId="default", role="USER"),
                  actor=Actor(userId=user))


@pytest.fixture
def deps(tmp_path: Path) -> files.FileDeps:
    return files.FileDeps(store=SqliteStore(tmp_path / "db.sqlite3"),
                          blobs=FilesystemBlobStore(tmp_path / "files"),
                          reader=LibraryDocumentReader())


def _upload(deps: files.FileDeps, user: str, data: bytes, name: str) -> str:
    return files.upload(deps, _caller(user), FileConfig(),
                        files.Upload(filename=name, data=data)).file_id


def test_prompt_images_are_the_callers_images_only(deps: files.FileDeps) -> None:
    image = samples.png(20, 10)
    image_id = _upload(deps, "alice", image, "chart.png")
    text_id = _upload(deps, "alice", b"notes", "notes.txt")
    foreign_id = _upload(deps, "bob", samples.png(), "bob.png")

    found = file_access.prompt_images(deps.store, deps.blobs, _caller("alice"),
                                      [text_id, foreign_id, image_id])

    assert [(p.file_id, p.type, p.width, p.height) for p in found] == [
        (image_id, "image/png", 20, 10)]
    assert found[0].data_url == "data:image/png;base64," + base64.b64encode(image).decode()


def test_a_share_link_opens_only_its_owners_visible_files(deps: files.FileDeps) -> None:
    attached = _upload(deps, "alice", b"shared report", "report.txt")
    hidden = _upload(deps, "alice", b"deleted under a hold", "held.txt")
    foreign = _upload(deps, "bob", b"bob's notes", "bob.txt")
    with deps.store.unit_of_work("default") as uow:
        uow.repo(StoredFile).update(hidden, {"hiddenAt": utcnow()})
        uow.commit()

    with deps.store.unit_of_work("default", readonly=True) as uow:
        found = file_access.files_of(uow, "alice", [attached, hidden, foreign, "nope"])
    with deps.store.unit_of_work("acme", readonly=True) as uow:
        elsewhere = file_access.files_of(uow, "alice", [attached])

    assert list(found) == [attached] and elsewhere == {}
    assert file_access.content(deps.blobs, found[attached]) == b"shared report"
