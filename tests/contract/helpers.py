"""Builders and small helpers shared by the contract tests."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from gorunchat.contracts.documents import Conversation, Document, Message, User
from gorunchat.ports.store import Store, UnitOfWork

T0 = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
TENANT = "acme"
OTHER = "globex"


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def conversation(key: str, *, user: str = "u1", seconds: float = 0, **fields: Any
                 ) -> Conversation:
    return Conversation.model_validate({"conversationId": key, "user": user,
                                        "createdAt": at(seconds), "updatedAt": at(seconds),
                                        **fields})


def message(key: str, *, convo: str = "c1", user: str = "u1", seconds: float = 0,
            **fields: Any) -> Message:
    return Message.model_validate({"messageId": key, "conversationId": convo, "user": user,
                                   "createdAt": at(seconds), "updatedAt": at(seconds),
                                   **fields})


def user(key: str, *, email: str | None = None, seconds: float = 0, **fields: Any) -> User:
    return User.model_validate({"_id": key, "email": email or f"{key}@example.com",
                                "createdAt": at(seconds), "updatedAt": at(seconds), **fields})


def repo_of(uow: UnitOfWork, doc: Document) -> Any:
    return {"conversations": uow.conversations, "messages": uow.messages,
            "users": uow.users, "sessions": uow.sessions}[doc.collection]


def seed(store: Store, tenant: str, docs: Iterable[Document]) -> None:
    """Insert ``docs`` for ``tenant`` in one committed unit of work."""
    with store.unit_of_work(tenant) as uow:
        for doc in docs:
            repo_of(uow, doc).insert(doc)
        uow.commit()


def keys(docs: Iterable[Document]) -> list[str]:
    return [doc.key_value for doc in docs]
