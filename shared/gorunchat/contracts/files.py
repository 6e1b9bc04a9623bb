"""DTOs of the file routes and the ``fileConfig`` section of ``gorunchat.yaml``.

``fileConfig`` keeps LibreChat's shape (``endpoints.<name>.fileSizeLimit`` in MB,
``supportedMimeTypes`` as regular expressions, ``serverFileSizeLimit``...) and adds a few
GoRunChat keys: ``sizeLimits`` (MB per kind of file), ``userStorageLimit`` (MB per user),
``imageLimits`` (pixels) and ``maxTextChars`` (extracted text kept for prompts).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

MB = 1024 * 1024


class FileKind(StrEnum):
    """The file types GoRunChat accepts, by MIME type, as recognised from their content."""

    PNG = "image/png"
    JPEG = "image/jpeg"
    GIF = "image/gif"
    WEBP = "image/webp"
    PDF = "application/pdf"
    DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    TEXT = "text/plain"
    MARKDOWN = "text/markdown"
    CSV = "text/csv"
    JSON = "application/json"

    @property
    def family(self) -> Family:
        if self.value.startswith("image/"):
            return "image"
        if self is FileKind.PDF:
            return "pdf"
        if self is FileKind.DOCX:
            return "docx"
        return "text"


Family = Literal["image", "pdf", "docx", "text"]


def _default_size_limits() -> dict[Family, float]:
    return {"image": 20, "pdf": 50, "docx": 25, "text": 10}


class EndpointFileConfig(BaseModel):
    model_config = ConfigDict(extra="allow")

    disabled: bool = False
    fileLimit: int = Field(default=10, ge=0)
    fileSizeLimit: float = Field(default=512, ge=0)  # MB
    totalSizeLimit: float = Field(default=512, ge=0)  # MB
    supportedMimeTypes: list[str] = Field(default_factory=lambda: [".*"])


class ImageLimits(BaseModel):
    model_config = ConfigDict(extra="allow")

    maxWidth: int = Field(default=8192, ge=1)
    maxHeight: int = Field(default=8192, ge=1)
    maxPixels: int = Field(default=40_000_000, ge=1)


class FileConfig(BaseModel):
    """``fileConfig`` as written in ``gorunchat.yaml`` (sizes in MB, like LibreChat)."""

    model_config = ConfigDict(extra="allow")

    endpoints: dict[str, EndpointFileConfig] = Field(default_factory=dict)
    serverFileSizeLimit: float = Field(default=100, gt=0)
    avatarSizeLimit: float = Field(default=2, gt=0)
    sizeLimits: dict[Family, float] = Field(default_factory=_default_size_limits)
    userStorageLimit: float = Field(default=1024, gt=0)
    imageLimits: ImageLimits = Field(default_factory=ImageLimits)
    maxTextChars: int = Field(default=500_000, ge=0)
    maxArchiveEntries: int = Field(default=2000, ge=1)
    maxUnpackedMB: float = Field(default=200, gt=0)
    maxCompressionRatio: float = Field(default=200, gt=1)


class EndpointFileConfigOut(BaseModel):
    """One endpoint's limits as ``GET /api/files/config`` answers them (sizes in bytes)."""

    disabled: bool
    fileLimit: int
    fileSizeLimit: int
    totalSizeLimit: int
    supportedMimeTypes: list[str]


class FileConfigOut(BaseModel):
    """``GET /api/files/config``: LibreChat's merged file configuration, sizes in bytes."""

    model_config = ConfigDict(extra="allow")

    endpoints: dict[str, EndpointFileConfigOut]
    serverFileSizeLimit: int
    avatarSizeLimit: int
    sizeLimits: dict[str, int]
    userStorageLimit: int
    imageLimits: ImageLimits
    checkType: bool = True


class FileObject(BaseModel):
    """A file as the API shows it (LibreChat's ``TFile``); the owner and tenant are left out."""

    model_config = ConfigDict(extra="ignore")

    file_id: str
    temp_file_id: str | None = None
    conversationId: str | None = None
    bytes: int
    filename: str
    filepath: str
    object: str = "file"
    embedded: bool = False
    type: str
    context: str | None = None
    usage: int = 0
    source: str
    text: str | None = None
    textFormat: str | None = None
    width: int | None = None
    height: int | None = None
    createdAt: datetime
    updatedAt: datetime


class UploadedFile(FileObject):
    """``POST /api/files``: the stored file plus LibreChat's confirmation message."""

    message: str = "File uploaded and processed successfully"


class FileRef(BaseModel):
    model_config = ConfigDict(extra="ignore")

    file_id: str = Field(min_length=1, max_length=128)
    filepath: str | None = Field(default=None, max_length=2048)
    source: str | None = Field(default=None, max_length=64)


class DeleteFilesRequest(BaseModel):
    """``DELETE /api/files``: ``{files: [{file_id, filepath, source}], agent_id?}``."""

    model_config = ConfigDict(extra="ignore")

    files: list[FileRef] = Field(max_length=1000)
    agent_id: str | None = Field(default=None, max_length=128)
    tool_resource: str | None = Field(default=None, max_length=64)


class MessageOut(BaseModel):
    """``{message}``: the plain confirmation LibreChat answers for several file routes."""

    message: str


class FileUsageRequest(BaseModel):
    """``POST /api/files/usage``: an optional list of files to report on (all when empty)."""

    model_config = ConfigDict(extra="ignore")

    file_ids: list[str] = Field(default_factory=list, max_length=1000)


class FileUsage(BaseModel):
    """The caller's storage use against the quota (a GoRunChat shape; LibreChat has none)."""

    bytes: int
    fileCount: int
    quotaBytes: int
    remainingBytes: int
    byType: dict[str, int]


class DownloadUrl(BaseModel):
    """``GET /api/files/download-url/:userId/:file_id``."""

    url: str
    filename: str
    type: str
    metadata: dict[str, Any]


class FilePreview(BaseModel):
    """``GET /api/files/:file_id/preview``: the extracted text once it is ready."""

    file_id: str
    status: Literal["ready", "pending", "failed"] = "ready"
    text: str | None = None
    textFormat: str | None = None
    previewError: str | None = None


class PromptImage(BaseModel):
    """An uploaded image ready to hand to a vision model (OpenAI-style ``image_url`` part)."""

    file_id: str
    type: str
    width: int | None = None
    height: int | None = None
    data_url: str
