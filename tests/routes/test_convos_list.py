"""``GET /api/convos`` and ``GET /api/convos/:conversationId`` through the mounted function."""

from __future__ import annotations

from datetime import timedelta

import pytest

from gorunchat.bootstrap import Container
from tests.fixtures.library import BRANCHED, T0, seed
from tests.routes.conftest import UserFactory, mounted, user_factory


def _titles(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [c["title"] for c in response.json["conversations"]]


def test_pages_follow_the_cursor_newest_first(container: Container, make_user: UserFactory
                                              ) -> None:
    user, auth = make_user()
    for day in range(5):
        seed(container, user.id, title=f"Day {day}", at=T0 + timedelta(days=day))
    client = mounted("convos")

    first = client.get("/api/convos?limit=2", headers=auth)
    second = client.get(f"/api/convos?limit=2&cursor={first.json['nextCursor']}", headers=auth)
    third = client.get(f"/api/convos?limit=2&cursor={second.json['nextCursor']}", headers=auth)

    assert first.status_code == 200
    assert _titles(first) == ["Day 4", "Day 3"]
    assert _titles(second) == ["Day 2", "Day 1"]
    assert _titles(third) == ["Day 0"]
    assert third.json["nextCursor"] is None


def test_sorts_by_title_or_creation_in_either_direction(container: Container,
                                                        make_user: UserFactory) -> None:
    user, auth = make_user()
    for title, day in (("banana", 0), ("Äpfel", 2), ("cherry", 1)):
        seed(container, user.id, title=title, at=T0 + timedelta(days=day))
    client = mounted("convos")

    by_title = client.get("/api/convos?sortBy=title&sortDirection=asc", headers=auth)
    by_created = client.get("/api/convos?sortBy=createdAt&sortDirection=asc", headers=auth)

    assert _titles(by_title) == ["banana", "cherry", "Äpfel"]  # code-point order
    assert _titles(by_created) == ["banana", "cherry", "Äpfel"]
    assert client.get("/api/convos?sortBy=model", headers=auth).status_code == 422


def test_filters_archived_pinned_and_tags(container: Container, make_user: UserFactory
                                          ) -> None:
    user, auth = make_user()
    seed(container, user.id, title="plain")
    seed(container, user.id, title="archived", isArchived=True)
    seed(container, user.id, title="pinned", isPinned=True, tags=["work"])
    seed(container, user.id, title="tagged", tags=["work", "urgent"])
    client = mounted("convos")

    assert sorted(_titles(client.get("/api/convos", headers=auth))) == [
        "pinned", "plain", "tagged"]
    assert _titles(client.get("/api/convos?isArchived=true", headers=auth)) == ["archived"]
    assert _titles(client.get("/api/convos?pinned=true", headers=auth)) == ["pinned"]
    assert sorted(_titles(client.get("/api/convos?tags=work", headers=auth))) == [
        "pinned", "tagged"]
    assert _titles(client.get("/api/convos?tags=urgent&tags=none", headers=auth)) == [
        "tagged"]


def test_search_matches_titles_and_message_text_of_the_caller_only(
        container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    other, _ = make_user()
    seed(container, user.id, title="Trip", tree=BRANCHED)
    seed(container, user.id, title="Москва weekend")
    seed(container, user.id, title="Groceries")
    seed(container, other.id, title="Bamboo too", tree=BRANCHED)
    client = mounted("convos")

    by_message = client.get("/api/convos?search=bamboo", headers=auth)
    by_title = client.get("/api/convos?search=москва", headers=auth)
    nothing = client.get("/api/convos?search=zeppelin", headers=auth)

    assert _titles(by_message) == ["Trip"]
    assert _titles(by_title) == ["Москва weekend"]
    assert nothing.json == {"conversations": [], "nextCursor": None}


def test_lists_only_the_callers_conversations(container: Container, make_user: UserFactory
                                              ) -> None:
    user, auth = make_user()
    other, _ = make_user()
    seed(container, user.id, title="mine")
    seed(container, other.id, title="theirs")
    foreign_user, foreign_auth = user_factory(container)(tenant="acme")
    seed(container, foreign_user.id, tenant="acme", title="acme's")

    assert _titles(mounted("convos").get("/api/convos", headers=auth)) == ["mine"]
    assert _titles(mounted("convos").get("/api/convos", headers=foreign_auth)) == ["acme's"]


def test_get_one_conversation(container: Container, make_user: UserFactory) -> None:
    user, auth = make_user()
    seeded = seed(container, user.id, title="Kyōto notes")

    response = mounted("convos").get(f"/api/convos/{seeded.conversation_id}", headers=auth)

    assert response.status_code == 200
    assert response.json["title"] == "Kyōto notes"
    assert response.json["conversationId"] == seeded.conversation_id


@pytest.mark.parametrize("who", ["other user", "other tenant", "unknown id"])
def test_get_is_not_found_for_anyone_but_the_owner(container: Container,
                                                   make_user: UserFactory, who: str) -> None:
    owner, _ = make_user()
    seeded = seed(container, owner.id)
    _, auth = make_user() if who != "other tenant" else user_factory(container)(tenant="acme")
    target = seeded.conversation_id if who != "unknown id" else "no-such-conversation"

    response = mounted("convos").get(f"/api/convos/{target}", headers=auth)

    assert response.status_code == 404
    assert response.json["error"]["code"] == "CONVERSATION_NOT_FOUND"


def test_listing_needs_a_signed_in_user(container: Container) -> None:
    response = mounted("convos").get("/api/convos")
    assert response.status_code == 401


@pytest.mark.parametrize("query", ["limit=0", "limit=101", "cursor=%%%", "sortDirection=up"])
def test_bad_list_queries_are_client_errors(container: Container, make_user: UserFactory,
                                            query: str) -> None:
    _, auth = make_user()
    response = mounted("convos").get(f"/api/convos?{query}", headers=auth)
    assert response.status_code in (400, 422)
