"""Changes a unit of work buffers and applies at commit.

Buffering lets commit write the audit records first (fail closed when there is no
transaction) and lets a transaction that hit a transient conflict be replayed whole.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from pymongo.client_session import ClientSession
from pymongo.database import Database
from pymongo.errors import DuplicateKeyError

from gorunchat.contracts.errors import Conflict

Kind = Literal["insert", "save", "update", "update_many", "increment", "delete",
               "delete_many"]


@dataclass(frozen=True)
class Write:
    """One buffered change: ``kind`` on ``collection`` for documents matching ``where``."""

    collection: str
    kind: Kind
    where: dict[str, Any]
    body: dict[str, Any] = field(default_factory=dict)

    def apply(self, db: Database[Any], session: ClientSession | None) -> None:
        """Run the change; a key taken meanwhile (or by another tenant) is a ``Conflict``."""
        coll = db[self.collection]
        try:
            if self.kind == "insert":
                coll.insert_one(dict(self.body), session=session)
            elif self.kind == "save":
                self._save(db, session)
            elif self.kind == "update":
                coll.update_one(self.where, {"$set": self.body}, session=session)
            elif self.kind == "update_many":
                coll.update_many(self.where, {"$set": self.body}, session=session)
            elif self.kind == "increment":
                coll.update_one(self.where, self.body, session=session)  # $inc and $set
            elif self.kind == "delete":
                coll.delete_one(self.where, session=session)
            else:
                coll.delete_many(self.where, session=session)
        except DuplicateKeyError as exc:
            raise Conflict(f"{self.collection}: the key is already taken") from exc

    def _save(self, db: Database[Any], session: ClientSession | None) -> None:
        # Replace under the stored ``_id`` (a LibreChat ObjectId stays one); insert if absent.
        # Without a transaction a concurrent insert or delete is met by one more round.
        coll = db[self.collection]
        for _ in range(2):
            found = coll.find_one(self.where, projection={"_id": 1}, session=session)
            if found is not None:
                body = {**self.body, "_id": found["_id"]}
                where = {"_id": found["_id"], "tenantId": self.body["tenantId"]}
                if coll.replace_one(where, body, session=session).matched_count:
                    return
                continue
            try:
                coll.insert_one(dict(self.body), session=session)
                return
            except DuplicateKeyError:
                # Inside a transaction the error has aborted it: report the conflict.
                if session is not None:
                    raise
        raise Conflict(f"{self.collection}: the document changed while it was being saved")


#: What a unit of work has done to one key: the document it wrote, or ``DELETED``.
DELETED = None


@dataclass
class WriteBuffer:
    """The changes of one unit of work, in order, and the last state of each key it wrote.

    ``pending`` lets later writes of the same unit compose as they would in a transaction
    (update what was just inserted, insert what was just deleted) although reads do not see
    uncommitted changes.
    """

    writes: list[Write] = field(default_factory=list)
    pending: dict[tuple[str, str], dict[str, Any] | None] = field(default_factory=dict)

    def add(self, write: Write) -> None:
        self.writes.append(write)

    def apply(self, db: Database[Any], session: ClientSession | None) -> None:
        for write in self.writes:
            write.apply(db, session)

    def clear(self) -> None:
        self.writes.clear()
        self.pending.clear()

    def __bool__(self) -> bool:
        return bool(self.writes)
