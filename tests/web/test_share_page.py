"""The shared-conversation page renders a real link through the share API."""

from __future__ import annotations

from flask.testing import FlaskClient

from gorunchat.bootstrap import Container
from gorunchat.contracts.documents import Conversation, Message
from gorunchat.contracts.library import StoredFile
from gorunchat.domain.ids import new_uuid
from gorunchat.domain.message_tree import NO_PARENT
from tests.routes.conftest import mounted
from tests.web.conftest import Maker


def _shared_link(container: Container, make_user: Maker) -> tuple[str, str]:
    """A shared conversation with an attached image; the owner's id and the link's id."""
    owner, auth = make_user()
    conversation_id, file_id = new_uuid(), new_uuid()
    with container.store.unit_of_work("default") as uow:
        uow.conversations.insert(Conversation(conversationId=conversation_id, user=owner.id,
                                              title="Weekend plans"))
        uow.repo(StoredFile).insert(StoredFile(
            file_id=file_id, user=owner.id, bytes=4, filename="map.png", type="image/png",
            filepath=f"/api/files/download/{owner.id}/{file_id}"))
        uow.messages.insert(Message(messageId=new_uuid(), conversationId=conversation_id,
                                    user=owner.id, parentMessageId=NO_PARENT,
                                    text="Where should we hike?", isCreatedByUser=True,
                                    files=[{"file_id": file_id}]))
        uow.commit()
    answer = mounted("share").post(f"/api/share/{conversation_id}", json={},
                                   headers={"Authorization": auth})
    assert answer.status_code == 200, answer.json
    return owner.id, str(answer.json["shareId"])


def test_a_public_link_renders_its_messages_and_files(
        web: FlaskClient, container: Container, make_user: Maker) -> None:
    settings = container.settings
    container.settings = settings.model_copy(update={"library": settings.library.model_copy(
        update={"shared_links_public": True})})
    owner_id, share_id = _shared_link(container, make_user)

    response = web.get(f"/share/{share_id}")

    assert response.status_code == 200
    assert "<h1>Weekend plans</h1>" in response.text
    assert "Where should we hike?" in response.text
    assert f'src="/api/share/{share_id}/files/' in response.text
    assert owner_id not in response.text


def test_a_link_that_needs_sign_in_hands_over_to_the_island(
        web: FlaskClient, container: Container, make_user: Maker) -> None:
    _, share_id = _shared_link(container, make_user)

    response = web.get(f"/share/{share_id}")

    assert response.status_code == 401
    assert f'data-share-id="{share_id}"' in response.text
    assert f'href="/login?next=/share/{share_id}"' in response.text
    assert "Where should we hike?" not in response.text
    assert web.get("/share/no-such-link").status_code == 401  # the same for every id
