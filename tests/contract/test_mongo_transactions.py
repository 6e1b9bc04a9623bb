"""The transactional commit path of the MongoDB store: its control flow, not its atomicity.

No MongoDB server runs here and mongomock has no sessions, so these tests drive the path
with a stand-in session that records ``start``/``commit``/``abort`` and a client proxy that
drops the ``session`` argument before mongomock sees it. Faults are the errors a server
sends, with their real error labels. Atomicity itself is covered by the contract suite
against a real server (``GORUNCHAT_TEST_MONGODB_URI``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mongomock
import pytest
from pymongo.errors import OperationFailure

from gorunchat.adapters.mongo.store import MongoStore
from gorunchat.contracts.audit import AuditEvent
from gorunchat.contracts.errors import AuditUnavailable, Conflict, ServiceUnavailable
from gorunchat.domain.hashchain import first_break
from tests.contract.helpers import TENANT, conversation, seed

Fault = Callable[[], None]


def _failure(label: str | None, code: int = 112) -> OperationFailure:
    details = {"errorLabels": [label]} if label else {}
    return OperationFailure("injected by the test", code=code, details=details)


class _Session:
    def __init__(self, log: list[str], commit_faults: list[Exception]) -> None:
        self._log, self._commit_faults = log, commit_faults
        self.in_transaction = False

    def __enter__(self) -> _Session:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def start_transaction(self) -> None:
        self.in_transaction = True
        self._log.append("start")

    def commit_transaction(self) -> None:
        if self._commit_faults:
            self._log.append("commit?")
            raise self._commit_faults.pop(0)
        self.in_transaction = False
        self._log.append("commit")

    def abort_transaction(self) -> None:
        self.in_transaction = False
        self._log.append("abort")


class _Collection:
    def __init__(self, inner: Any, name: str, faults: dict[str, list[Fault]]) -> None:
        self._inner, self._name, self._faults = inner, name, faults

    def __getattr__(self, method: str) -> Any:
        target = getattr(self._inner, method)
        queued = self._faults.get(f"{self._name}.{method}", [])

        def call(*args: Any, session: Any = None, **kwargs: Any) -> Any:
            if queued:
                queued.pop(0)()
            return target(*args, **kwargs)

        return call


class _Client:
    """mongomock behind a client that hands out recording sessions."""

    def __init__(self) -> None:
        self.inner = mongomock.MongoClient()
        self.log: list[str] = []
        self.commit_faults: list[Exception] = []
        self.faults: dict[str, list[Fault]] = {}

    def start_session(self) -> _Session:
        return _Session(self.log, self.commit_faults)

    def __getitem__(self, database: str) -> Any:
        client = self

        class _Db:
            def __getitem__(self, name: str) -> _Collection:
                return _Collection(client.inner[database][name], name, client.faults)

        return _Db()

    def close(self) -> None:
        self.inner.close()


@pytest.fixture
def client() -> _Client:
    return _Client()


@pytest.fixture
def store(client: _Client) -> MongoStore:
    return MongoStore(client, "gorunchat", transactions=True)  # type: ignore[arg-type]


def _raise(exc: Exception) -> Fault:
    def fault() -> None:
        raise exc
    return fault


def _unit(store: MongoStore, key: str = "c1") -> list[Any]:
    with store.unit_of_work(TENANT) as uow:
        uow.conversations.insert(conversation(key))
        uow.record(AuditEvent(action="conversation.create", targetId=key))
        return uow.commit()


def _titles(store: MongoStore) -> list[str]:
    with store.unit_of_work(TENANT) as uow:
        return sorted(c.conversationId for c in uow.conversations.find({}))


def test_a_commit_runs_in_one_transaction(client: _Client, store: MongoStore) -> None:
    records = _unit(store)
    assert client.log == ["start", "commit"]
    assert [r.seq for r in records] == [1]
    assert _titles(store) == ["c1"]


def test_a_transient_error_replays_the_whole_transaction(client: _Client, store: MongoStore
                                                         ) -> None:
    client.faults["auditlogs.insert_one"] = [_raise(_failure("TransientTransactionError"))]

    records = _unit(store)

    assert client.log == ["start", "abort", "start", "commit"]
    assert [r.seq for r in records] == [1]
    assert _titles(store) == ["c1"]


def test_losing_the_next_link_inside_a_transaction_replays_it(client: _Client,
                                                              store: MongoStore) -> None:
    rival = MongoStore(client.inner, "gorunchat", transactions=False)

    def rival_commits() -> None:
        with rival.unit_of_work(TENANT) as uow:
            uow.record(AuditEvent(action="rival"))
            uow.commit()

    client.faults["auditlogs.insert_one"] = [rival_commits]
    records = _unit(store)

    chain = [r.model_dump() for r in store.audit_log(TENANT).records()]
    assert client.log == ["start", "abort", "start", "commit"]
    assert [r.seq for r in records] == [2]
    assert [r["action"] for r in chain] == ["rival", "conversation.create"]
    assert first_break(chain) is None


def test_an_unknown_commit_result_is_committed_again(client: _Client, store: MongoStore
                                                     ) -> None:
    client.commit_faults.append(_failure("UnknownTransactionCommitResult"))
    _unit(store)
    assert client.log == ["start", "commit?", "commit"]


def test_a_failing_audit_write_aborts_and_reports(client: _Client, store: MongoStore) -> None:
    client.faults["auditlogs.insert_one"] = [_raise(_failure(None, code=13))]

    with pytest.raises(AuditUnavailable):
        _unit(store)

    assert client.log == ["start", "abort"]
    assert _titles(store) == []


def test_a_busy_chain_gives_up_after_a_few_attempts(client: _Client, store: MongoStore
                                                    ) -> None:
    client.faults["auditlogs.insert_one"] = [
        _raise(_failure("TransientTransactionError")) for _ in range(10)]

    with pytest.raises(AuditUnavailable):
        _unit(store)

    assert client.log == ["start", "abort"] * 5
    assert _titles(store) == []


def test_a_key_taken_meanwhile_aborts_with_a_conflict(client: _Client, store: MongoStore
                                                      ) -> None:
    with store.unit_of_work(TENANT) as uow:
        uow.conversations.insert(conversation("c1", title="mine"))
        seed(MongoStore(client.inner, "gorunchat"), TENANT, [conversation("c1", title="first")])
        with pytest.raises(Conflict):
            uow.commit()

    assert client.log[-1] == "abort"


@pytest.mark.parametrize(("hello", "expected"), [
    ({"isWritablePrimary": True, "setName": "rs0"}, True),
    ({"isWritablePrimary": True, "msg": "isdbgrid"}, True),
    ({"isWritablePrimary": True}, False),
])
def test_transactions_are_used_where_the_deployment_has_them(hello: dict[str, Any],
                                                            expected: bool) -> None:
    class _Admin:
        def command(self, name: str) -> dict[str, Any]:
            assert name == "hello"
            return hello

    class _HelloClient(_Client):
        admin = _Admin()

    made = MongoStore(_HelloClient(), "gorunchat")  # type: ignore[arg-type]
    assert made.transactions is expected


def test_an_unreachable_server_is_service_unavailable() -> None:
    store = MongoStore.from_uri("mongodb://127.0.0.1:9/", "gorunchat", timeout_ms=100,
                                create_indexes=False)
    try:
        with pytest.raises(ServiceUnavailable) as raised:
            store.ping()
        assert raised.value.code == "STORE_UNAVAILABLE"
        with store.unit_of_work(TENANT) as uow, pytest.raises(ServiceUnavailable):
            uow.conversations.get("c1")
    finally:
        store.close()
    with pytest.raises(ServiceUnavailable):
        MongoStore.from_uri("mongodb://127.0.0.1:9/", "gorunchat", timeout_ms=100)
