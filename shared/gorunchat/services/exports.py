"""eDiscovery exports: request a bundle, build it in a task, report it, hand it out.

A bundle is one JSONL file per requested part (audit, discovery, messages, files) plus
``manifest.json`` holding each file's SHA-256, size and record count, all written once to
the exports archive under ``exports/<tenant>/<export id>/``. Building is idempotent: a file
already written by an earlier attempt is kept and hashed as stored. Every step that moves
data (request, completion, each download) writes an audit record; request and download
write it before anything is handed out, so they fail closed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from pydantic import BaseModel

from gorunchat.contracts.audit import AuditEvent, AuditRecord
from gorunchat.contracts.documents import Message, utcnow
from gorunchat.contracts.errors import Conflict, GoRunChatError, NotFound
from gorunchat.contracts.exports import (
    MANIFEST,
    CreateExportRequest,
    ExportFile,
    ExportJob,
    ExportList,
    ExportListQuery,
    ExportManifest,
    ExportPart,
    ExportView,
)
from gorunchat.contracts.tasks import EXPORT_PATH, ExportTask
from gorunchat.domain.ids import new_uuid
from gorunchat.ports.archive import Archive
from gorunchat.ports.store import Store
from gorunchat.ports.taskqueue import TaskQueue
from gorunchat.services.caller import Caller
from gorunchat.services.retention import SYSTEM

PAGE = 1000
DISCOVERY_LIMIT = 1_000_000


@dataclass(frozen=True)
class Download:
    """Either a signed URL to redirect to, or the bytes to serve."""

    filename: str
    url: str | None = None
    data: bytes | None = None


def _not_found() -> NotFound:
    return NotFound("No export has this id.", code="EXPORT_NOT_FOUND")


def prefix(tenant_id: str, export_id: str) -> str:
    return f"exports/{quote(tenant_id, safe='')}/{export_id}/"


def create(store: Store, queue: TaskQueue, caller: Caller, body: CreateExportRequest
           ) -> ExportView:
    """Record the request (audited), then queue the task that builds the bundle."""
    job = ExportJob(id=new_uuid(), tenantId=caller.tenant_id,
                    custodians=sorted(set(body.custodians)), since=body.since,
                    until=body.until, include=body.include, createdBy=caller.user_id)
    with store.unit_of_work(caller.tenant_id) as uow:
        uow.repo(ExportJob).insert(job)
        uow.record(AuditEvent(action="admin.export_create", actor=caller.actor,
                              targetType="export", targetId=job.id,
                              metadata={"custodians": job.custodians,
                                        "since": job.since.isoformat(),
                                        "until": job.until.isoformat(),
                                        "include": list(job.include)}))
        uow.commit()
    try:
        queue.enqueue("exports", EXPORT_PATH, ExportTask(tenantId=job.tenantId, exportId=job.id),
                      task_id=f"export-{job.id}")
    except GoRunChatError:
        _set(store, job.tenantId, job.id, {"status": "failed",
                                            "error": "the export could not be queued"})
        raise
    return ExportView.of(job)


def _set(store: Store, tenant_id: str, export_id: str, changes: dict[str, Any]) -> None:
    with store.unit_of_work(tenant_id) as uow:
        uow.repo(ExportJob).update(export_id, changes)
        uow.commit()


def _job(store: Store, tenant_id: str, export_id: str) -> ExportJob:
    with store.unit_of_work(tenant_id, readonly=True) as uow:
        job = uow.repo(ExportJob).get(export_id)
    if job is None:
        raise _not_found()
    return job


def get(store: Store, caller: Caller, export_id: str) -> ExportView:
    return ExportView.of(_job(store, caller.tenant_id, export_id))


def list_exports(store: Store, caller: Caller, query: ExportListQuery) -> ExportList:
    with store.unit_of_work(caller.tenant_id, readonly=True) as uow:
        page = uow.repo(ExportJob).page({}, sort_field="createdAt", descending=True,
                                        limit=query.limit, cursor=query.cursor)
    return ExportList(items=[ExportView.of(j) for j in page.items], nextCursor=page.nextCursor)


def _audit(store: Store, job: ExportJob) -> Iterator[BaseModel]:
    log = store.audit_log(job.tenantId)
    custodians = set(job.custodians)
    found: dict[str, AuditRecord] = {}
    for field in ("actorUserId", "targetId"):
        for custodian in job.custodians:
            after = 0
            while batch := log.records(after_seq=after, limit=PAGE, where={
                    field: custodian, "since": job.since, "until": job.until}):
                found.update((r.id, r) for r in batch
                             if r.actor.userId in custodians or r.targetId in custodians)
                after = batch[-1].seq
    yield from sorted(found.values(), key=lambda r: r.seq)


def _discovery(store: Store, job: ExportJob) -> Iterator[BaseModel]:
    log = store.audit_log(job.tenantId)
    for custodian in job.custodians:
        yield from (d for d in log.discovery(limit=DISCOVERY_LIMIT, where={"userId": custodian})
                    if job.since <= d.ts < job.until)


def _messages(store: Store, job: ExportJob) -> Iterator[Message]:
    """Custodians' messages in the range, hidden ones included (admins see them)."""
    where = {"user": {"$in": job.custodians},
             "createdAt": {"$gte": job.since, "$lt": job.until}}
    skip = 0
    while True:
        with store.unit_of_work(job.tenantId, readonly=True) as uow:
            batch = uow.messages.find(where, sort=[("createdAt", 1), ("messageId", 1)],
                                      limit=PAGE, skip=skip)
        yield from batch
        if len(batch) < PAGE:
            return
        skip += PAGE


class _FileRef(BaseModel):
    messageId: str
    conversationId: str
    user: str
    file: dict[str, Any]


def _files(store: Store, job: ExportJob) -> Iterator[BaseModel]:
    """The files attached to the custodians' messages in the range (their metadata)."""
    for message in _messages(store, job):
        for attached in message.files or []:
            yield _FileRef(messageId=message.messageId, conversationId=message.conversationId,
                           user=message.user, file=attached)


_PARTS: dict[ExportPart, Callable[[Store, ExportJob], Iterator[BaseModel]]] = {
    "audit": _audit, "discovery": _discovery, "messages": _messages, "files": _files}


def _write(archive: Archive, key: str, name: str, lines: Iterator[BaseModel]) -> ExportFile:
    count, body = 0, bytearray()
    for item in lines:
        body += item.model_dump_json(by_alias=True).encode() + b"\n"
        count += 1
    if not archive.put_once(key, bytes(body), "application/x-ndjson"):
        body = bytearray(archive.get(key))  # an earlier attempt wrote it: keep that
        count = body.count(b"\n")
    return ExportFile(name=name, sha256=hashlib.sha256(body).hexdigest(), bytes=len(body),
                      records=count)


def build(store: Store, archive: Archive, task: ExportTask) -> ExportJob | None:
    """Build the bundle of ``task.exportId`` (the export task); safe to run again.

    ``None`` when the export no longer exists: the task is done, not retried.
    """
    with store.unit_of_work(task.tenantId, readonly=True) as uow:
        found = uow.repo(ExportJob).get(task.exportId)
    if found is None or found.status == "completed":
        return found
    job = found
    _set(store, job.tenantId, job.id, {"status": "running", "startedAt": utcnow()})
    root = prefix(job.tenantId, job.id)
    files = [_write(archive, root + f"{part}.jsonl", f"{part}.jsonl", _PARTS[part](store, job))
             for part in job.include]
    manifest = ExportManifest(exportId=job.id, tenantId=job.tenantId, custodians=job.custodians,
                              since=job.since, until=job.until, include=job.include,
                              createdAt=job.createdAt, createdBy=job.createdBy, files=files)
    body = json.dumps(manifest.model_dump(mode="json"), indent=2, sort_keys=True).encode()
    if not archive.put_once(root + MANIFEST, body, "application/json"):
        body = archive.get(root + MANIFEST)
    digest = hashlib.sha256(body).hexdigest()
    changes = {"status": "completed", "completedAt": utcnow(), "manifestSha256": digest,
               "files": [f.model_dump() for f in files]}
    with store.unit_of_work(job.tenantId) as uow:
        uow.repo(ExportJob).update(job.id, changes)
        uow.record(AuditEvent(action="export.completed", actor=SYSTEM, targetType="export",
                              targetId=job.id,
                              metadata={"manifestSha256": digest,
                                        "files": [f.model_dump() for f in files]}))
        uow.commit()
    return job.model_copy(update={**changes, "files": files})


def download(store: Store, archive: Archive, caller: Caller, export_id: str, filename: str,
             ttl: timedelta) -> Download:
    """One file of a completed bundle: a signed URL where the archive issues one."""
    job = _job(store, caller.tenant_id, export_id)
    if job.status != "completed":
        raise Conflict("This export is not ready yet.", code="EXPORT_NOT_READY")
    if filename != MANIFEST and filename not in {f.name for f in job.files}:
        raise NotFound("This export has no such file.", code="EXPORT_FILE_NOT_FOUND")
    with store.unit_of_work(caller.tenant_id) as uow:
        uow.record(AuditEvent(action="admin.export_download", actor=caller.actor,
                              targetType="export", targetId=export_id,
                              metadata={"file": filename}))
        uow.commit()
    key = prefix(job.tenantId, job.id) + filename
    url = archive.signed_url(key, filename=filename, ttl=ttl)
    if url is not None:
        return Download(filename=filename, url=url)
    return Download(filename=filename, data=archive.get(key))
