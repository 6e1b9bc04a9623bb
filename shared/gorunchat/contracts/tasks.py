"""Task payloads (Cloud Tasks / local dispatcher bodies) and what the task routes answer."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

PROJECTION_PATH = "/tasks/audit-projection"
RETENTION_PATH = "/tasks/retention"
EXPORT_PATH = "/tasks/export"

QueueName = Literal["projection", "retention", "exports"]


class ProjectionTask(BaseModel):
    """Copy unprojected records out; ``tenantId`` ``None`` sweeps every tenant."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    tenantId: str | None = Field(default=None, max_length=128)
    batchSize: int | None = Field(default=None, ge=1, le=5000)


class RetentionTask(BaseModel):
    """Remove what is past retention and not held; ``tenantId`` ``None``: every tenant.

    Cloud Scheduler posts ``{"trigger": "schedule"}``.
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    tenantId: str | None = Field(default=None, max_length=128)
    trigger: str = Field(default="task", max_length=32)


class ExportTask(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    tenantId: str = Field(min_length=1, max_length=128)
    exportId: str = Field(min_length=1, max_length=64)


class TaskDelivery(BaseModel):
    """What the edge knows of one delivery (Cloud Tasks ``X-CloudTasks-*`` headers)."""

    model_config = ConfigDict(frozen=True)

    taskName: str | None = None
    queueName: str | None = None
    retryCount: int = 0


class ProjectionResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenants: int
    auditProjected: int
    discoveryProjected: int
    archived: list[str] = Field(default_factory=list)
    skippedBusy: list[str] = Field(default_factory=list)
    more: bool = False


class RetentionResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    tenants: int
    auditRemoved: int
    discoveryRemoved: int
    conversationsRemoved: int
    messagesRemoved: int
    skippedHeld: int
    tombstones: int
    ranAt: datetime


class ExportTaskResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    exportId: str
    status: str
    files: int


class DeadLetter(BaseModel):
    """A task the local dispatcher gave up on after its last attempt."""

    model_config = ConfigDict(frozen=True)

    taskId: str
    queue: str
    path: str
    body: str
    attempts: int
    lastStatus: int | None = None
    lastError: str | None = None
    deadAt: datetime
