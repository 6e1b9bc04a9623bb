"""Images attached to a chat reach models that accept vision, as the provider's image part."""

from __future__ import annotations

import base64
from pathlib import Path

from gorunchat.adapters.local.blobstore import FilesystemBlobStore
from gorunchat.contracts.library import StoredFile
from tests.providers.conftest import Stack
from tests.providers.test_routes import chat
from tests.streaming.support import TENANT, create_account, stored_message

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5E"
    "rkJggg==")


def _upload(stack: Stack, user_id: str, file_id: str, kind: str, data: bytes) -> None:
    root = Path(stack.store.path).parent
    FilesystemBlobStore(root / "files").put(file_id, data, kind)
    with stack.store.unit_of_work(TENANT) as uow:
        uow.repo(StoredFile).insert(StoredFile(
            file_id=file_id, user=user_id, bytes=len(data), filename=f"{file_id}.bin",
            filepath=f"/files/{file_id}", type=kind, storageKey=file_id))
        uow.commit()


def test_an_attached_image_is_sent_to_the_model_and_other_files_are_not(stack: Stack) -> None:
    who = create_account(stack.store)
    stranger = create_account(stack.store)
    _upload(stack, who.user_id, "img-1", "image/png", PNG)
    _upload(stack, who.user_id, "notes-1", "text/plain", b"plain text")
    _upload(stack, stranger.user_id, "img-foreign", "image/png", PNG)

    answer, _ = chat(stack, who, endpoint="anthropic", model="claude-sonnet-4-6",
                     text="What is in this picture?",
                     files=[{"file_id": "img-1"}, {"file_id": "notes-1"},
                            {"file_id": "img-foreign"}])

    sent = [r.body for r in stack.anthropic.to("/v1/messages")
            if r.body["messages"][-1]["content"][0].get("text") == "What is in this picture?"]
    assert len(sent) == 1
    blocks = sent[0]["messages"][-1]["content"]
    assert [b["type"] for b in blocks] == ["text", "image"]
    assert blocks[1]["source"] == {"type": "base64", "media_type": "image/png",
                                   "data": base64.b64encode(PNG).decode()}
    stored = stored_message(stack.store, answer["messageId"])
    assert stored is not None
    assert stored.files == [{"file_id": "img-1"}, {"file_id": "notes-1"},
                            {"file_id": "img-foreign"}]
