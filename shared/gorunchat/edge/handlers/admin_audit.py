"""Handlers of the audit spine's admin routes: audit log, legal holds, exports, retention.

Imported by ``edge.handlers.admin`` (the admin function). Each handler binds its DTO, calls
one service function and renders its DTO; the route table sets who may call (ADMIN, and
SUPER_ADMIN for releasing holds and changing retention).
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from flask import Response

from gorunchat.contracts.admin_audit import (
    AuditExportQuery,
    AuditPage,
    AuditQuery,
    ChainReport,
    ProjectionLag,
    RetentionSettings,
    RetentionView,
)
from gorunchat.contracts.audit import AuditRecord
from gorunchat.contracts.exports import (
    CreateExportRequest,
    DownloadQuery,
    ExportList,
    ExportListQuery,
    ExportView,
)
from gorunchat.contracts.holds import (
    CreateHoldRequest,
    HoldList,
    HoldListQuery,
    HoldView,
    ReleaseHoldRequest,
)
from gorunchat.edge.context import RequestContext
from gorunchat.edge.registry import handles
from gorunchat.services import audit, exports, holds, retention
from gorunchat.services.caller import Caller


def caller(ctx: RequestContext) -> Caller:
    return Caller(principal=ctx.user, actor=ctx.actor)


def retention_defaults(ctx: RequestContext) -> RetentionSettings:
    a = ctx.container.settings.audit
    return RetentionSettings(auditDays=a.auditDays, discoveryDays=a.discoveryDays,
                             chatDays=a.chatDays)


@handles("admin.audit_list", query=AuditQuery)
def audit_list(ctx: RequestContext, query: AuditQuery) -> AuditPage:
    return audit.list_records(ctx.container.store, caller(ctx), query)


@handles("admin.audit_get")
def audit_get(ctx: RequestContext) -> AuditRecord:
    return audit.get_record(ctx.container.store, caller(ctx), ctx.params["id"])


@handles("admin.audit_export", query=AuditExportQuery)
def audit_export(ctx: RequestContext, query: AuditExportQuery) -> Response:
    body = audit.export_csv(ctx.container.store, caller(ctx), query)
    return Response(body, status=200, mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="audit-log.csv"'})


@handles("admin.audit_verify")
def audit_verify(ctx: RequestContext) -> ChainReport:
    return audit.verify(ctx.container.store, caller(ctx))


@handles("admin.audit_lag")
def audit_lag(ctx: RequestContext) -> ProjectionLag:
    return audit.lag(ctx.container.store, caller(ctx).tenant_id)


@handles("admin.holds_list", query=HoldListQuery)
def holds_list(ctx: RequestContext, query: HoldListQuery) -> HoldList:
    return holds.list_holds(ctx.container.store, caller(ctx), query)


@handles("admin.hold_create", body=CreateHoldRequest, status=201)
def hold_create(ctx: RequestContext, body: CreateHoldRequest) -> HoldView:
    return holds.create_hold(ctx.container.store, caller(ctx), body)


@handles("admin.hold_get")
def hold_get(ctx: RequestContext) -> HoldView:
    return holds.get_hold(ctx.container.store, caller(ctx), ctx.params["id"])


@handles("admin.hold_release", body=ReleaseHoldRequest)
def hold_release(ctx: RequestContext, body: ReleaseHoldRequest) -> HoldView:
    return holds.release_hold(ctx.container.store, caller(ctx), ctx.params["id"], body)


@handles("admin.exports_list", query=ExportListQuery)
def exports_list(ctx: RequestContext, query: ExportListQuery) -> ExportList:
    return exports.list_exports(ctx.container.store, caller(ctx), query)


@handles("admin.export_create", body=CreateExportRequest, status=202)
def export_create(ctx: RequestContext, body: CreateExportRequest) -> ExportView:
    return exports.create(ctx.container.store, ctx.container.task_queue, caller(ctx), body)


@handles("admin.export_get")
def export_get(ctx: RequestContext) -> ExportView:
    return exports.get(ctx.container.store, caller(ctx), ctx.params["id"])


@handles("admin.export_download", query=DownloadQuery)
def export_download(ctx: RequestContext, query: DownloadQuery) -> Response:
    """A redirect to a signed URL (Google Cloud), or the file itself (locally)."""
    ttl = timedelta(seconds=ctx.container.settings.audit.signedUrlTtlS)
    found = exports.download(ctx.container.store, ctx.container.export_archive, caller(ctx),
                             ctx.params["id"], query.file, ttl)
    if found.url is not None:
        return Response(status=302, headers={"Location": found.url})
    mimetype = "application/json" if found.filename.endswith(".json") else (
        "application/x-ndjson")
    return Response(found.data, status=200, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename*=UTF-8''{quote(found.filename)}"})


@handles("admin.retention_get")
def retention_get(ctx: RequestContext) -> RetentionView:
    return retention.view(ctx.container.store, caller(ctx).tenant_id, retention_defaults(ctx))


@handles("admin.retention_update", body=RetentionSettings)
def retention_update(ctx: RequestContext, body: RetentionSettings) -> RetentionView:
    return retention.update(ctx.container.store, caller(ctx), body)
