"""The library context: stored tags, files, tool calls and share links, and its settings.

Collection and field names follow LibreChat's (``conversationtags``, ``files``, ``toolcalls``,
``sharedlinks``) so that a LibreChat database can be served. Only the fields GoRunChat acts
on are typed; every other stored field is kept (``extra="allow"`` on ``Document``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, RootModel

from gorunchat.contracts.documents import Document


class ConversationTag(Document):
    """A bookmark (LibreChat calls them conversation tags), unique per user and name."""

    collection: ClassVar[str] = "conversationtags"

    id: str = Field(alias="_id")
    tag: str
    user: str
    description: str | None = None
    count: int = 0
    position: int = 0


class StoredFile(Document):
    """An uploaded file: its blob lives in the ``BlobStore`` under ``storageKey``.

    ``text`` holds the text extracted for prompts (LibreChat's field for the ``context``
    resource); ``context`` is LibreChat's file context (``message_attachment``...).
    """

    collection: ClassVar[str] = "files"
    key: ClassVar[str] = "file_id"

    file_id: str
    user: str
    conversationId: str | None = None
    temp_file_id: str | None = None
    bytes: int
    filename: str
    filepath: str
    object: str = "file"
    embedded: bool = False
    type: str
    context: str = "message_attachment"
    usage: int = 0
    source: str = "local"
    storageKey: str | None = None
    text: str | None = None
    textFormat: str | None = None
    width: int | None = None
    height: int | None = None
    metadata: dict[str, Any] | None = None
    expiresAt: datetime | None = None


class ToolCall(Document):
    """A tool call's stored result; deleted with its conversation."""

    collection: ClassVar[str] = "toolcalls"

    id: str = Field(alias="_id")
    conversationId: str
    messageId: str | None = None
    toolId: str | None = None
    user: str
    result: Any = None


class SharedLink(Document):
    """A conversation shared by link; deleted with its conversation.

    ``messages`` is the snapshot: the ``messageId`` of every message the link shows (up to
    ``targetMessageId``'s level when one was given); refreshing the link retakes it.
    ``snapshotFiles`` is the owner's choice to let viewers open the attached files.
    """

    collection: ClassVar[str] = "sharedlinks"
    key: ClassVar[str] = "shareId"

    shareId: str
    conversationId: str
    user: str
    title: str | None = None
    isPublic: bool = True
    messages: list[str] = Field(default_factory=list)
    targetMessageId: str | None = None
    snapshotFiles: bool = True
    expiresAt: datetime | None = None


class RateLimit(BaseModel):
    """``max`` requests per ``window_minutes`` (LibreChat's ``*_MAX`` / ``*_WINDOW``)."""

    model_config = ConfigDict(frozen=True)

    max: int = Field(ge=1)
    window_minutes: int = Field(ge=1)


class LibrarySettings(BaseModel):
    """Limits and storage of conversations, imports and files, read once at start.

    Environment names follow LibreChat's where it has one (``IMPORT_USER_MAX``,
    ``FORK_IP_WINDOW``, ``CONVERSATION_IMPORT_MAX_FILE_SIZE_BYTES``...).
    """

    model_config = ConfigDict(frozen=True)

    import_max_file_bytes: int = Field(default=32 * 1024 * 1024, ge=1)
    import_max_conversations: int = Field(default=1000, ge=1)
    import_max_messages: int = Field(default=20_000, ge=1)
    import_ip: RateLimit = RateLimit(max=100, window_minutes=15)
    import_user: RateLimit = RateLimit(max=50, window_minutes=15)
    fork_ip: RateLimit = RateLimit(max=30, window_minutes=1)
    fork_user: RateLimit = RateLimit(max=7, window_minutes=1)
    blob_bucket: str | None = None
    blob_signing_account: str | None = None
    signed_url_ttl_s: int = Field(default=900, ge=60, le=7 * 24 * 3600)
    shared_links: bool = True  # ALLOW_SHARED_LINKS
    shared_links_public: bool = False  # ALLOW_SHARED_LINKS_PUBLIC: viewers need no sign-in

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> LibrarySettings:
        """Build from the mapping ``Settings.load`` passes in (never ``os.environ`` itself).

        Values are validated by pydantic, so a malformed number is a ``ValidationError``
        that ``Settings.load`` reports as a ``ConfigError`` at start.
        """
        defaults = cls()

        def value(name: str, default: Any) -> Any:
            raw = env.get(name)
            return raw if raw not in (None, "") else default

        def limit(prefix: str, default: RateLimit) -> dict[str, Any]:
            return {"max": value(f"{prefix}_MAX", default.max),
                    "window_minutes": value(f"{prefix}_WINDOW", default.window_minutes)}

        return cls.model_validate({
            "import_max_file_bytes": value("CONVERSATION_IMPORT_MAX_FILE_SIZE_BYTES",
                                           defaults.import_max_file_bytes),
            "import_max_conversations": value("CONVERSATION_IMPORT_MAX_CONVERSATIONS",
                                              defaults.import_max_conversations),
            "import_max_messages": value("CONVERSATION_IMPORT_MAX_MESSAGES",
                                         defaults.import_max_messages),
            "import_ip": limit("IMPORT_IP", defaults.import_ip),
            "import_user": limit("IMPORT_USER", defaults.import_user),
            "fork_ip": limit("FORK_IP", defaults.fork_ip),
            "fork_user": limit("FORK_USER", defaults.fork_user),
            "blob_bucket": value("GORUNCHAT_FILES_BUCKET", None),
            "blob_signing_account": value("GORUNCHAT_FILES_SIGNER", None),
            "signed_url_ttl_s": value("GORUNCHAT_FILES_URL_TTL_S", defaults.signed_url_ttl_s),
            "shared_links": value("ALLOW_SHARED_LINKS", defaults.shared_links),
            "shared_links_public": value("ALLOW_SHARED_LINKS_PUBLIC",
                                         defaults.shared_links_public),
        })


class SearchEnabled(RootModel[bool]):
    """``GET /api/search/enable``: a bare ``true`` (search runs in the store, always on)."""
