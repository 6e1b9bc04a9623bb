"""The port's filter subset, sort, limit, skip and count mean the same on every store."""

from __future__ import annotations

from typing import Any

import pytest

from gorunchat.contracts.errors import BadRequest
from gorunchat.ports.store import Store
from tests.contract.backends import Backend
from tests.contract.helpers import TENANT, at, conversation, message, seed


def _seed_conversations(store: Store) -> None:
    seed(store, TENANT, [
        conversation("c1", user="u1", seconds=1, title="alpha", tags=["red", "blue"],
                     endpoint="openAI"),
        conversation("c2", user="u1", seconds=2, title="beta", tags=["blue"], isArchived=True,
                     endpoint=None),
        conversation("c3", user="u2", seconds=3, title=None, tags=[], endpoint="google"),
        conversation("c4", user="u2", seconds=4, title="delta", tags=["green"],
                     endpoint="openAI", folder="work"),
    ])


CONVERSATION_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({}, ["c1", "c2", "c3", "c4"]),
    ({"user": "u1"}, ["c1", "c2"]),
    ({"user": "u1", "isArchived": False}, ["c1"]),
    ({"conversationId": "c3"}, ["c3"]),
    ({"conversationId": {"$in": ["c1", "c3", "zz"]}}, ["c1", "c3"]),
    ({"tags": "blue"}, ["c1", "c2"]),
    ({"tags": {"$in": ["red", "green"]}}, ["c1", "c4"]),
    ({"tags": {"$nin": ["blue"]}}, ["c3", "c4"]),
    ({"tags": {"$ne": "blue"}}, ["c3", "c4"]),
    ({"tags": {"$in": []}}, []),
    ({"tags": {"$nin": []}}, ["c1", "c2", "c3", "c4"]),
    ({"isArchived": True}, ["c2"]),
    ({"isArchived": {"$ne": True}}, ["c1", "c3", "c4"]),
    ({"endpoint": None}, ["c2"]),
    ({"endpoint": {"$ne": None}}, ["c1", "c3", "c4"]),
    ({"endpoint": {"$in": [None, "google"]}}, ["c2", "c3"]),
    ({"endpoint": {"$nin": ["openAI"]}}, ["c2", "c3"]),
    ({"endpoint": {"$ne": "openAI"}}, ["c2", "c3"]),
    ({"title": {"$gt": "alpha"}}, ["c2", "c4"]),
    ({"title": {"$gte": "beta", "$lt": "delta"}}, ["c2"]),
    ({"title": {"$lte": "beta"}}, ["c1", "c2"]),
    ({"createdAt": {"$gt": at(2)}}, ["c3", "c4"]),
    ({"createdAt": {"$gte": at(2), "$lte": at(3)}}, ["c2", "c3"]),
    ({"updatedAt": {"$lt": at(1)}}, []),
    # As in MongoDB: a field stored as null exists; only an absent field does not.
    ({"folder": {"$exists": True}}, ["c4"]),
    ({"folder": {"$exists": False}}, ["c1", "c2", "c3"]),
    ({"endpoint": {"$exists": True}}, ["c1", "c2", "c3", "c4"]),
    ({"folder": None}, ["c1", "c2", "c3"]),
    ({"folder": "work"}, ["c4"]),
]


@pytest.mark.parametrize(("where", "expected"), CONVERSATION_FILTERS,
                         ids=[repr(w) for w, _ in CONVERSATION_FILTERS])
def test_conversation_filter(backend: Backend, where: dict[str, Any], expected: list[str]
                             ) -> None:
    _seed_conversations(backend.store)
    with backend.store.unit_of_work(TENANT) as uow:
        found = sorted(c.conversationId for c in uow.conversations.find(where))
        counted = uow.conversations.count(where)
    assert found == expected
    assert counted == len(expected)


MESSAGE_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"tokenCount": 20}, ["m2"]),
    ({"tokenCount": {"$gte": 20}}, ["m2", "m4"]),
    ({"tokenCount": {"$lt": 20}}, ["m1"]),
    ({"tokenCount": {"$gt": 10, "$lte": 30}}, ["m2", "m4"]),
    ({"tokenCount": {"$in": [10, 30]}}, ["m1", "m4"]),
    ({"tokenCount": None}, ["m3"]),
    ({"tokenCount": {"$exists": True}}, ["m1", "m2", "m3", "m4"]),
    ({"isCreatedByUser": True}, ["m1", "m3"]),
    ({"isCreatedByUser": False, "tokenCount": {"$ne": None}}, ["m2", "m4"]),
    ({"parentMessageId": "m1"}, ["m2"]),
]


@pytest.mark.parametrize(("where", "expected"), MESSAGE_FILTERS,
                         ids=[repr(w) for w, _ in MESSAGE_FILTERS])
def test_message_filter(backend: Backend, where: dict[str, Any], expected: list[str]) -> None:
    seed(backend.store, TENANT, [
        message("m1", tokenCount=10, isCreatedByUser=True),
        message("m2", tokenCount=20, parentMessageId="m1"),
        message("m3", tokenCount=None, isCreatedByUser=True, parentMessageId="m2"),
        message("m4", tokenCount=30, parentMessageId="m3"),
    ])
    with backend.store.unit_of_work(TENANT) as uow:
        found = sorted(m.messageId for m in uow.messages.find(where))
    assert found == expected


@pytest.mark.parametrize("where", [
    {"$where": "true"},
    {"title": {"$regex": "a"}},
    {"metadata.owner": "u1"},
    {"title": {"$gt": None}},
    {"title": {"$in": "alpha"}},
    {"title": ["alpha"]},
    {"title": {"$eq": {"$ne": 1}}},
], ids=repr)
def test_anything_outside_the_subset_is_a_bad_request(backend: Backend,
                                                      where: dict[str, Any]) -> None:
    with backend.store.unit_of_work(TENANT) as uow, pytest.raises(BadRequest) as raised:
        uow.conversations.find(where)
    assert raised.value.code == "INVALID_FILTER"


def test_sort_limit_skip(backend: Backend) -> None:
    _seed_conversations(backend.store)
    with backend.store.unit_of_work(TENANT) as uow:
        by_title = [c.conversationId for c in uow.conversations.find({}, sort=[("title", 1)])]
        by_title_desc = [c.conversationId
                         for c in uow.conversations.find({}, sort=[("title", -1)])]
        window = [c.conversationId for c in uow.conversations.find(
            {}, sort=[("createdAt", 1)], limit=2, skip=1)]
        tail = [c.conversationId for c in uow.conversations.find(
            {}, sort=[("createdAt", 1)], skip=3)]
        by_user_then_time = [c.conversationId for c in uow.conversations.find(
            {}, sort=[("user", -1), ("createdAt", 1)])]
        first = uow.conversations.find_one({"user": "u2"})

    assert by_title == ["c3", "c1", "c2", "c4"]  # null sorts first, as in MongoDB
    assert by_title_desc == ["c4", "c2", "c1", "c3"]
    assert window == ["c2", "c3"]
    assert tail == ["c4"]
    assert by_user_then_time == ["c3", "c4", "c1", "c2"]
    assert first is not None
    assert first.user == "u2"


def test_count(backend: Backend) -> None:
    _seed_conversations(backend.store)
    with backend.store.unit_of_work(TENANT) as uow:
        assert uow.conversations.count({}) == 4
        assert uow.conversations.count({"user": "u2"}) == 2
        assert uow.conversations.count({"user": "nobody"}) == 0
