"""DTOs of the audit routes (``/api/admin/audit-log``, ``/api/admin/audit/lag``) and of the
retention policy (``/api/admin/retention``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gorunchat.contracts.audit import AuditRecord
from gorunchat.contracts.documents import Document

#: Three years: the default retention of audit and discovery records (DESIGN.md §8).
DEFAULT_AUDIT_RETENTION_DAYS = 3 * 365


class AuditQuery(BaseModel):
    """Filters and paging of ``GET /api/admin/audit-log`` (newest first)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: str | None = Field(default=None, max_length=128)
    actorUserId: str | None = Field(default=None, max_length=128)
    targetType: str | None = Field(default=None, max_length=64)
    targetId: str | None = Field(default=None, max_length=256)
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(default=50, ge=1, le=500)
    cursor: str | None = Field(default=None, max_length=64, pattern=r"^[0-9]+$")

    @model_validator(mode="after")
    def _range_is_ordered(self) -> AuditQuery:
        if self.since and self.until and self.since >= self.until:
            raise ValueError("since must be before until")
        return self


class AuditExportQuery(BaseModel):
    """``GET /api/admin/audit-log/export.csv``: the same filters, bounded in size."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: str | None = Field(default=None, max_length=128)
    actorUserId: str | None = Field(default=None, max_length=128)
    targetType: str | None = Field(default=None, max_length=64)
    targetId: str | None = Field(default=None, max_length=256)
    since: datetime | None = None
    until: datetime | None = None
    limit: int = Field(default=10_000, ge=1, le=100_000)


class AuditPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[AuditRecord]
    nextCursor: str | None = None


class ChainReport(BaseModel):
    """``GET /api/admin/audit-log/verify``: the walk of the tenant's hash chain.

    ``firstBrokenId``/``firstBrokenSeq`` name the first record whose link does not hold
    (altered, removed or reordered); ``startSeq`` is where the walk began (after what
    retention removed, anchored by ``anchorHash``).
    """

    model_config = ConfigDict(frozen=True)

    ok: bool
    checked: int
    startSeq: int
    headSeq: int
    anchorHash: str
    firstBrokenId: str | None = None
    firstBrokenSeq: int | None = None
    reason: str | None = None


class ChainLink(BaseModel):
    """One link of a tenant's chain: the head (last record) or the retention anchor (the
    last record retention removed, from which verification continues)."""

    model_config = ConfigDict(frozen=True)

    seq: int
    hash: str


class ProjectionBacklog(BaseModel):
    """Unprojected records of one tenant, as the store counts them."""

    model_config = ConfigDict(frozen=True)

    auditPending: int
    discoveryPending: int
    auditTotal: int
    discoveryTotal: int
    oldestAuditPendingAt: datetime | None = None
    oldestDiscoveryPendingAt: datetime | None = None


class ProjectionLag(BaseModel):
    """``GET /api/admin/audit/lag``: age of the oldest unprojected record, and the counts."""

    model_config = ConfigDict(frozen=True)

    lagSeconds: float
    oldestPendingAt: datetime | None = None
    auditPending: int
    discoveryPending: int
    auditTotal: int
    discoveryTotal: int
    measuredAt: datetime


class RetentionSettings(BaseModel):
    """A retention policy: days to keep each kind of data (``None``: keep forever)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    auditDays: int = Field(default=DEFAULT_AUDIT_RETENTION_DAYS, ge=365, le=36_500)
    discoveryDays: int = Field(default=DEFAULT_AUDIT_RETENTION_DAYS, ge=365, le=36_500)
    chatDays: int | None = Field(default=None, ge=1, le=36_500)


class RetentionPolicy(Document):
    """A tenant's retention policy set by a super admin (collection ``retentionpolicies``);
    without one, the configured defaults apply."""

    collection: ClassVar[str] = "retentionpolicies"

    id: str = Field(alias="_id")
    auditDays: int
    discoveryDays: int
    chatDays: int | None = None
    updatedBy: str | None = None


class RetentionView(BaseModel):
    """``GET/PUT /api/admin/retention``: the policy in force and where it comes from."""

    model_config = ConfigDict(frozen=True)

    auditDays: int
    discoveryDays: int
    chatDays: int | None = None
    source: str  # "config" | "tenant"
    updatedAt: datetime | None = None
    updatedBy: str | None = None


_ENV = {
    "auditDays": "GORUNCHAT_AUDIT_RETENTION_DAYS",
    "discoveryDays": "GORUNCHAT_DISCOVERY_RETENTION_DAYS",
    "chatDays": "GORUNCHAT_CHAT_RETENTION_DAYS",
    "projectionBatch": "GORUNCHAT_PROJECTION_BATCH",
    "projectionIntervalS": "GORUNCHAT_PROJECTION_INTERVAL_S",
    "retentionIntervalS": "GORUNCHAT_RETENTION_INTERVAL_S",
    "taskMaxAttempts": "GORUNCHAT_TASK_MAX_ATTEMPTS",
    "taskMinBackoffS": "GORUNCHAT_TASK_MIN_BACKOFF_S",
    "taskMaxBackoffS": "GORUNCHAT_TASK_MAX_BACKOFF_S",
    "gcpProject": "GORUNCHAT_GCP_PROJECT",
    "gcpRegion": "GORUNCHAT_GCP_REGION",
    "tasksInvoker": "GORUNCHAT_TASKS_INVOKER",
    "tasksUrl": "GORUNCHAT_TASKS_URL",
    "tasksAudience": "GORUNCHAT_TASKS_AUDIENCE",
    "queueProjection": "GORUNCHAT_QUEUE_PROJECTION",
    "queueRetention": "GORUNCHAT_QUEUE_RETENTION",
    "queueExports": "GORUNCHAT_QUEUE_EXPORTS",
    "dataset": "GORUNCHAT_AUDIT_DATASET",
    "archiveBucket": "GORUNCHAT_AUDIT_ARCHIVE_BUCKET",
    "exportsBucket": "GORUNCHAT_EXPORTS_BUCKET",
    "cloudTasksEndpoint": "GORUNCHAT_CLOUD_TASKS_ENDPOINT",
    "bigqueryEndpoint": "GORUNCHAT_BIGQUERY_ENDPOINT",
}


class AuditSettings(BaseModel):
    """Settings of the audit spine: retention defaults, projection pace, Google resources.

    With ``gcpProject`` set, tasks go to Cloud Tasks, records to BigQuery and the archive to
    Cloud Storage; otherwise the local dispatcher, query sink and archive folder are used.
    With ``tasksInvoker`` set, the tasks function admits only OIDC tokens of that service
    account (for ``tasksAudience``, else ``tasksUrl``, else its own URL).
    """

    model_config = ConfigDict(frozen=True)

    auditDays: int = Field(default=DEFAULT_AUDIT_RETENTION_DAYS, ge=365)
    discoveryDays: int = Field(default=DEFAULT_AUDIT_RETENTION_DAYS, ge=365)
    chatDays: int | None = Field(default=None, ge=1)
    projectionBatch: int = Field(default=500, ge=1, le=5000)
    projectionIntervalS: float = Field(default=5.0, gt=0)
    retentionIntervalS: float = Field(default=86_400.0, gt=0)
    taskMaxAttempts: int = Field(default=8, ge=1)
    taskMinBackoffS: float = Field(default=1.0, ge=0)
    taskMaxBackoffS: float = Field(default=300.0, ge=0)
    gcpProject: str | None = None
    gcpRegion: str | None = None
    tasksInvoker: str | None = None
    tasksUrl: str | None = None
    tasksAudience: str | None = None
    queueProjection: str | None = None
    queueRetention: str | None = None
    queueExports: str | None = None
    dataset: str = "gorunchat_audit"
    archiveBucket: str | None = None
    exportsBucket: str | None = None
    cloudTasksEndpoint: str | None = None
    bigqueryEndpoint: str | None = None
    signedUrlTtlS: int = Field(default=900, ge=60, le=7 * 86_400)

    @property
    def on_gcp(self) -> bool:
        return bool(self.gcpProject)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> AuditSettings:
        """Read the ``GORUNCHAT_*`` variables above (blank means unset)."""
        return cls.model_validate({k: env[v] for k, v in _ENV.items() if env.get(v)})
