"""Search: ``GET /api/search/enable`` and how text search is scoped, through the functions."""

from __future__ import annotations

from gorunchat.bootstrap import Container
from tests.fixtures.library import seed
from tests.routes.conftest import UserFactory, mounted, user_factory


def test_search_is_enabled_for_signed_in_users(container: Container, make_user: UserFactory
                                               ) -> None:
    _, auth = make_user()
    client = mounted("config")
    enabled = client.get("/api/search/enable", headers=auth)
    anonymous = client.get("/api/search/enable")
    assert (enabled.status_code, enabled.get_data(as_text=True)) == (200, "true")
    assert anonymous.status_code == 401


def test_results_stay_within_the_user_and_the_tenant(container: Container,
                                                     make_user: UserFactory) -> None:
    user, auth = make_user()
    neighbour, neighbour_auth = make_user()
    foreign, foreign_auth = user_factory(container)(tenant="acme")
    tree = [("u1", None, "Rezept für Käsespätzle"), ("a1", "u1", "Spätzle, Bergkäse, Zwiebeln")]
    seed(container, user.id, title="Abendessen", tree=tree)
    seed(container, neighbour.id, title="Nachbars Abendessen", tree=tree)
    seed(container, foreign.id, tenant="acme", title="Acme Abendessen", tree=tree)

    results = {}
    for name, headers in (("user", auth), ("neighbour", neighbour_auth),
                          ("foreign", foreign_auth)):
        convos = mounted("convos").get("/api/convos?search=Bergkäse", headers=headers)
        messages = mounted("messages").get("/api/messages?search=Bergkäse", headers=headers)
        results[name] = ([c["title"] for c in convos.json["conversations"]],
                         [m["title"] for m in messages.json["messages"]])

    assert results == {"user": (["Abendessen"], ["Abendessen"]),
                       "neighbour": (["Nachbars Abendessen"], ["Nachbars Abendessen"]),
                       "foreign": (["Acme Abendessen"], ["Acme Abendessen"])}


def test_new_and_edited_messages_are_searchable_at_once(container: Container,
                                                        make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id)
    client = mounted("messages")

    client.post(f"/api/messages/{seeded.conversation_id}", json={
        "text": "Notiz: Fahrrad reparieren", "parentMessageId": seeded.ids["a1"]},
        headers=auth)
    client.put(f"/api/messages/{seeded.conversation_id}/{seeded.ids['u1']}",
               json={"text": "Termin beim Zahnarzt"}, headers=auth)

    bike = client.get("/api/messages?search=fahrrad", headers=auth).json["messages"]
    dentist = client.get("/api/messages?search=zahnarzt", headers=auth).json["messages"]
    old = client.get("/api/messages?search=hello", headers=auth).json["messages"]
    assert [m["text"] for m in bike] == ["Notiz: Fahrrad reparieren"]
    assert [m["messageId"] for m in dentist] == [seeded.ids["u1"]]
    assert old == []
