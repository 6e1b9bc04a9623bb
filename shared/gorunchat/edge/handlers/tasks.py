"""Handlers of the ``tasks`` function: the targets Cloud Tasks (or the local dispatcher)
delivers to. Each is idempotent and keyed by what it processes, so a task delivered twice
does its work once; a failure raises, the answer is non-2xx and the queue retries."""

from __future__ import annotations

from gorunchat.contracts.admin_audit import RetentionSettings
from gorunchat.contracts.tasks import (
    PROJECTION_PATH,
    ExportTask,
    ExportTaskResult,
    ProjectionResult,
    ProjectionTask,
    RetentionResult,
    RetentionTask,
)
from gorunchat.edge.context import RequestContext
from gorunchat.edge.registry import handles
from gorunchat.services import exports, projector, retention


@handles("tasks.audit_projection", body=ProjectionTask)
def audit_projection(ctx: RequestContext, body: ProjectionTask) -> ProjectionResult:
    """Project one batch per tenant; a tenant with more left gets a follow-up task."""
    c = ctx.container
    run = projector.Projector(store=c.store, sink=c.query_sink, archive=c.archive,
                              batch_size=body.batchSize or c.settings.audit.projectionBatch)
    result = projector.project(run, [body.tenantId] if body.tenantId else None)
    if result.more:
        c.task_queue.enqueue("projection", PROJECTION_PATH, body)
    return result


@handles("tasks.retention", body=RetentionTask)
def retention_run(ctx: RequestContext, body: RetentionTask) -> RetentionResult:
    a = ctx.container.settings.audit
    defaults = RetentionSettings(auditDays=a.auditDays, discoveryDays=a.discoveryDays,
                                 chatDays=a.chatDays)
    return retention.run(ctx.container.store, defaults,
                         [body.tenantId] if body.tenantId else None, blobs=ctx.container.blobs)


@handles("tasks.export", body=ExportTask)
def export_build(ctx: RequestContext, body: ExportTask) -> ExportTaskResult:
    job = exports.build(ctx.container.store, ctx.container.export_archive, body)
    if job is None:  # gone: acknowledge, so the queue stops retrying
        return ExportTaskResult(exportId=body.exportId, status="missing", files=0)
    return ExportTaskResult(exportId=job.id, status=job.status, files=len(job.files))
