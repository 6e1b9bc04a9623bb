"""``/api/share``: shared links, driven through the mounted ``share`` function on both stores.

The owner creates, lists, refreshes and deletes links to their conversations; a viewer opens
a link (signed in, or anonymously when ``ALLOW_SHARED_LINKS_PUBLIC`` is on), reads its files
and forks it. A viewer never learns the owner's ids, email or storage paths.
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from gorunchat.bootstrap import Container
from gorunchat.contracts.appconfig import AppConfig
from gorunchat.contracts.documents import Message, User, utcnow
from gorunchat.contracts.library import SharedLink, StoredFile
from gorunchat.contracts.roles import RoleDoc, default_permissions
from gorunchat.contracts.settings import Settings
from gorunchat.domain.ids import new_uuid
from gorunchat.domain.message_tree import NO_PARENT
from gorunchat.services import holds
from gorunchat.services.share import SharePolicy
from tests.fixtures.holds import place_hold
from tests.fixtures.library import BRANCHED, Seeded, seed
from tests.fixtures.spine import fail_audit_writes
from tests.routes.conftest import UserFactory, mounted, user_factory

ANON: dict[str, str] = {}


def allow(container: Container, **flags: bool) -> None:
    """Change what the deployment allows (``shared_links``, ``shared_links_public``)."""
    settings = container.settings
    container.settings = settings.model_copy(update={
        "library": settings.library.model_copy(update=flags)})


def share(auth: dict[str, str], conversation_id: str, **body: Any) -> Any:
    return mounted("share").post(f"/api/share/{conversation_id}", json=body, headers=auth)


def open_link(share_id: str, auth: dict[str, str] = ANON) -> Any:
    return mounted("share").get(f"/api/share/{share_id}", headers=auth)


def created(auth: dict[str, str], conversation_id: str, **body: Any) -> str:
    response = share(auth, conversation_id, **body)
    assert response.status_code == 200, response.json
    return str(response.json["shareId"])


def attach_file(container: Container, owner: User, seeded: Seeded, label: str, *,
                name: str = "chart.png", kind: str = "image/png", data: bytes = b"\x89PNG..",
                user: User | None = None) -> str:
    """A stored file (``user``'s, by default the owner's) attached to message ``label``."""
    file_id = new_uuid()
    holder = user or owner
    with container.store.unit_of_work("default") as uow:
        uow.repo(StoredFile).insert(StoredFile(
            file_id=file_id, user=holder.id, bytes=len(data), filename=name, type=kind,
            filepath=f"/api/files/download/{holder.id}/{file_id}",
            storageKey=f"uploads/{holder.id}/{file_id}", text="extracted words"))
        message = uow.messages.get(seeded.ids[label])
        assert message is not None
        uow.messages.update(message.messageId, {"files": [*(message.files or []), {
            "file_id": file_id, "filepath": f"/api/files/download/{holder.id}/{file_id}"}]})
        uow.commit()
    container.blobs.put(f"uploads/{holder.id}/{file_id}", data, kind)
    return file_id


def audit_records(container: Container, action: str) -> list[Any]:
    return container.store.audit_log("default").records(where={"action": action})


def links_of(container: Container, user: User) -> list[SharedLink]:
    with container.store.unit_of_work("default", readonly=True) as uow:
        return uow.repo(SharedLink).find({"user": user.id})


# creating ---------------------------------------------------------------------------------

def test_create_snapshots_the_conversation_and_audits_without_the_link_id(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    seeded = seed(container, owner.id, title="Trip")

    response = share(auth, seeded.conversation_id)

    assert response.status_code == 200
    share_id = response.json["shareId"]
    assert response.json["conversationId"] == seeded.conversation_id
    assert len(share_id) >= 22 and share_id != created(auth, seed(container, owner.id)
                                                       .conversation_id)
    [link, _] = sorted(links_of(container, owner), key=lambda s: s.shareId != share_id)
    assert (link.title, sorted(link.messages)) == ("Trip", sorted(seeded.ids.values()))
    record = audit_records(container, "share.create")[0]
    assert (record.targetType, record.targetId) == ("conversation", seeded.conversation_id)
    assert record.metadata["messages"] == 2 and len(record.metadata["shareRef"]) == 16
    assert share_id not in json.dumps(record.model_dump(mode="json"))


def test_a_second_link_to_the_same_conversation_conflicts(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    seeded = seed(container, owner.id, tree=BRANCHED)
    created(auth, seeded.conversation_id)

    again = share(auth, seeded.conversation_id)
    branch = share(auth, seeded.conversation_id, targetMessageId=seeded.ids["a1"])
    branch_again = share(auth, seeded.conversation_id, targetMessageId=seeded.ids["a1"])

    assert (again.status_code, again.json["error"]["code"]) == (409, "SHARE_EXISTS")
    assert branch.status_code == 200  # a link to one branch is another link, as LibreChat
    assert branch_again.status_code == 409
    assert len(links_of(container, owner)) == 2


def test_create_refuses_what_cannot_be_shared(container: Container,
                                              make_user: UserFactory) -> None:
    owner, auth = make_user()
    stranger, stranger_auth = make_user()
    seeded = seed(container, owner.id)
    empty = seed(container, owner.id, tree=[])
    expired = seed(container, owner.id, expiredAt=utcnow() - timedelta(minutes=1))

    assert share(stranger_auth, seeded.conversation_id).status_code == 404
    assert share(auth, "no-such-conversation").status_code == 404
    assert share(auth, expired.conversation_id).status_code == 404
    unknown = share(auth, seeded.conversation_id, targetMessageId=new_uuid())
    nothing = share(auth, empty.conversation_id)
    assert (unknown.status_code, unknown.json["error"]["code"]) == (
        400, "TARGET_MESSAGE_NOT_FOUND")
    assert (nothing.status_code, nothing.json["error"]["code"]) == (400, "NO_MESSAGES")
    assert links_of(container, owner) == [] and links_of(container, stranger) == []


def test_a_role_without_shared_links_create_cannot_share(
        container: Container, make_user: UserFactory) -> None:
    permissions = default_permissions("USER")
    permissions["SHARED_LINKS"]["CREATE"] = False
    with container.store.unit_of_work("default") as uow:
        uow.repo(RoleDoc).insert(RoleDoc(name="USER", permissions=permissions))
        uow.commit()
    owner, auth = make_user()

    response = share(auth, seed(container, owner.id).conversation_id)

    assert (response.status_code, response.json["error"]["code"]) == (
        403, "SHARED_LINKS_FORBIDDEN")


# viewing ----------------------------------------------------------------------------------

def test_the_public_view_is_anonymized(container: Container, make_user: UserFactory) -> None:
    allow(container, shared_links_public=True)
    owner, auth = make_user(email="owner.secret@example.com")
    seeded = seed(container, owner.id, tree=BRANCHED, title="Kyōto")
    image = attach_file(container, owner, seeded, "u1")
    with container.store.unit_of_work("default") as uow:
        uow.messages.update(seeded.ids["a1"], {"feedback": {"rating": "thumbsDown"},
                                               "model": "asst_abc123"})
        uow.commit()
    share_id = created(auth, seeded.conversation_id)

    response = open_link(share_id)

    assert response.status_code == 200
    body = response.json
    raw = response.get_data(as_text=True)
    for secret in (owner.id, owner.email, seeded.conversation_id, *seeded.ids.values(),
                   "/api/files/download", "uploads/", "asst_abc123", "thumbsDown"):
        assert secret not in raw
    assert (body["shareId"], body["title"]) == (share_id, "Kyōto")
    assert body["conversationId"].startswith("convo_")
    messages = body["messages"]
    assert sorted(m["text"] for m in messages) == sorted(t for _, _, t in BRANCHED)
    ids = {m["messageId"] for m in messages}
    by_text = {m["text"]: m for m in messages}
    assert by_text["Day one: Fushimi Inari"]["parentMessageId"] == \
        by_text["Plan a trip to Kyōto"]["messageId"]
    assert by_text["Plan a trip to Kyōto"]["parentMessageId"] == NO_PARENT
    assert {m["parentMessageId"] for m in messages} <= ids | {NO_PARENT}
    assert all("user" not in m for m in messages)
    [shown] = by_text["Plan a trip to Kyōto"]["files"]
    assert shown["filepath"] == f"/api/share/{share_id}/files/{image}"
    assert set(shown) == {"file_id", "filename", "type", "bytes", "filepath", "width",
                          "height"}
    again = open_link(share_id).json
    assert {m["messageId"] for m in again["messages"]}.isdisjoint(ids)  # fresh per read


def test_a_target_message_limits_the_link_to_its_level(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    viewer, viewer_auth = make_user()
    seeded = seed(container, owner.id, tree=BRANCHED)

    share_id = created(auth, seeded.conversation_id, targetMessageId=seeded.ids["a1"])
    status = mounted("share").get(f"/api/share/link/{seeded.conversation_id}", headers=auth)

    assert {m["text"] for m in open_link(share_id, viewer_auth).json["messages"]} == {
        "Plan a trip to Kyōto", "Day one: Fushimi Inari", "Day one: Kiyomizu-dera"}
    assert status.json == {"success": True, "shareId": share_id,
                           "conversationId": seeded.conversation_id,
                           "targetMessageId": seeded.ids["a1"]}


def test_viewing_needs_sign_in_unless_public_links_are_allowed(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    _, stranger_auth = make_user()
    _, outsider_auth = make_user(tenant="acme")
    share_id = created(auth, seed(container, owner.id).conversation_id)

    anonymous = open_link(share_id)
    anonymous_unknown = open_link("no-such-link")

    assert (anonymous.status_code, anonymous.json["error"]["code"]) == (
        401, "SHARE_SIGN_IN_REQUIRED")
    assert anonymous_unknown.status_code == 401  # says nothing about which links exist
    assert open_link(share_id, stranger_auth).status_code == 200
    assert open_link(share_id, outsider_auth).status_code == 404
    allow(container, shared_links_public=True)
    assert open_link(share_id).status_code == 200
    assert open_link("no-such-link").json["error"]["code"] == "SHARE_NOT_FOUND"


def test_disabled_shared_links_cannot_be_created_or_opened(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    seeded = seed(container, owner.id)
    share_id = created(auth, seeded.conversation_id)
    allow(container, shared_links=False, shared_links_public=True)
    client = mounted("share")

    refused = share(auth, seed(container, owner.id).conversation_id)
    refresh = client.patch(f"/api/share/{share_id}", json={}, headers=auth)
    opened = open_link(share_id, auth)
    config = mounted("config").get("/api/config").json

    assert (refused.status_code, refused.json["error"]["code"]) == (
        403, "SHARED_LINKS_DISABLED")
    assert refresh.status_code == 403
    assert (opened.status_code, opened.json["error"]["code"]) == (404, "SHARED_LINKS_DISABLED")
    assert client.get(f"/api/share/{share_id}/config", headers=auth).status_code == 404
    assert (config["sharedLinksEnabled"], config["publicSharedLinksEnabled"]) == (False, False)
    assert [link["shareId"] for link in client.get("/api/share", headers=auth).json["links"]] \
        == [share_id]  # the owner still sees and can remove their links
    assert client.delete(f"/api/share/{share_id}", headers=auth).status_code == 200


def test_the_shared_view_config_is_public_startup_config(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    share_id = created(auth, seed(container, owner.id).conversation_id)
    client = mounted("share")

    anonymous = client.get(f"/api/share/{share_id}/config")
    allow(container, shared_links_public=True)
    config = client.get(f"/api/share/{share_id}/config")

    assert anonymous.status_code == 401
    assert config.json == {"appTitle": container.settings.app_title, "interface": None}
    assert client.get("/api/share/nope/config").status_code == 404
    assert mounted("config").get("/api/config").json["publicSharedLinksEnabled"] is True


# owner's links: list, look up, refresh, delete ---------------------------------------------

def test_list_pages_sorts_and_searches_the_callers_links(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    other, other_auth = make_user()
    titles = ["Apples", "Bananas", "Cherries", "Dates", "Elderberries"]
    for title in titles:
        created(auth, seed(container, owner.id, title=title).conversation_id)
    created(other_auth, seed(container, other.id, title="Figs").conversation_id)
    client = mounted("share")

    first = client.get("/api/share?pageSize=2&sortBy=title&sortDirection=asc", headers=auth)
    second = client.get(f"/api/share?pageSize=2&sortBy=title&sortDirection=asc"
                        f"&cursor={first.json['nextCursor']}", headers=auth)
    newest = client.get("/api/share?pageSize=10", headers=auth).json
    found = client.get("/api/share?search=cherries", headers=auth).json
    private = client.get("/api/share?isPublic=false", headers=auth).json
    bad = client.get("/api/share?cursor=%%%", headers=auth)

    assert [link["title"] for link in first.json["links"]] == ["Apples", "Bananas"]
    assert first.json["hasNextPage"] is True
    assert [link["title"] for link in second.json["links"]] == ["Cherries", "Dates"]
    assert [link["title"] for link in newest["links"]] == list(reversed(titles))
    assert (newest["hasNextPage"], newest["nextCursor"]) == (False, None)
    assert set(newest["links"][0]) == {"shareId", "title", "isPublic", "createdAt",
                                       "conversationId"}
    assert [link["title"] for link in found["links"]] == ["Cherries"]
    assert private["links"] == []
    assert bad.status_code == 400


def test_link_lookup_is_the_owners_only(container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    _, stranger_auth = make_user()
    shared, unshared = seed(container, owner.id), seed(container, owner.id)
    share_id = created(auth, shared.conversation_id)
    client = mounted("share")

    found = client.get(f"/api/share/link/{shared.conversation_id}", headers=auth)
    none = client.get(f"/api/share/link/{unshared.conversation_id}", headers=auth)
    stranger = client.get(f"/api/share/link/{shared.conversation_id}", headers=stranger_auth)

    assert (found.json["success"], found.json["shareId"]) == (True, share_id)
    assert none.json == {"success": False, "shareId": None,
                         "conversationId": unshared.conversation_id, "targetMessageId": None}
    assert stranger.status_code == 404


def test_refresh_retakes_the_snapshot_under_a_new_id(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    _, stranger_auth = make_user()
    seeded = seed(container, owner.id)
    share_id = created(auth, seeded.conversation_id)
    with container.store.unit_of_work("default") as uow:
        uow.messages.insert(Message(messageId=new_uuid(), conversationId=seeded.conversation_id,
                                    user=owner.id, parentMessageId=seeded.ids["a1"],
                                    text="Added later", isCreatedByUser=True))
        uow.commit()
    client = mounted("share")
    before = [m["text"] for m in open_link(share_id, auth).json["messages"]]

    stranger = client.patch(f"/api/share/{share_id}", json={}, headers=stranger_auth)
    response = client.patch(f"/api/share/{share_id}", headers=auth)

    assert before == ["Hello", "Hi there"]
    assert stranger.status_code == 404
    assert response.status_code == 200
    fresh = response.json["shareId"]
    assert fresh != share_id and response.json["conversationId"] == seeded.conversation_id
    assert open_link(share_id, auth).status_code == 404
    assert [m["text"] for m in open_link(fresh, auth).json["messages"]] == [
        "Hello", "Hi there", "Added later"]
    record = audit_records(container, "share.update")[0]
    assert record.metadata["previousShareRef"] != record.metadata["shareRef"]


def test_only_the_owner_deletes_a_link(container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    _, stranger_auth = make_user()
    share_id = created(auth, seed(container, owner.id).conversation_id)
    client = mounted("share")

    stranger = client.delete(f"/api/share/{share_id}", headers=stranger_auth)
    still_open = open_link(share_id, auth).status_code
    response = client.delete(f"/api/share/{share_id}", headers=auth)

    assert (stranger.status_code, still_open) == (404, 200)
    assert response.json == {"success": True, "shareId": share_id,
                             "message": "Share deleted successfully"}
    assert open_link(share_id, auth).status_code == 404
    assert client.delete(f"/api/share/{share_id}", headers=auth).status_code == 404
    assert len(audit_records(container, "share.delete")) == 1


# the conversation's fate -------------------------------------------------------------------

def test_a_deleted_conversations_link_stops_working(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    seeded = seed(container, owner.id)
    share_id = created(auth, seeded.conversation_id)

    deleted = mounted("convos").delete("/api/convos", json={"arg": {
        "conversationId": seeded.conversation_id}}, headers=auth)

    assert deleted.status_code == 201
    assert open_link(share_id, auth).status_code == 404


def test_hidden_conversations_and_messages_are_not_shared(
        container: Container, make_user: UserFactory) -> None:
    _, admin_auth = make_user(role="ADMIN")
    owner, auth = make_user()
    _, viewer_auth = make_user()
    seeded = seed(container, owner.id, tree=BRANCHED)
    share_id = created(auth, seeded.conversation_id)
    place_hold(admin_auth, scope="users", custodians=[owner.id])
    assert mounted("messages").delete(
        f"/api/messages/{seeded.conversation_id}/{seeded.ids['a4']}",
        headers=auth).status_code in (200, 204)

    shown = {m["text"] for m in open_link(share_id, viewer_auth).json["messages"]}
    assert "Nishiki market" not in shown and "What about food?" in shown
    with container.store.unit_of_work("default") as uow:
        holds.hide_conversation(uow, seeded.conversation_id, by=owner.id)
        uow.commit()  # hidden, with its link left behind: the link still must not open

    assert open_link(share_id, viewer_auth).status_code == 404
    assert share(auth, seeded.conversation_id).status_code == 404
    assert mounted("share").patch(f"/api/share/{share_id}", headers=auth).status_code == 404


def test_an_expired_link_is_gone(container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    share_id = created(auth, seed(container, owner.id).conversation_id)
    with container.store.unit_of_work("default") as uow:
        uow.repo(SharedLink).update(share_id, {"expiresAt": utcnow() - timedelta(seconds=1)})
        uow.commit()

    assert open_link(share_id, auth).status_code == 404


# files ------------------------------------------------------------------------------------

def test_only_the_shared_messages_files_are_served(
        container: Container, make_user: UserFactory) -> None:
    allow(container, shared_links_public=True)
    owner, auth = make_user()
    other, _ = make_user()
    seeded = seed(container, owner.id, tree=BRANCHED)
    image = attach_file(container, owner, seeded, "u1", data=b"\x89PNG-image")
    report = attach_file(container, owner, seeded, "a1", name="r.txt", kind="text/plain",
                         data=b"report")
    beyond = attach_file(container, owner, seeded, "a4", name="later.png")
    foreign = attach_file(container, owner, seeded, "a1", name="theirs.png", user=other)
    unattached = new_uuid()
    with container.store.unit_of_work("default") as uow:
        uow.repo(StoredFile).insert(StoredFile(file_id=unattached, user=owner.id, bytes=1,
                                               filename="diary.txt", filepath="/x",
                                               type="text/plain"))
        uow.commit()
    share_id = created(auth, seeded.conversation_id, targetMessageId=seeded.ids["a1"])
    client = mounted("share")
    base = f"/api/share/{share_id}/files"

    inline = client.get(f"{base}/{image}")
    text = client.get(f"{base}/{report}")
    download = client.get(f"{base}/{image}/download")
    preview = client.get(f"{base}/{report}/preview")

    assert (inline.status_code, inline.mimetype, inline.data) == (200, "image/png",
                                                                  b"\x89PNG-image")
    assert inline.headers["Content-Disposition"].startswith("inline;")
    assert (text.mimetype, text.data) == ("application/octet-stream", b"report")
    assert text.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert preview.json == {"file_id": report, "status": "ready", "text": "extracted words",
                            "textFormat": None, "previewError": None}
    for closed in (beyond, foreign, unattached):
        for suffix in ("", "/download", "/preview"):
            response = client.get(f"{base}/{closed}{suffix}")
            assert (response.status_code, response.json["error"]["code"]) == (
                404, "FILE_NOT_FOUND")
    assert client.get(f"/api/share/nope/files/{image}").status_code == 404


def test_a_link_without_files_shows_and_serves_none(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    seeded = seed(container, owner.id)
    image = attach_file(container, owner, seeded, "u1")
    share_id = created(auth, seeded.conversation_id, snapshotFiles=False)

    messages = open_link(share_id, auth).json["messages"]

    assert [m["files"] for m in messages] == [None, None]
    assert mounted("share").get(f"/api/share/{share_id}/files/{image}",
                                headers=auth).status_code == 404


def test_the_deployment_can_keep_every_links_files_private(
        container: Container, make_user: UserFactory) -> None:
    settings = container.settings
    container.settings = settings.model_copy(update={"app": AppConfig.model_validate(
        {"interface": {"sharedLinks": {"snapshotFiles": False}}})})
    owner, auth = make_user()
    seeded = seed(container, owner.id)
    image = attach_file(container, owner, seeded, "u1")
    share_id = created(auth, seeded.conversation_id)

    assert [m["files"] for m in open_link(share_id, auth).json["messages"]] == [None, None]
    assert mounted("share").get(f"/api/share/{share_id}/files/{image}",
                                headers=auth).status_code == 404


def test_the_environment_names_are_librechats(tmp_path: Path) -> None:
    def policy(**env: str) -> SharePolicy:
        return SharePolicy.of(Settings.load(env={"GORUNCHAT_DATA_DIR": str(tmp_path), **env},
                                            cwd=tmp_path))

    assert policy() == SharePolicy(enabled=True, public=False, files=True)
    assert policy(ALLOW_SHARED_LINKS_PUBLIC="true").public is True
    assert policy(ALLOW_SHARED_LINKS="false", ALLOW_SHARED_LINKS_PUBLIC="true") == \
        SharePolicy(enabled=False, public=False, files=True)


# forking ----------------------------------------------------------------------------------

def test_a_signed_in_viewer_forks_the_shared_conversation(
        container: Container, make_user: UserFactory) -> None:
    owner, auth = make_user()
    viewer, viewer_auth = make_user()
    seeded = seed(container, owner.id, tree=BRANCHED, title="Kyōto")
    attach_file(container, owner, seeded, "u1")
    share_id = created(auth, seeded.conversation_id)
    shared = open_link(share_id, viewer_auth).json["messages"]
    tip = next(i for i, m in enumerate(shared) if m["text"] == "Arashiyama bamboo grove")
    client = mounted("share")

    anonymous = client.post(f"/api/share/{share_id}/fork", json={})
    everything = client.post(f"/api/share/{share_id}/fork", json={}, headers=viewer_auth)
    branch = client.post(f"/api/share/{share_id}/fork", json={"targetMessageIndex": tip},
                         headers=viewer_auth)

    assert anonymous.status_code == 401
    assert everything.status_code == 201
    conversation = everything.json["conversation"]
    assert (conversation["user"], conversation["title"]) == (viewer.id, "Kyōto")
    assert len(everything.json["messages"]) == len(BRANCHED)
    assert all(m["user"] == viewer.id and not m.get("files")
               for m in everything.json["messages"])
    assert [m["text"] for m in branch.json["messages"]] == [
        "Plan a trip to Kyōto", "Day one: Fushimi Inari", "And day two?",
        "Arashiyama bamboo grove"]
    mine = mounted("convos").get(f"/api/convos/{conversation['conversationId']}",
                                 headers=viewer_auth)
    assert mine.status_code == 200
    records = audit_records(container, "share.fork")
    assert [r.targetId for r in records] == [conversation["conversationId"],
                                             branch.json["conversation"]["conversationId"]]


# failing closed ---------------------------------------------------------------------------

@pytest.fixture
def audit_down(sqlite_container: Container) -> tuple[Container, UserFactory]:
    return sqlite_container, user_factory(sqlite_container)


def test_every_share_mutation_fails_closed(audit_down: tuple[Container, UserFactory]) -> None:
    container, make = audit_down
    owner, auth = make()
    _, viewer_auth = make()
    seeded = seed(container, owner.id)
    share_id = created(auth, seeded.conversation_id)
    fresh = seed(container, owner.id)
    fail_audit_writes(container)
    client = mounted("share")

    answers = [
        share(auth, fresh.conversation_id),
        client.patch(f"/api/share/{share_id}", headers=auth),
        client.delete(f"/api/share/{share_id}", headers=auth),
        client.post(f"/api/share/{share_id}/fork", json={}, headers=viewer_auth),
    ]

    assert [(a.status_code, a.json["error"]["code"]) for a in answers] == [
        (503, "AUDIT_UNAVAILABLE")] * 4
    assert [link.shareId for link in links_of(container, owner)] == [share_id]
    assert open_link(share_id, auth).status_code == 200
    with container.store.unit_of_work("default", readonly=True) as uow:
        assert uow.conversations.count({}) == 2
