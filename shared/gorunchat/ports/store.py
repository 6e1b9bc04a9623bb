"""The storage port: a unit of work over tenant-scoped repositories.

A service opens a unit of work for one tenant, reads and changes documents through its
repositories, records audit and discovery events, and commits once. Commit writes the
changes and the records atomically: if the records cannot be written, nothing is written and
``AuditUnavailable`` is raised. Leaving the ``with`` block without committing rolls back.

Every repository is bound to the unit of work's tenant: every read and write is scoped by
``tenantId``, and a document of another tenant is never visible.

Filters are a small subset of MongoDB's query language, understood by every adapter:
equality (an array field matches when it contains the value), ``$in``, ``$nin``, ``$ne``,
``$lt``/``$lte``/``$gt``/``$gte`` and ``$exists``, on top-level fields only, with MongoDB's
meaning for null: ``None`` equality matches null or absent, ``$ne``/``$nin`` match them too,
comparisons never do, and ``$exists`` is false only for an absent field (a stored null
exists). Datetimes are stored to the millisecond. A writer's own uncommitted changes may or
may not be visible to its later reads; services must not depend on reading them back before
commit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, Generic, Protocol, Self, TypeVar

from gorunchat.contracts.admin_audit import ChainLink, ProjectionBacklog
from gorunchat.contracts.audit import AuditEvent, AuditRecord, DiscoveryEvent, DiscoveryRecord
from gorunchat.contracts.documents import Conversation, Document, Message, Session, User
from gorunchat.contracts.pagination import Page

D = TypeVar("D", bound=Document)
Filter = Mapping[str, Any]
Sort = Sequence[tuple[str, int]]  # (field, 1 ascending | -1 descending)


class Repository(Protocol, Generic[D]):
    """Tenant-scoped access to one collection of documents of type ``D``."""

    def get(self, key: str) -> D | None:
        """The document whose key field equals ``key``, or ``None``."""

    def find_one(self, where: Filter) -> D | None: ...

    def find(
        self, where: Filter, *, sort: Sort = (), limit: int | None = None, skip: int = 0
    ) -> list[D]: ...

    def count(self, where: Filter) -> int: ...

    def page(
        self, where: Filter, *, sort_field: str, descending: bool, limit: int,
        cursor: str | None,
    ) -> Page[D]:
        """A cursor page ordered by ``sort_field`` then key; ``cursor`` from the previous page."""

    def insert(self, doc: D) -> D:
        """Insert a new document; ``Conflict`` if its key exists in this tenant.

        MongoDB's ``_id`` is unique per collection, so there an ``_id`` used by another
        tenant is a ``Conflict`` too (``save`` likewise); keys are generated, so this is rare.
        """

    def save(self, doc: D) -> D:
        """Insert or fully replace the document with the same key."""

    def update(self, key: str, changes: Mapping[str, Any]) -> D | None:
        """Set top-level fields (and ``updatedAt``); the updated document, or ``None``."""

    def update_many(self, where: Filter, changes: Mapping[str, Any]) -> int: ...

    def increment(self, key: str, deltas: Mapping[str, float]) -> D | None:
        """Add ``deltas`` to numeric fields (a missing one counts as 0) and set ``updatedAt``;
        the document as this unit now sees it, or ``None``. Two units incrementing the same
        document both count, whatever they read before (balances, counters)."""

    def delete(self, key: str) -> bool: ...

    def delete_many(self, where: Filter) -> int: ...


class UnitOfWork(Protocol):
    tenant_id: str

    @property
    def users(self) -> Repository[User]: ...

    @property
    def sessions(self) -> Repository[Session]: ...

    @property
    def conversations(self) -> Repository[Conversation]: ...

    @property
    def messages(self) -> Repository[Message]: ...

    def repo(self, model: type[D]) -> Repository[D]:
        """The repository of any registered collection (``adapters.collections.COLLECTIONS``).

        Contexts added later (tags, files, presets...) reach their collections this way, so
        a new collection needs a document class and a ``CollectionSpec``, nothing more.
        """

    def record(self, event: AuditEvent) -> None:
        """Queue an audit record; written with the changes at commit."""

    def journal(self, event: DiscoveryEvent) -> None:
        """Queue a discovery record; written with the changes at commit."""

    def commit(self) -> list[AuditRecord]:
        """Write changes and records atomically; ``AuditUnavailable`` writes nothing."""

    def rollback(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class AuditLog(Protocol):
    """Read side of the audit log and discovery journal of one tenant."""

    def records(
        self, *, after_seq: int = 0, limit: int = 1000, where: Filter | None = None,
        descending: bool = False,
    ) -> list[AuditRecord]: ...

    def get(self, record_id: str) -> AuditRecord | None: ...

    def discovery(self, *, limit: int = 1000, where: Filter | None = None
                  ) -> list[DiscoveryRecord]: ...

    # Projection and retention (``services.projector``, ``services.retention``). Records
    # are projected in order: audit by ``seq``, discovery in journal order (``ts``, then insertion).

    def unprojected(self, limit: int) -> list[AuditRecord]:
        """The oldest audit records not yet marked projected, by ``seq``."""

    def unprojected_discovery(self, limit: int) -> list[DiscoveryRecord]:
        """The oldest discovery records not yet marked projected, in journal order
        (``ts``, then insertion)."""

    def mark_projected(self, ids: Sequence[str], at: datetime) -> int:
        """Mark audit records projected at ``at`` (already marked ones keep their time)."""

    def mark_discovery_projected(self, ids: Sequence[str], at: datetime) -> int: ...

    def backlog(self) -> ProjectionBacklog:
        """Counts of unprojected and total records and the oldest unprojected times."""

    def head(self) -> ChainLink | None:
        """The last link of the chain, or ``None`` before the first record."""

    def anchor(self) -> ChainLink | None:
        """The last record retention removed (verification continues after it), or ``None``."""

    def prune_through(self, seq: int) -> int:
        """Remove the projected records with ``seq`` up to ``seq`` and make that record the
        anchor; the caller checks they are all projected and past retention."""

    def expired_discovery(self, before: datetime, limit: int, *,
                          exclude_users: Sequence[str] = (),
                          exclude_conversations: Sequence[str] = ()) -> list[DiscoveryRecord]:
        """Projected discovery records older than ``before``, oldest first, leaving out those
        of ``exclude_users`` and ``exclude_conversations`` (what holds preserve)."""

    def delete_discovery(self, ids: Sequence[str]) -> int: ...

    def try_lease(self, purpose: str, owner: str, ttl_s: float) -> bool:
        """Take (or renew) this tenant's lease on ``purpose`` unless another owner holds an
        unexpired one; keeps one projector per tenant at a time."""

    def release_lease(self, purpose: str, owner: str) -> None: ...


class Store(Protocol):
    """A document store: the composition root builds one per process."""

    def unit_of_work(self, tenant_id: str, *, readonly: bool = False) -> UnitOfWork: ...

    def audit_log(self, tenant_id: str) -> AuditLog: ...

    def audit_tenants(self) -> list[str]:
        """Every tenant that has audit or discovery records, sorted."""

    def ping(self) -> None:
        """Raise ``ServiceUnavailable`` when the store cannot answer."""

    def close(self) -> None: ...
