"""eDiscovery exports: the stored job, its manifest and the DTOs of ``/api/admin/exports``.

An export gathers the records of custodian users over a date range into JSONL files and a
``manifest.json`` that holds each file's SHA-256, so a recipient can prove the bundle is
complete and unaltered.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gorunchat.contracts.documents import Document

ExportPart = Literal["audit", "discovery", "messages", "files"]
ExportStatus = Literal["queued", "running", "completed", "failed"]
MANIFEST = "manifest.json"


class ExportFile(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    sha256: str
    bytes: int
    records: int


class ExportJob(Document):
    """A stored export request and its outcome (collection ``ediscoveryexports``)."""

    collection: ClassVar[str] = "ediscoveryexports"

    id: str = Field(alias="_id")
    custodians: list[str]
    since: datetime
    until: datetime
    include: list[ExportPart]
    status: ExportStatus = "queued"
    createdBy: str | None = None
    startedAt: datetime | None = None
    completedAt: datetime | None = None
    files: list[ExportFile] = Field(default_factory=list)
    manifestSha256: str | None = None
    error: str | None = None


class CreateExportRequest(BaseModel):
    """``POST /api/admin/exports``: whose data, which period, which parts."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    custodians: list[str] = Field(min_length=1, max_length=500)
    since: datetime
    until: datetime
    include: list[ExportPart] = Field(min_length=1, max_length=4)

    @model_validator(mode="after")
    def _range_is_ordered(self) -> CreateExportRequest:
        if self.since >= self.until:
            raise ValueError("since must be before until")
        if len(set(self.include)) != len(self.include):
            raise ValueError("include lists a part twice")
        return self


class ExportListQuery(BaseModel):
    model_config = ConfigDict(frozen=True)

    limit: int = Field(default=25, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=512)


class DownloadQuery(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    file: str = Field(default=MANIFEST, pattern=r"^[a-z]+\.(jsonl|json)$")


class ExportManifest(BaseModel):
    """``manifest.json`` of a bundle: what was asked and the SHA-256 of every file."""

    model_config = ConfigDict(frozen=True)

    exportId: str
    tenantId: str
    custodians: list[str]
    since: datetime
    until: datetime
    include: list[ExportPart]
    createdAt: datetime
    createdBy: str | None = None
    files: list[ExportFile]


class ExportView(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: str
    status: ExportStatus
    custodians: list[str]
    since: datetime
    until: datetime
    include: list[ExportPart]
    createdAt: datetime
    createdBy: str | None = None
    startedAt: datetime | None = None
    completedAt: datetime | None = None
    files: list[ExportFile]
    manifestSha256: str | None = None
    error: str | None = None

    @classmethod
    def of(cls, job: ExportJob) -> ExportView:
        return cls.model_validate(job.model_dump(exclude={"tenantId", "updatedAt"}))


class ExportList(BaseModel):
    model_config = ConfigDict(frozen=True)

    items: list[ExportView]
    nextCursor: str | None = None
