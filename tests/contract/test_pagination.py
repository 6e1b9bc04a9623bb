"""Cursor pages: ordered by the sort field then the key, with no duplicates and no gaps."""

from __future__ import annotations

from typing import Any

import pytest

from gorunchat.contracts.errors import BadRequest
from gorunchat.contracts.pagination import encode_cursor
from gorunchat.ports.store import Repository
from tests.contract.backends import Backend
from tests.contract.helpers import TENANT, at, conversation, message, seed, user


def _walk(repo: Repository[Any], where: dict[str, Any], field: str, *, descending: bool,
          limit: int) -> tuple[list[str], int]:
    """Every key, page by page; and how many pages it took."""
    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = repo.page(where, sort_field=field, descending=descending, limit=limit,
                         cursor=cursor)
        pages += 1
        seen += [doc.key_value for doc in page.items]
        assert len(page.items) <= limit
        if page.nextCursor is None:
            return seen, pages
        assert len(page.items) == limit
        cursor = page.nextCursor
        assert pages < 100


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("limit", [1, 4, 7, 25, 26])
def test_pages_by_time_with_ties(backend: Backend, descending: bool, limit: int) -> None:
    # 25 messages, four to a timestamp, keys deliberately not in time order.
    docs = [message(f"m{(i * 7) % 25:02d}", seconds=i // 4) for i in range(25)]
    docs.append(message("other", convo="c2", seconds=1))
    seed(backend.store, TENANT, docs)
    expected = [d.messageId for d in sorted((d for d in docs if d.conversationId == "c1"),
                                            key=lambda d: (d.createdAt, d.messageId),
                                            reverse=descending)]

    with backend.store.unit_of_work(TENANT) as uow:
        seen, pages = _walk(uow.messages, {"conversationId": "c1"}, "createdAt",
                            descending=descending, limit=limit)

    assert seen == expected
    assert len(set(seen)) == 25
    assert pages == -(-25 // limit)  # a full last page already knows it is the last


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_pages_by_a_field_with_nulls_and_ties(backend: Backend, descending: bool) -> None:
    titles = [None, "b", "a", None, "b", "c", None, "a", "b", "c", None]
    docs = [conversation(f"c{i:02d}", seconds=i, title=t) for i, t in enumerate(titles)]
    seed(backend.store, TENANT, docs)
    # Nulls sort before every value (SQLite and MongoDB agree).
    order = sorted(docs, key=lambda d: (d.title is not None, d.title or "", d.conversationId),
                   reverse=descending)

    with backend.store.unit_of_work(TENANT) as uow:
        seen, _ = _walk(uow.conversations, {}, "title", descending=descending, limit=2)

    assert seen == [d.conversationId for d in order]


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_pages_users_by_creation(backend: Backend, descending: bool) -> None:
    docs = [user(f"{i:024x}", seconds=i % 3) for i in range(9)]
    seed(backend.store, TENANT, docs)
    order = sorted(docs, key=lambda d: (d.createdAt, d.id), reverse=descending)

    with backend.store.unit_of_work(TENANT) as uow:
        seen, pages = _walk(uow.users, {}, "createdAt", descending=descending, limit=4)

    assert seen == [d.id for d in order]
    assert pages == 3


def test_page_items_follow_the_filter_and_a_last_page_has_no_cursor(backend: Backend) -> None:
    seed(backend.store, TENANT, [conversation("c1", seconds=1, user="u1"),
                                 conversation("c2", seconds=2, user="u2"),
                                 conversation("c3", seconds=3, user="u1")])
    with backend.store.unit_of_work(TENANT) as uow:
        page = uow.conversations.page({"user": "u1"}, sort_field="updatedAt", descending=True,
                                      limit=5, cursor=None)
    assert [c.conversationId for c in page.items] == ["c3", "c1"]
    assert page.nextCursor is None
    assert page.items[0].updatedAt == at(3)


@pytest.mark.parametrize("cursor", ["!!!not-base64", encode_cursor({"$where": "1"}, "c1"),
                                    encode_cursor(["a"], "c1")])
def test_a_malformed_cursor_is_a_bad_request(backend: Backend, cursor: str) -> None:
    seed(backend.store, TENANT, [conversation("c1")])
    with backend.store.unit_of_work(TENANT) as uow, pytest.raises(BadRequest) as raised:
        uow.conversations.page({}, sort_field="updatedAt", descending=True, limit=5,
                               cursor=cursor)
    assert raised.value.code == "INVALID_CURSOR"
