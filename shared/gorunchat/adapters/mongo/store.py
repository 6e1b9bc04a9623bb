"""MongoDB implementation of the ``Store`` port (pymongo; mongomock in tests).

A unit of work buffers its changes (see ``repository``) and applies them at commit together
with its audit and discovery records:

* where the deployment supports multi-document transactions (a replica set, a sharded
  cluster, Atlas, Firestore's MongoDB compatibility) everything is written in one
  transaction, replayed whole when the server reports a transient conflict;
* otherwise (a standalone server, mongomock) the records and the audit head are written
  first and the changes only after them, so a failing audit write leaves nothing written.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from pymongo import MongoClient
from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import OperationFailure, PyMongoError

from gorunchat.adapters.collections import COLLECTIONS
from gorunchat.adapters.mongo.audit import AuditWriter, ChainContended, MongoAuditLog
from gorunchat.adapters.mongo.auditops import MongoStoreAuditOps
from gorunchat.adapters.mongo.errors import store_unavailable, translated
from gorunchat.adapters.mongo.indexes import ensure_indexes
from gorunchat.adapters.mongo.repository import MongoRepository
from gorunchat.adapters.mongo.writes import WriteBuffer
from gorunchat.contracts.audit import AuditEvent, AuditRecord, DiscoveryEvent
from gorunchat.contracts.documents import Conversation, Message, Session, User
from gorunchat.contracts.errors import AuditUnavailable
from gorunchat.ports.store import D

TRANSACTION_ATTEMPTS = 5
_TRANSIENT = "TransientTransactionError"
_UNKNOWN_COMMIT = "UnknownTransactionCommitResult"


class MongoStore(MongoStoreAuditOps):
    """A store in one MongoDB database. Thread-safe: pymongo pools connections.

    ``client`` is a ``MongoClient`` or an object with its interface (``mongomock``).
    ``transactions`` forces transactional commits on or off; ``None`` asks the server once.
    """

    def __init__(self, client: MongoClient[Any], database: str, *,
                 transactions: bool | None = None, create_indexes: bool = True) -> None:
        self._client = client
        self._db: Database[Any] = client[database]
        self._transactions = transactions
        if create_indexes:
            with translated():
                ensure_indexes(self._db)

    @classmethod
    def from_uri(cls, uri: str, database: str, *, timeout_ms: int = 5000,
                 transactions: bool | None = None, create_indexes: bool = True) -> MongoStore:
        """A store over a new client for ``uri`` (Atlas, Firestore, or a local server).

        ``timeout_ms`` bounds how long a call waits for a server before the store reports
        ``ServiceUnavailable`` instead of hanging a request.
        """
        client: MongoClient[Any] = MongoClient(
            uri, tz_aware=True, serverSelectionTimeoutMS=timeout_ms, appname="gorunchat")
        try:
            return cls(client, database, transactions=transactions,
                       create_indexes=create_indexes)
        except BaseException:
            client.close()  # ours to close: the caller never got it
            raise

    @property
    def transactions(self) -> bool:
        """Whether commits run in a multi-document transaction (asked of the server once)."""
        if self._transactions is None:
            self._transactions = self._detect_transactions()
        return self._transactions

    def _detect_transactions(self) -> bool:
        try:
            with translated():
                hello = self._client.admin.command("hello")
        except (OperationFailure, NotImplementedError):  # mongomock has no ``hello``
            return False
        return bool(hello.get("setName")) or hello.get("msg") == "isdbgrid"

    def unit_of_work(self, tenant_id: str, *, readonly: bool = False) -> MongoUnitOfWork:
        return MongoUnitOfWork(self, tenant_id, readonly=readonly)

    def audit_log(self, tenant_id: str) -> MongoAuditLog:
        return MongoAuditLog(self._db, tenant_id)

    def ping(self) -> None:
        with translated():
            self._client.admin.command("ping")

    def close(self) -> None:
        self._client.close()


class MongoUnitOfWork:
    """One tenant's changes and records, written together by ``commit``.

    ``readonly`` is accepted for the port; a unit that changes nothing commits nothing.
    """

    def __init__(self, store: MongoStore, tenant_id: str, *, readonly: bool) -> None:
        self._store = store
        self._db = store._db
        self.tenant_id = tenant_id
        self.readonly = readonly
        self._buffer = WriteBuffer()
        self._events: list[AuditEvent] = []
        self._journal: list[DiscoveryEvent] = []
        self.users: MongoRepository[User] = self._repo("users")
        self.sessions: MongoRepository[Session] = self._repo("sessions")
        self.conversations: MongoRepository[Conversation] = self._repo("conversations")
        self.messages: MongoRepository[Message] = self._repo("messages")

    def _repo(self, name: str) -> MongoRepository[Any]:
        return MongoRepository(self._db, COLLECTIONS[name], self.tenant_id, self._buffer)

    def repo(self, model: type[D]) -> MongoRepository[D]:
        """The repository of any collection registered in ``COLLECTIONS``."""
        return MongoRepository(self._db, COLLECTIONS[model.collection], self.tenant_id,
                               self._buffer)

    def __enter__(self) -> MongoUnitOfWork:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.rollback()

    def record(self, event: AuditEvent) -> None:
        self._events.append(event)

    def journal(self, event: DiscoveryEvent) -> None:
        self._journal.append(event)

    def rollback(self) -> None:
        self._buffer.clear()
        self._events.clear()
        self._journal.clear()

    def commit(self) -> list[AuditRecord]:
        """Write changes and records; ``AuditUnavailable`` when the records cannot be written."""
        if not (self._buffer or self._events or self._journal):
            return []
        try:
            if self._store.transactions:
                return self._commit_in_transaction()
            return self._commit_records_first()
        finally:
            self.rollback()

    def _commit_records_first(self) -> list[AuditRecord]:
        writer = AuditWriter(self._db, self.tenant_id)
        try:
            records = writer.write(self._events, self._journal, None)
        except PyMongoError as exc:
            raise AuditUnavailable() from exc
        try:
            self._buffer.apply(self._db, None)
        except PyMongoError as exc:
            raise store_unavailable() from exc
        return records

    def _commit_in_transaction(self) -> list[AuditRecord]:
        writer = AuditWriter(self._db, self.tenant_id)
        last: Exception | None = None
        for _ in range(TRANSACTION_ATTEMPTS):
            try:
                with self._store._client.start_session() as session:
                    return self._transaction(session, writer)
            except ChainContended as exc:
                last = exc
            except PyMongoError as exc:
                if not exc.has_error_label(_TRANSIENT):
                    raise AuditUnavailable() from exc
                last = exc
        raise AuditUnavailable("The audit log is busy; try again.") from last

    def _transaction(self, session: ClientSession, writer: AuditWriter) -> list[AuditRecord]:
        session.start_transaction()
        try:
            records = writer.write(self._events, self._journal, session)
            self._buffer.apply(self._db, session)
        except BaseException:
            if session.in_transaction:
                session.abort_transaction()
            raise
        for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
            try:
                session.commit_transaction()
                return records
            except PyMongoError as exc:
                # Only a commit whose outcome is unknown may be retried as it stands.
                if attempt == TRANSACTION_ATTEMPTS or not exc.has_error_label(_UNKNOWN_COMMIT):
                    raise
        raise AssertionError("unreachable")
